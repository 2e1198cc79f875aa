package jwtx_test

// The fixture of the attack catalogue (see SECURITY.md), section 0: its
// keys, the baseline header H0 and claims C0, and the values of policy V.
// Tokens are built as the catalogue writes them:
//
//	b64u(x)         base64url without padding
//	si(H, P)        b64u(H) + "." + b64u(P), H and P written out byte for byte
//	jws(alg, H, P)  si(H, P) + "." + b64u(Sign_alg(k, si(H, P)))
//
// with testutil: SigningInput is si, Sign is jws with the key's own
// algorithm, SignAs with another algorithm of the key's family, SignHMAC
// with any secret, and Compact joins a signing input to raw signature
// bytes. Header and claims JSON is always literal text, never
// re-serialised, and signatures come from the standard library's crypto
// through testutil, never from jwtx or jwx, so the tests do not trust the
// code they test.

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// Values of the baseline token T0 and policy V.
const (
	vtIssuer   = "https://issuer.test"
	vtAudience = "api"
	vtSubject  = "user-42"
	vtJTI      = "0b8c6f0e-5c1a-4a40-9d7f-3c1d5e2f4a6b"
	vtLeeway   = 30 * time.Second
	vtLifetime = 300 * time.Second // exp - iat of C0

	vtKidHS  = "hs-1"
	vtKidRS  = "rs-1"
	vtKidRS2 = "rs-2"
	vtKidES  = "es-1"
	vtKidED  = "ed-1"

	// vtH0 is the baseline header H0.
	vtH0 = `{"alg":"RS256","typ":"at+jwt","kid":"rs-1"}`
	// vtHHS is H0 for the HS256 deployment.
	vtHHS = `{"alg":"HS256","typ":"at+jwt","kid":"hs-1"}`
	// vtHES is H0 for the ES256 deployment.
	vtHES = `{"alg":"ES256","typ":"at+jwt","kid":"es-1"}`
	// vtHED is H0 for the EdDSA deployment.
	vtHED = `{"alg":"EdDSA","typ":"at+jwt","kid":"ed-1"}`
)

// vtNow is the instant every test clock is fixed at: 2026-01-02T03:04:05Z.
func vtNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// fixtureKeys are the keys of the catalogue's fixture, each bound to the
// algorithm and kid of its deployment. The legitimate keys and the
// attacker's are made from different seeds; RSA keys are generated once per
// seed and test binary (see testutil.NewKey), HMAC, EC and Ed25519 keys are
// derived from their seeds.
type fixtureKeys struct {
	hs  *testutil.Key // K_hs: a 32-byte secret, HS256, kid hs-1
	rs  *testutil.Key // K_rs: RSA-2048, RS256, kid rs-1
	rs2 *testutil.Key // a second legitimate RSA-2048 key, RS256, kid rs-2 (rotation)
	es  *testutil.Key // K_es: P-256, ES256, kid es-1
	ed  *testutil.Key // K_ed: Ed25519, EdDSA, kid ed-1
	ars *testutil.Key // A_rs: the attacker's RSA-2048 key, RS256
	aes *testutil.Key // A_es: the attacker's P-256 key, ES256
	ahs *testutil.Key // A_hs: the attacker's 32-byte HMAC secret, HS256
}

// Seeds of the fixture keys.
const (
	seedHS  = "catalogue K_hs"
	seedRS  = "catalogue K_rs"
	seedRS2 = "catalogue K_rs2"
	seedES  = "catalogue K_es"
	seedED  = "catalogue K_ed"
	seedARS = "catalogue A_rs"
	seedAES = "catalogue A_es"
	seedAHS = "catalogue A_hs"
)

// fixture returns the fixture keys.
func fixture(tb testing.TB) fixtureKeys {
	tb.Helper()
	key := func(alg jwtx.Algorithm, seed, kid string) *testutil.Key {
		return testutil.NewKey(tb, alg, testutil.WithSeed(seed), testutil.WithKeyID(kid))
	}
	return fixtureKeys{
		hs:  key(jwtx.HS256, seedHS, vtKidHS),
		rs:  key(jwtx.RS256, seedRS, vtKidRS),
		rs2: key(jwtx.RS256, seedRS2, vtKidRS2),
		es:  key(jwtx.ES256, seedES, vtKidES),
		ed:  key(jwtx.EdDSA, seedED, vtKidED),
		ars: key(jwtx.RS256, seedARS, "attacker"),
		aes: key(jwtx.ES256, seedAES, "attacker"),
		ahs: key(jwtx.HS256, seedAHS, "attacker"),
	}
}

// vtForger returns a Forger whose valid token carries the baseline claims
// C0 at now, member by member in this order:
//
//	{"iss":"https://issuer.test","sub":"user-42","aud":"api","iat":now,
//	 "nbf":now,"exp":now+300,"jti":"…","type":"access"}
func vtForger(tb testing.TB, now time.Time) *testutil.Forger {
	tb.Helper()
	return testutil.NewForger(tb, fixture(tb).rs, testutil.NewClock(now),
		testutil.WithIssuer(vtIssuer),
		testutil.WithSubject(vtSubject),
		testutil.WithAudience(vtAudience),
		testutil.WithLifetime(vtLifetime),
		testutil.WithClaim("jti", strconv.Quote(vtJTI)),
		testutil.WithClaim("fresh", ""), // C0 has no fresh claim
	)
}

// vtClaimsJSON returns the baseline claims C0 at now (see vtForger) changed
// by edits: pairs of a member name and its raw JSON value text, applied in
// order with testutil.WithClaim. An existing member is replaced in place, a
// new one is appended, and an empty value removes the member.
func vtClaimsJSON(tb testing.TB, now time.Time, edits ...string) string {
	tb.Helper()
	if len(edits)%2 != 0 {
		tb.Fatalf("vtClaimsJSON: odd number of edit arguments")
	}
	var opts []testutil.ForgeOption
	for i := 0; i < len(edits); i += 2 {
		opts = append(opts, testutil.WithClaim(edits[i], edits[i+1]))
	}
	return vtForger(tb, now).With(opts...).Claims()
}

// vtAppendMember inserts raw member text, such as `"sub":"admin"`, before the
// closing brace of the JSON object text obj. It is how the tests write
// duplicate members, and names that are not valid UTF-8, byte for byte.
func vtAppendMember(obj, raw string) string {
	return obj[:len(obj)-1] + "," + raw + "}"
}

// b64u is base64url without padding (RFC 7515 §2).
func b64u(x string) string { return base64.RawURLEncoding.EncodeToString([]byte(x)) }

// vtUnix writes t as a NumericDate.
func vtUnix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// vtFlipTrailingBits changes only the unused low bits of the last character of
// an unpadded base64url segment, so that a lenient decoder yields the same
// bytes. It reports false when the segment has no unused bits.
func vtFlipTrailingBits(seg string) (string, bool) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	// A segment of length 4k+2 leaves 4 unused bits in its last character,
	// one of length 4k+3 leaves 2; a multiple of 4 leaves none.
	if r := len(seg) % 4; r != 2 && r != 3 {
		return "", false
	}
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	if last < 0 {
		return "", false
	}
	// The lowest bit of the last character is always an unused one.
	return seg[:len(seg)-1] + string(alphabet[last^1]), true
}

// vtErrAny reports whether err matches any of targets.
func vtErrAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// vtDescribe names a token for failure messages without printing it whole.
func vtDescribe(token string) string {
	if len(token) > 48 {
		return fmt.Sprintf("%q… (%d bytes)", token[:48], len(token))
	}
	return strconv.Quote(token)
}

// Public forms of the fixture's keys, for key-confusion and embedded-key
// tokens.

// vtRSAJWK writes the public JWK of an RSA key, as a JWKS endpoint serves it.
func vtRSAJWK(pub *rsa.PublicKey, kid string) string {
	e := big.NewInt(int64(pub.E)).Bytes()
	return `{"kty":"RSA","kid":"` + kid + `","use":"sig","alg":"RS256","n":"` +
		b64u(string(pub.N.Bytes())) + `","e":"` + b64u(string(e)) + `"}`
}

// vtSelfSignedCert returns the DER of a self-signed certificate for k, valid
// around vtNow.
func vtSelfSignedCert(tb testing.TB, k *rsa.PrivateKey, cn string) []byte {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    vtNow().Add(-time.Hour),
		NotAfter:     vtNow().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		tb.Fatalf("certificate: %v", err)
	}
	return der
}

// vtPEM encodes der as a PEM block of the given type.
func vtPEM(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// vtSPKIPEM returns the SubjectPublicKeyInfo PEM of a public key.
func vtSPKIPEM(tb testing.TB, pub any) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatalf("SPKI: %v", err)
	}
	return vtPEM("PUBLIC KEY", der)
}

// vtSignRS256Raw returns header and claims signed with RS256 by k, an RSA
// key that jwtx refuses (too short, a ROCA modulus) and that testutil
// therefore cannot hold: its keys are keys jwtx accepts.
func vtSignRS256Raw(tb testing.TB, k *rsa.PrivateKey, header, claims string) string {
	tb.Helper()
	digest := sha256.Sum256([]byte(testutil.SigningInput(header, claims)))
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
	if err != nil {
		tb.Fatalf("sign RS256: %v", err)
	}
	return testutil.Compact(header, claims, sig)
}
