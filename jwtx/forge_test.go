package jwtx_test

// Forging helpers for the verifier tests. They build tokens exactly as the
// attack catalogue (see SECURITY.md), section 0, writes them:
//
//	b64u(x)         base64url without padding
//	si(H, P)        b64u(H) + "." + b64u(P), H and P written out byte for byte
//	jws(alg, H, P)  si(H, P) + "." + b64u(Sign_alg(k, si(H, P)))
//
// Header and claims JSON is always a literal string, never re-serialised, and
// signatures come from the raw crypto primitives, never from jwtx or jwx, so
// the tests do not trust the code they test.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Values of the baseline token T0 and policy V.
const (
	vtIssuer   = "https://issuer.test"
	vtAudience = "api"
	vtSubject  = "user-42"
	vtJTI      = "0b8c6f0e-5c1a-4a40-9d7f-3c1d5e2f4a6b"
	vtLeeway   = 30 * time.Second

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

// vtClock returns a Clock that always reads t.
func vtClock(t time.Time) jwtx.Clock { return jwtx.ClockFunc(func() time.Time { return t }) }

// fixtureKeys are the keys of the catalogue's fixture. Treat them as
// read-only: they are shared by all tests of the binary.
type fixtureKeys struct {
	hs  []byte             // K_hs: 32 random bytes, HS256, kid hs-1
	rs  *rsa.PrivateKey    // K_rs: RSA-2048, kid rs-1
	rs2 *rsa.PrivateKey    // a second legitimate RSA-2048 key, kid rs-2 (rotation)
	es  *ecdsa.PrivateKey  // K_es: P-256, kid es-1
	ed  ed25519.PrivateKey // K_ed: Ed25519, kid ed-1
	ars *rsa.PrivateKey    // A_rs: the attacker's RSA-2048 key
	aes *ecdsa.PrivateKey  // A_es: the attacker's P-256 key
	ahs []byte             // A_hs: the attacker's 32-byte HMAC secret
}

// fixtureOnce generates the fixture keys once per test binary, because
// RSA-2048 generation is slow. It is the only package-level variable of the
// tests and is not mutable state: sync.OnceValues writes the keys once, before
// any caller sees them, and nothing writes them afterwards, so parallel tests
// can share them. (Library code has no package-level variables at all.)
var fixtureOnce = sync.OnceValues(func() (fixtureKeys, error) {
	var f fixtureKeys
	var err error
	f.hs = make([]byte, 32)
	f.ahs = make([]byte, 32)
	if _, err = rand.Read(f.hs); err != nil {
		return fixtureKeys{}, err
	}
	if _, err = rand.Read(f.ahs); err != nil {
		return fixtureKeys{}, err
	}
	for _, k := range []**rsa.PrivateKey{&f.rs, &f.rs2, &f.ars} {
		if *k, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return fixtureKeys{}, err
		}
	}
	for _, k := range []**ecdsa.PrivateKey{&f.es, &f.aes} {
		if *k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return fixtureKeys{}, err
		}
	}
	if _, f.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		return fixtureKeys{}, err
	}
	return f, nil
})

// fixture returns the fixture keys.
func fixture(tb testing.TB) fixtureKeys {
	tb.Helper()
	f, err := fixtureOnce()
	if err != nil {
		tb.Fatalf("fixture keys: %v", err)
	}
	return f
}

// b64u is base64url without padding (RFC 7515 §2).
func b64u(x string) string { return base64.RawURLEncoding.EncodeToString([]byte(x)) }

// si is the JWS signing input of header h and claims p, both JSON text
// written out byte for byte.
func si(h, p string) string { return b64u(h) + "." + b64u(p) }

// jws signs si(h, p) with key under alg, which may differ from the alg the
// header h names, and returns the compact token.
func jws(tb testing.TB, alg, h, p string, key any) string {
	tb.Helper()
	in := si(h, p)
	return in + "." + b64u(string(vtSign(tb, alg, in, key)))
}

// vtWithSig returns the compact token made of a signing input and raw
// signature bytes.
func vtWithSig(signingInput string, sig []byte) string {
	return signingInput + "." + b64u(string(sig))
}

// vtHashOf returns the hash of a JWS algorithm name by its suffix.
func vtHashOf(tb testing.TB, alg string) crypto.Hash {
	tb.Helper()
	switch {
	case strings.HasSuffix(alg, "256"):
		return crypto.SHA256
	case strings.HasSuffix(alg, "384"):
		return crypto.SHA384
	case strings.HasSuffix(alg, "512"):
		return crypto.SHA512
	}
	tb.Fatalf("no hash for alg %q", alg)
	return 0
}

func vtNewHash(h crypto.Hash) func() hash.Hash {
	switch h {
	case crypto.SHA384:
		return sha512.New384
	case crypto.SHA512:
		return sha512.New
	}
	return sha256.New
}

func vtDigest(h crypto.Hash, input string) []byte {
	d := vtNewHash(h)()
	d.Write([]byte(input))
	return d.Sum(nil)
}

// vtSign signs input with the raw primitive alg names:
//
//	HS*: HMAC (key []byte, any length, the empty key included)
//	RS*: RSASSA-PKCS1-v1_5 (key *rsa.PrivateKey)
//	PS*: RSASSA-PSS with salt length = hash length (key *rsa.PrivateKey)
//	ES*: ECDSA over the alg's hash, R||S each of the key's coordinate size
//	     (key *ecdsa.PrivateKey; a P-256 key with ES384 truncates the hash,
//	     as ECDSA does)
//	EdDSA, Ed25519, ED25519: Ed25519 (key ed25519.PrivateKey)
func vtSign(tb testing.TB, alg, input string, key any) []byte {
	tb.Helper()
	switch {
	case strings.EqualFold(alg, "EdDSA") || strings.EqualFold(alg, "Ed25519"):
		k, ok := key.(ed25519.PrivateKey)
		if !ok {
			tb.Fatalf("%s needs an ed25519.PrivateKey, not %T", alg, key)
		}
		return ed25519.Sign(k, []byte(input))
	case strings.HasPrefix(alg, "HS"):
		k, ok := key.([]byte)
		if !ok {
			tb.Fatalf("%s needs a []byte secret, not %T", alg, key)
		}
		m := hmac.New(vtNewHash(vtHashOf(tb, alg)), k)
		m.Write([]byte(input))
		return m.Sum(nil)
	case strings.HasPrefix(alg, "RS"):
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			tb.Fatalf("%s needs an *rsa.PrivateKey, not %T", alg, key)
		}
		h := vtHashOf(tb, alg)
		sig, err := rsa.SignPKCS1v15(nil, k, h, vtDigest(h, input))
		if err != nil {
			tb.Fatalf("sign %s: %v", alg, err)
		}
		return sig
	case strings.HasPrefix(alg, "PS"):
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			tb.Fatalf("%s needs an *rsa.PrivateKey, not %T", alg, key)
		}
		h := vtHashOf(tb, alg)
		sig, err := rsa.SignPSS(rand.Reader, k, h, vtDigest(h, input), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		if err != nil {
			tb.Fatalf("sign %s: %v", alg, err)
		}
		return sig
	case strings.HasPrefix(alg, "ES"):
		k, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			tb.Fatalf("%s needs an *ecdsa.PrivateKey, not %T", alg, key)
		}
		r, s, err := ecdsa.Sign(rand.Reader, k, vtDigest(vtHashOf(tb, alg), input))
		if err != nil {
			tb.Fatalf("sign %s: %v", alg, err)
		}
		return vtRS(k.Curve, r, s)
	}
	tb.Fatalf("signRaw: unknown alg %q", alg)
	return nil
}

// vtRS encodes an ECDSA signature as JWS does: R||S, each big-endian and
// as long as the curve's coordinates (RFC 7518 §3.4). Values wider than that
// keep their extra bytes (for out-of-range tests).
func vtRS(c elliptic.Curve, r, s *big.Int) []byte {
	n := (c.Params().BitSize + 7) / 8
	out := make([]byte, 0, 2*n)
	for _, v := range []*big.Int{r, s} {
		b := v.Bytes()
		if len(b) < n {
			out = append(out, make([]byte, n-len(b))...)
		}
		out = append(out, b...)
	}
	return out
}

// vtSignPSS computes an RSASSA-PSS signature with an exact salt length
// (RFC 8017 §8.1.1 and §9.1.1), 0 included: crypto/rsa treats a SaltLength of
// 0 as "as long as possible", so it cannot make a zero-salt signature.
func vtSignPSS(tb testing.TB, k *rsa.PrivateKey, h crypto.Hash, input string, saltLen int) []byte {
	tb.Helper()
	mHash := vtDigest(h, input)
	hLen := h.Size()
	emBits := k.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	if emLen < hLen+saltLen+2 {
		tb.Fatalf("salt length %d too long for the key", saltLen)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		tb.Fatalf("salt: %v", err)
	}
	// H = Hash(0x00*8 || mHash || salt)
	hh := vtNewHash(h)()
	hh.Write(make([]byte, 8))
	hh.Write(mHash)
	hh.Write(salt)
	H := hh.Sum(nil)
	// DB = PS || 0x01 || salt, masked with MGF1(H).
	db := make([]byte, emLen-hLen-1)
	db[len(db)-saltLen-1] = 0x01
	copy(db[len(db)-saltLen:], salt)
	mask := vtMGF1(h, H, len(db))
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	em := append(append(db, H...), 0xbc)
	// s = em^d mod n, left-padded to the modulus size.
	m := new(big.Int).SetBytes(em)
	s := new(big.Int).Exp(m, k.D, k.N)
	return s.FillBytes(make([]byte, k.Size()))
}

// vtMGF1 is the mask generation function of RFC 8017 §B.2.1.
func vtMGF1(h crypto.Hash, seed []byte, n int) []byte {
	var out []byte
	for c := uint32(0); len(out) < n; c++ {
		d := vtNewHash(h)()
		d.Write(seed)
		d.Write([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
		out = d.Sum(out)
	}
	return out[:n]
}

// vtClaimsJSON returns the baseline claims C0 at now, written out member by member
// in a fixed order:
//
//	{"iss":"https://issuer.test","sub":"user-42","aud":"api","iat":now,
//	 "nbf":now,"exp":now+300,"jti":"…","type":"access"}
//
// edits are pairs of a member name and its raw JSON value text, applied in
// order: an existing member is replaced in place, a new one is appended, and
// an empty value removes the member. Names and values are raw JSON text,
// written out as given (a name may carry escapes such as s\u0075b).
func vtClaimsJSON(now time.Time, edits ...string) string {
	if len(edits)%2 != 0 {
		panic("claims: odd number of edit arguments") // a bug in the test table itself
	}
	type member struct{ name, raw string }
	n := now.Unix()
	ms := []member{
		{"iss", `"` + vtIssuer + `"`},
		{"sub", `"` + vtSubject + `"`},
		{"aud", `"` + vtAudience + `"`},
		{"iat", strconv.FormatInt(n, 10)},
		{"nbf", strconv.FormatInt(n, 10)},
		{"exp", strconv.FormatInt(n+300, 10)},
		{"jti", `"` + vtJTI + `"`},
		{"type", `"access"`},
	}
	for i := 0; i < len(edits); i += 2 {
		name, raw := edits[i], edits[i+1]
		found := false
		for j := range ms {
			if ms[j].name == name {
				found = true
				if raw == "" {
					ms = append(ms[:j], ms[j+1:]...)
				} else {
					ms[j].raw = raw
				}
				break
			}
		}
		if !found && raw != "" {
			ms = append(ms, member{name, raw})
		}
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + m.name + `":`)
		b.WriteString(m.raw)
	}
	b.WriteByte('}')
	return b.String()
}

// vtAppendMember inserts raw member text, such as `"sub":"admin"`, before the
// closing brace of the JSON object text obj. It is how the tests write
// duplicate members byte for byte.
func vtAppendMember(obj, raw string) string {
	return obj[:len(obj)-1] + "," + raw + "}"
}

// vtUnix writes t as a NumericDate.
func vtUnix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// vtSegments cuts a compact token into its parts; there may be any number.
func vtSegments(token string) []string { return strings.Split(token, ".") }

// vtHS256Valid independently checks a compact HS256 token: three segments of
// canonical unpadded base64url and a signature that is the HMAC-SHA-256 under
// key of the first two segments. It shares no code with jwtx.
func vtHS256Valid(key []byte, token string) bool {
	parts := vtSegments(token)
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil || base64.RawURLEncoding.EncodeToString(b) != p {
			return false
		}
	}
	sig, _ := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	m := hmac.New(sha256.New, key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	return hmac.Equal(sig, m.Sum(nil))
}

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

// vtClaimErrors returns the Claim of every *jwtx.ClaimError in err's tree, in
// order, so that joined claim failures can be compared with cmp.Diff.
func vtClaimErrors(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if ce, ok := e.(*jwtx.ClaimError); ok {
			out = append(out, ce.Claim)
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// vtDescribe names a token for failure messages without printing it whole.
func vtDescribe(token string) string {
	if len(token) > 48 {
		return fmt.Sprintf("%q… (%d bytes)", token[:48], len(token))
	}
	return strconv.Quote(token)
}

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
