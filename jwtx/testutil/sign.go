package testutil

import (
	"encoding/base64"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
)

// SigningInput returns the JWS signing input of header and claims: each
// base64url-encoded without padding, byte for byte as given, joined by a
// dot (RFC 7515 §5.1).
func SigningInput(header, claims string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
}

// Compact returns the compact serialization of header, claims and sig:
// [SigningInput], a dot, and sig base64url-encoded. An empty sig gives a
// token that ends in a dot, as an unsecured JWS does.
func Compact(header, claims string, sig []byte) string {
	return SigningInput(header, claims) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Sign returns header and claims signed with key, as a compact JWS. Both
// are JSON text used byte for byte, never parsed or re-serialised, so they
// may be anything: duplicate members, odd whitespace, a header whose alg is
// not the key's. The signature is always made with the key's own algorithm.
func Sign(tb testing.TB, key *Key, header, claims string) string {
	tb.Helper()
	input := SigningInput(header, claims)
	return input + "." + base64.RawURLEncoding.EncodeToString(key.Sign(tb, []byte(input)))
}

// SignAs returns header and claims signed with key under alg, as a compact
// JWS: the key's material with another algorithm of its family, or an HMAC
// keyed with its public key; see [Key.SignAs]. Header and claims are used
// byte for byte, as by [Sign], and the header's alg need not be alg.
func SignAs(tb testing.TB, key *Key, alg jwtx.Algorithm, header, claims string) string {
	tb.Helper()
	return Compact(header, claims, key.SignAs(tb, alg, []byte(SigningInput(header, claims))))
}

// SignHMAC returns header and claims MACed with secret under alg (HS256,
// HS384 or HS512), as a compact JWS. The secret may be anything, the empty
// one included: a guessed password, a secret jwtx.NewKey refuses as too
// short, a public key in some encoding. It is for tests of weak-secret and
// key-confusion forgeries; a [Key] holds only secrets jwtx accepts. Header
// and claims are used byte for byte, as by [Sign]. Another alg fails the
// test.
func SignHMAC(tb testing.TB, alg jwtx.Algorithm, secret []byte, header, claims string) string {
	tb.Helper()
	h, fam := spec(alg)
	if fam != familyHMAC {
		tb.Fatalf("testutil: SignHMAC with %q, not an HMAC algorithm", alg)
	}
	return Compact(header, claims, hmacSum(h, secret, []byte(SigningInput(header, claims))))
}

// SignSegments signs the first two segments of a token as they are given,
// neither encoded nor checked, and returns header + "." + payload + "." and
// the signature base64url-encoded. It is for tokens whose segments are not
// the canonical base64url of anything: non-canonical encodings, an RFC 7797
// unencoded payload, a compressed one. The signature is made with the key's
// own algorithm, as by [Key.Sign].
func SignSegments(tb testing.TB, key *Key, header, payload string) string {
	tb.Helper()
	input := header + "." + payload
	return input + "." + base64.RawURLEncoding.EncodeToString(key.Sign(tb, []byte(input)))
}
