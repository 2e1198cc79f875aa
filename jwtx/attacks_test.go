package jwtx_test

// Attack-suite tests for the catalogue entries (see SECURITY.md) that the
// other verifier tests do not cover under their own name: A13 (weak or malformed public keys), A16
// (PKCS#1 v1.5 DigestInfo leniency) and B15 (JWE key management). B5 is
// TestVerifyBase64/B5/… in verifier_format_test.go.
//
// Tokens are built byte for byte with the helpers of forge_test.go (jws,
// si, b64u, vtClaimsJSON) and checked with vtRun of verifier_test.go;
// helpers of this file start with atk.

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
)

// atkKidBad is the kid of the key under test in a key set.
const atkKidBad = "bad"

// atkB64Int writes a big-endian integer as a JWK member value.
func atkB64Int(v *big.Int) string { return b64u(string(v.Bytes())) }

// atkRSAJWK writes an RSA JWK from its member values, already encoded.
func atkRSAJWK(kid, alg, n, e string) string {
	return `{"kty":"RSA","kid":"` + kid + `","use":"sig","alg":"` + alg + `","n":"` + n + `","e":"` + e + `"}`
}

// atkECPoint returns the x and y coordinates of a P-256 public key, 32
// bytes each.
func atkECPoint(tb testing.TB) (x, y []byte) {
	tb.Helper()
	pub, err := fixture(tb).es.PublicKey.ECDH()
	if err != nil {
		tb.Fatalf("ECDH: %v", err)
	}
	b := pub.Bytes() // 0x04 || X || Y
	return b[1:33], b[33:65]
}

// atkECJWK writes an EC JWK from raw coordinates.
func atkECJWK(kid, alg, crv string, x, y []byte) string {
	return `{"kty":"EC","kid":"` + kid + `","use":"sig","alg":"` + alg + `","crv":"` + crv +
		`","x":"` + b64u(string(x)) + `","y":"` + b64u(string(y)) + `"}`
}

// atkGoodJWK is K_es, kid es-1: the good key every test set holds beside
// the key under test.
func atkGoodJWK(tb testing.TB) string {
	tb.Helper()
	x, y := atkECPoint(tb)
	return atkECJWK(vtKidES, "ES256", "P-256", x, y)
}

// atkJWKS writes a JWK Set document from JWK texts.
func atkJWKS(keys ...string) string { return `{"keys":[` + strings.Join(keys, ",") + `]}` }

// atkServeJWKS starts a loopback HTTP server that publishes doc, closed
// when the test ends.
func atkServeJWKS(tb testing.TB, doc string) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write([]byte(doc))
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// atkReports records what a RemoteKeySet's error handler is told.
type atkReports struct {
	mu   sync.Mutex
	errs []error
}

func (r *atkReports) add(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *atkReports) all() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// atkPKCS1Block returns the RSASSA-PKCS1-v1_5 encoded message of RFC 8017
// §9.2 for a k-byte modulus: 00 01 FF…FF 00 || t.
func atkPKCS1Block(k int, t []byte) []byte {
	em := make([]byte, k)
	em[1] = 0x01
	for i := 2; i < k-len(t)-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-len(t):], t)
	return em
}

// atkRawRSA computes s = m^d mod n for an encoded message em, left-padded to
// the modulus size: the "signature" of any block, well-formed or not.
func atkRawRSA(k *rsa.PrivateKey, em []byte) []byte {
	m := new(big.Int).SetBytes(em)
	return new(big.Int).Exp(m, k.D, k.N).FillBytes(make([]byte, k.Size()))
}

// atkSHA256DigestInfo returns the DER prefix of a SHA-256 DigestInfo (RFC
// 8017 §9.2 note 1): SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.2.1,
// NULL }, OCTET STRING (32 bytes) }.
func atkSHA256DigestInfo() []byte {
	return []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
}

// atkCat concatenates byte slices into a new one.
func atkCat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// atkSmallPrimes returns the first n primes.
func atkSmallPrimes(n int) []int64 {
	var ps []int64
	for c := int64(2); len(ps) < n; c++ {
		prime := true
		for _, p := range ps {
			if p*p > c {
				break
			}
			if c%p == 0 {
				prime = false
				break
			}
		}
		if prime {
			ps = append(ps, c)
		}
	}
	return ps
}

// atkROCAPrimes is the number of small primes whose product M structures
// the primes of 2048-bit ROCA keys (Nemec et al., CCS 2017, Table 1: 126
// primes for key sizes 1984 to 3936 bits).
const atkROCAPrimes = 126

// atkROCAKey builds an RSA-2048 key with the structure of CVE-2017-15361
// (Infineon RSALib, "ROCA"): each prime is p = k·M + (65537^a mod M), with M
// the product of the first 126 primes. Wycheproof's jws_rsa_roca_key has no
// private half; building the key here lets the test sign with it too.
func atkROCAKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	m := big.NewInt(1)
	for _, p := range atkSmallPrimes(atkROCAPrimes) {
		m.Mul(m, big.NewInt(p))
	}
	g, e := big.NewInt(65537), big.NewInt(65537)
	// k ranges so that p has exactly 1024 bits with the top two set, which
	// makes n = p·q exactly 2048 bits.
	lo := new(big.Int).Div(new(big.Int).Lsh(big.NewInt(3), 1022), m)
	lo.Add(lo, big.NewInt(1))
	hi := new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), 1024), m)
	hi.Sub(hi, big.NewInt(1))
	span := new(big.Int).Sub(hi, lo)
	if span.Sign() <= 0 {
		tb.Fatalf("ROCA: M has %d bits, no room for k", m.BitLen())
	}
	one := big.NewInt(1)
	prime := func() *big.Int {
		for range 100000 {
			a, err := rand.Int(rand.Reader, new(big.Int).Lsh(one, 256))
			if err != nil {
				tb.Fatal(err)
			}
			k, err := rand.Int(rand.Reader, span)
			if err != nil {
				tb.Fatal(err)
			}
			k.Add(k, lo)
			p := new(big.Int).Mul(k, m)
			p.Add(p, new(big.Int).Exp(g, a, m))
			if p.BitLen() != 1024 || p.Bit(1022) == 0 || !p.ProbablyPrime(20) {
				continue
			}
			if new(big.Int).GCD(nil, nil, e, new(big.Int).Sub(p, one)).Cmp(one) != 0 {
				continue
			}
			return p
		}
		tb.Fatalf("ROCA: no prime found")
		return nil
	}
	p, q := prime(), prime()
	n := new(big.Int).Mul(p, q)
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	d := new(big.Int).ModInverse(e, phi)
	if d == nil || n.BitLen() != 2048 {
		tb.Fatalf("ROCA: bad key (n of %d bits)", n.BitLen())
	}
	k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 65537}, D: d, Primes: []*big.Int{p, q}}
	k.Precompute()
	if err := k.Validate(); err != nil {
		tb.Fatalf("ROCA: %v", err)
	}
	return k
}

// atkROCAFingerprint reports whether n mod r lies in the subgroup that
// 65537 generates modulo r, for each of the first 126 primes r: the ROCA
// fingerprint of the published detector. A random modulus fails it with
// overwhelming probability.
func atkROCAFingerprint(n *big.Int) bool {
	for _, r := range atkSmallPrimes(atkROCAPrimes) {
		res := new(big.Int).Mod(n, big.NewInt(r)).Int64()
		found := false
		for g, i := 65537%r, int64(1); i < r; i++ {
			if g == res {
				found = true
				break
			}
			g = g * (65537 % r) % r
			if g == 65537%r {
				break // the cycle closed
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// atkA13Case is one key of A13: a JWK to load as configuration (ParseJWK,
// ParseJWKS) and to publish beside K_es at a JWKS URL.
type atkA13Case struct {
	name string
	// build returns the JWK text, with kid atkKidBad, and a token whose
	// header names atkKidBad, signed so that it would verify if the key
	// were trusted, where that is possible.
	build func(t *testing.T) (jwk, token string)
	// parseFails: jwx cannot parse the document at all, so ParseJWKS
	// cannot be reached and the RemoteKeySet refuses the whole set.
	parseFails bool
	// private: a private JWK; configuration reduces it to its public half
	// (documented), a RemoteKeySet drops it.
	private bool
}

// TestAttackA13 covers A13: weak or malformed public keys in the
// configuration or a JWKS are refused at load with jwtx.ErrKey, and a
// RemoteKeySet drops them (or refuses the whole set when it does not
// parse), so tokens naming them are refused.
func TestAttackA13(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsN, aqab := atkB64Int(f.rs.N), atkB64Int(big.NewInt(int64(f.rs.E)))
	hdr := func(alg string) string { return `{"alg":"` + alg + `","typ":"at+jwt","kid":"` + atkKidBad + `"}` }
	claims := vtClaimsJSON(vtNow(), "sub", `"admin"`)
	// signed returns a build function for a fixed JWK and a token signed
	// under alg with key.
	signed := func(jwk func(*testing.T) string, alg string, key any) func(*testing.T) (string, string) {
		return func(t *testing.T) (string, string) { return jwk(t), jws(t, alg, hdr(alg), claims, key) }
	}
	fixed := func(jwk string) func(*testing.T) string { return func(*testing.T) string { return jwk } }
	okp := func(x []byte) string {
		return `{"kty":"OKP","kid":"` + atkKidBad + `","use":"sig","alg":"EdDSA","crv":"Ed25519","x":"` + b64u(string(x)) + `"}`
	}
	edPub := f.ed.Public().(ed25519.PublicKey)

	for _, tc := range []atkA13Case{
		{name: "A13/RSA-1024", build: signed(fixed(atkRSAJWK(atkKidBad, "RS256", atkB64Int(weak.N), aqab)), "RS256", weak)},
		{
			// With e=1, s = m verifies under raw RSA: the "signature" is the
			// PKCS#1 v1.5 block itself, no private key needed.
			name: "A13/RSA-e=1",
			build: func(*testing.T) (string, string) {
				in := si(hdr("RS256"), claims)
				em := atkPKCS1Block(f.rs.Size(), atkCat(atkSHA256DigestInfo(), vtDigest(crypto.SHA256, in)))
				return atkRSAJWK(atkKidBad, "RS256", rsN, "AQ"), vtWithSig(in, em)
			},
		},
		{name: "A13/RSA-e=2", build: signed(fixed(atkRSAJWK(atkKidBad, "RS256", rsN, "Ag")), "RS256", f.rs)},
		{name: "A13/RSA-e-empty", build: signed(fixed(atkRSAJWK(atkKidBad, "RS256", rsN, "")), "RS256", f.rs)},
		{
			// RFC 7518 §6.3.1.1: n MUST be the minimal encoding. The
			// modulus is K_rs's, so a token signed by K_rs verifies if the
			// non-minimal encoding is let through.
			name:  "A13/RSA-n-leading-zero",
			build: signed(fixed(atkRSAJWK(atkKidBad, "RS256", b64u("\x00"+string(f.rs.N.Bytes())), aqab)), "RS256", f.rs),
		},
		{
			name: "A13/RSA-ROCA",
			build: func(t *testing.T) (string, string) {
				k := atkROCAKey(t)
				if !atkROCAFingerprint(k.N) {
					t.Fatalf("the test's ROCA modulus does not show the ROCA fingerprint")
				}
				if atkROCAFingerprint(f.rs.N) {
					t.Fatalf("K_rs shows the ROCA fingerprint: the detector is broken")
				}
				return atkRSAJWK(atkKidBad, "RS256", atkB64Int(k.N), aqab), jws(t, "RS256", hdr("RS256"), claims, k)
			},
		},
		{
			name: "A13/EC-y-off-curve",
			build: signed(func(t *testing.T) string {
				x, y := atkECPoint(t)
				y = append([]byte(nil), y...)
				y[len(y)-1] ^= 0x01
				return atkECJWK(atkKidBad, "ES256", "P-256", x, y)
			}, "ES256", f.es),
		},
		{
			name: "A13/EC-P-256-point-labelled-P-384",
			build: signed(func(t *testing.T) string {
				x, y := atkECPoint(t)
				return atkECJWK(atkKidBad, "ES384", "P-384", x, y)
			}, "ES384", f.es),
		},
		{
			name: "A13/kty-RSA-with-EC-members",
			build: signed(func(t *testing.T) string {
				x, y := atkECPoint(t)
				return `{"kty":"RSA","kid":"` + atkKidBad + `","use":"sig","alg":"RS256","crv":"P-256","x":"` +
					b64u(string(x)) + `","y":"` + b64u(string(y)) + `"}`
			}, "RS256", f.rs),
			parseFails: true,
		},
		{name: "A13/OKP-x-31-bytes", build: signed(fixed(okp(edPub[:31])), "EdDSA", f.ed)},
		{name: "A13/OKP-x-33-bytes", build: signed(fixed(okp(append(append([]byte(nil), edPub...), 0))), "EdDSA", f.ed)},
		{
			name: "A13/private-JWK-in-public-JWKS",
			build: signed(fixed(`{"kty":"RSA","kid":"`+atkKidBad+`","use":"sig","alg":"RS256","n":"`+rsN+`","e":"`+aqab+
				`","d":"`+atkB64Int(f.rs.D)+`","p":"`+atkB64Int(f.rs.Primes[0])+`","q":"`+atkB64Int(f.rs.Primes[1])+
				`","dp":"`+atkB64Int(f.rs.Precomputed.Dp)+`","dq":"`+atkB64Int(f.rs.Precomputed.Dq)+
				`","qi":"`+atkB64Int(f.rs.Precomputed.Qinv)+`"}`), "RS256", f.rs),
			private: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			key, tok := tc.build(t)
			doc := atkJWKS(atkGoodJWK(t), key)

			t.Run("ParseJWK", func(t *testing.T) {
				t.Parallel()
				if tc.private {
					t.Skip("a single private JWK is a signing key in configuration; the JWKS paths below cover A13")
				}
				k, err := jwtx.ParseJWK([]byte(key), "")
				if !errors.Is(err, jwtx.ErrKey) || k != nil {
					t.Errorf("ParseJWK() = %v, %v; want nil, an error wrapping %v", k, err, jwtx.ErrKey)
				}
			})
			t.Run("ParseJWKS", func(t *testing.T) {
				t.Parallel()
				s, err := jwtx.ParseJWKS([]byte(doc), "")
				if tc.private {
					// ParseJWKS documents that private keys are
					// reduced to their public halves: the set can verify
					// but never sign, and holds no private material.
					atkCheckPublicOnly(t, s, err)
					return
				}
				if !errors.Is(err, jwtx.ErrKey) || s != nil {
					t.Errorf("ParseJWKS() = %v, %v; want nil, an error wrapping %v", s, err, jwtx.ErrKey)
				}
			})
			t.Run("RemoteKeySet", func(t *testing.T) {
				t.Parallel()
				atkCheckRemoteDrops(t, doc, tok, tc.parseFails)
			})
		})
	}
}

// atkCheckPublicOnly checks a KeySet loaded from a JWKS with a private JWK:
// it loads both keys and republishes no private member. (A KeySet is not
// a SigningKey, so it cannot sign either way.)
func atkCheckPublicOnly(t *testing.T, s *jwtx.KeySet, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("loading the set = %v, want the documented reduction to public keys", err)
	}
	if got := s.Len(); got != 2 {
		t.Errorf("Len() = %d, want 2", got)
	}
	doc, err := s.PublicJWKS()
	if err != nil {
		t.Fatalf("PublicJWKS() = %v", err)
	}
	for _, m := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`} {
		if strings.Contains(string(doc), m+":") {
			t.Errorf("the set republishes the private member %s: %s", m, doc)
		}
	}
}

// atkCheckRemoteDrops publishes doc (K_es plus the key under test) and
// checks that a RemoteKeySet never trusts the key under test: either the
// whole set is refused (refusedWhole) or the key is dropped and reported,
// so that tok, which names it, is refused with jwtx.ErrKeyNotFound while a
// K_es token still verifies.
func atkCheckRemoteDrops(t *testing.T, doc, tok string, refusedWhole bool) {
	t.Helper()
	srv := atkServeJWKS(t, doc)
	var reports atkReports
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	rks, err := jwtx.NewRemoteKeySet(ctx, srv.URL+"/jwks.json", jwtx.WithJWKSAllowHTTP(true), jwtx.WithJWKSErrorHandler(reports.add))
	if refusedWhole {
		if !errors.Is(err, jwtx.ErrJWKS) || rks != nil {
			t.Errorf("NewRemoteKeySet() = %v, %v; want nil, an error wrapping %v", rks, err, jwtx.ErrJWKS)
		}
		return
	}
	if err != nil {
		t.Fatalf("NewRemoteKeySet() = %v", err)
	}
	if got := rks.Keys().Len(); got != 1 {
		t.Errorf("Keys().Len() = %d, want 1 (the key under test dropped)", got)
	}
	reported := false
	for _, e := range reports.all() {
		reported = reported || errors.Is(e, jwtx.ErrJWKS)
	}
	if !reported {
		t.Errorf("the dropped key was not reported to the error handler: %v", reports.all())
	}
	v, err := jwtx.NewClaimsVerifier[vtClaims](rks, vtPolicyV(vtNow())...)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := v.Verify(context.Background(), tok)
	if diff := cmp.Diff(jwtx.ErrKeyNotFound, err, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Verify(token naming the dropped key) error mismatch (-want +got):\n%s", diff)
	}
	if err != nil {
		vtCheckRejected(t, tok, got, err)
	}
	good := jws(t, "ES256", vtHES, vtClaimsJSON(vtNow()), fixture(t).es)
	if _, _, err := v.Verify(context.Background(), good); err != nil {
		t.Errorf("Verify(K_es token) = %v, want nil", err)
	}
}

// TestAttackA16 covers A16: RS256 signatures over PKCS#1 v1.5 blocks that
// a lenient parser would accept (BER lengths, wrong or incomplete
// AlgorithmIdentifier, trailing garbage, bad padding) are computed with
// the test-owned K_rs as s' = m'^d mod n, and refused with
// jwtx.ErrSignature: the whole block must equal the expected encoding. The
// set is hand-made after Wycheproof's rs256 ModifiedPadding group.
func TestAttackA16(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	k := f.rs.Size()
	in := si(vtH0, vtClaimsJSON(vtNow()))
	h := vtDigest(crypto.SHA256, in)
	oid := []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01} // id-sha256
	null := []byte{0x05, 0x00}
	octets := atkCat([]byte{0x04, 0x20}, h)
	di := atkCat(atkSHA256DigestInfo(), h) // the canonical DigestInfo
	// block is the standard framing of t; raw places bytes as given.
	block := func(t []byte) []byte { return atkPKCS1Block(k, t) }
	raw := func(prefix []byte, t []byte) []byte {
		em := make([]byte, k)
		copy(em, prefix)
		for i := len(prefix); i < k-len(t); i++ {
			em[i] = 0xff
		}
		copy(em[k-len(t):], t)
		return em
	}

	cases := []struct {
		name    string
		em      []byte
		wantErr error
	}{
		{name: "A16/control-canonical-DER", em: block(di)},
		{name: "A16/outer-SEQUENCE-long-form-length", em: block(atkCat([]byte{0x30, 0x81, 0x31, 0x30, 0x0d}, oid, null, octets))},
		{name: "A16/AlgorithmIdentifier-long-form-length", em: block(atkCat([]byte{0x30, 0x32, 0x30, 0x81, 0x0d}, oid, null, octets))},
		{name: "A16/OID-long-form-length", em: block(atkCat([]byte{0x30, 0x32, 0x30, 0x0e, 0x06, 0x81, 0x09}, oid[2:], null, octets))},
		{name: "A16/NULL-long-form-length", em: block(atkCat([]byte{0x30, 0x32, 0x30, 0x0e}, oid, []byte{0x05, 0x81, 0x00}, octets))},
		{name: "A16/OCTET-STRING-long-form-length", em: block(atkCat([]byte{0x30, 0x32, 0x30, 0x0d}, oid, null, []byte{0x04, 0x81, 0x20}, h))},
		{name: "A16/outer-length-overflow", em: block(atkCat([]byte{0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x31, 0x30, 0x0d}, oid, null, octets))},
		{name: "A16/indefinite-length", em: block(atkCat([]byte{0x30, 0x80, 0x30, 0x0d}, oid, null, octets, []byte{0x00, 0x00}))},
		{name: "A16/wrong-OID-SHA-1", em: block(atkCat([]byte{0x30, 0x2d, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a}, null, octets))},
		{name: "A16/wrong-OID-SHA-384", em: block(atkCat([]byte{0x30, 0x31, 0x30, 0x0d}, oid[:len(oid)-1], []byte{0x02}, null, octets))},
		{name: "A16/OID-without-NULL-parameters", em: block(atkCat([]byte{0x30, 0x2f, 0x30, 0x0b}, oid, octets))},
		{name: "A16/trailing-garbage-after-DigestInfo", em: block(atkCat(di, []byte("garbage")))},
		{name: "A16/garbage-inside-DigestInfo-length", em: block(atkCat([]byte{0x30, 0x38, 0x30, 0x0d}, oid, null, octets, []byte("garbage")))},
		{
			// Bleichenbacher 2006: minimal padding, the DigestInfo, then
			// attacker-chosen bytes that make a cube root exist for e=3.
			name: "A16/short-padding-then-garbage",
			em:   raw(atkCat([]byte{0x00, 0x01}, []byte(strings.Repeat("\xff", 8)), []byte{0x00}, di), []byte("garbage")),
		},
		{name: "A16/padding-byte-not-FF", em: func() []byte { em := block(di); em[10] = 0xfe; return em }()},
		{name: "A16/block-type-02", em: func() []byte {
			em := block(di)
			em[1] = 0x02
			return em
		}()},
		{name: "A16/no-zero-separator", em: raw([]byte{0x00, 0x01}, di)},
		{name: "A16/leading-byte-not-zero", em: func() []byte { em := block(di); em[0] = 0x01; return em }()},
	}
	var vt []vtCase
	for _, tc := range cases {
		want := error(jwtx.ErrSignature)
		if strings.HasPrefix(tc.name, "A16/control") {
			want = nil
		}
		vt = append(vt, vtCase{name: tc.name, token: vtWithSig(in, atkRawRSA(f.rs, tc.em)), wantErr: want})
	}
	for _, tc := range vt {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// atkJWE builds a compact JWE (RFC 7516 §7.1) from a protected header
// written out byte for byte and random other segments: five segments,
// never decrypted.
func atkJWE(tb testing.TB, header string, encryptedKeyLen int) string {
	tb.Helper()
	seg := func(n int) string {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			tb.Fatal(err)
		}
		return b64u(string(b))
	}
	return b64u(header) + "." + seg(encryptedKeyLen) + "." + seg(12) + "." + seg(len(vtClaimsJSON(vtNow()))) + "." + seg(16)
}

// TestAttackB15 covers B15: JWE key-management headers (PBES2 with a huge
// p2c, ECDH-ES with a small-order or off-curve epk, RSA1_5) are refused
// with jwtx.ErrUnsupported when the token has five segments, before the
// header is even decoded, so no key is derived, unwrapped or decrypted:
// the cost is one scan of the token's characters. The test asserts this
// structurally (the error is not a *jwtx.HeaderError, and a five-segment
// token whose header is not even base64url gets the same answer), not by
// timing; a verifier that ran PBKDF2 with p2c 2000000000 would take
// minutes. Three-segment tokens with the same headers are refused, before
// the signature, by the checks that select the key: the algorithms are not
// signature algorithms, or the kid names no key of the verifier (enc, a JWE
// parameter, would be refused once a signature verified).
func TestAttackB15(t *testing.T) {
	t.Parallel()
	p2s := b64u("0123456789abcdef")
	pbes2 := `{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":2000000000,"p2s":"` + p2s + `","kid":"hs-1"}`
	zero32 := b64u(strings.Repeat("\x00", 32))
	ecdhTwist := `{"alg":"ECDH-ES","enc":"A128GCM","kid":"es-1","epk":{"kty":"OKP","crv":"X25519","x":"` + zero32 + `"}}`
	ecdhOffCurve := `{"alg":"ECDH-ES+A128KW","enc":"A128GCM","kid":"es-1","epk":{"kty":"EC","crv":"P-256","x":"` +
		b64u(strings.Repeat("\x00", 31)+"\x01") + `","y":"` + b64u(strings.Repeat("\x00", 31)+"\x01") + `"}}`
	rsa15 := `{"alg":"RSA1_5","enc":"A128CBC-HS256","kid":"rs-1"}`
	var cases []vtCase
	for _, tc := range []struct {
		name   string
		header string
		ekLen  int
		keys   func(testing.TB) *jwtx.Key
		// the refusal of the three-segment token, and its header parameter
		threeErr   error
		threeParam string
	}{
		{name: "PBES2-p2c-2000000000", header: pbes2, ekLen: 24, keys: vtHSKey, threeErr: jwtx.ErrAlgorithm, threeParam: "alg"},
		{name: "PBES2-p2c-2000000000-RS256-verifier", header: pbes2, ekLen: 24, keys: vtRSKey, threeErr: jwtx.ErrKeyNotFound, threeParam: "kid"},
		{name: "ECDH-ES-small-order-X25519-epk", header: ecdhTwist, ekLen: 0, keys: vtESKey, threeErr: jwtx.ErrAlgorithm, threeParam: "alg"},
		{name: "ECDH-ES-off-curve-P-256-epk", header: ecdhOffCurve, ekLen: 24, keys: vtESKey, threeErr: jwtx.ErrAlgorithm, threeParam: "alg"},
		{name: "RSA1_5-malformed-padding", header: rsa15, ekLen: 256, keys: vtRSKey, threeErr: jwtx.ErrAlgorithm, threeParam: "alg"},
	} {
		cases = append(cases,
			vtCase{name: "B15/five-segments/" + tc.name, token: atkJWE(t, tc.header, tc.ekLen), keys: tc.keys(t), wantErr: jwtx.ErrUnsupported},
			vtCase{name: "B15/three-segments/" + tc.name, token: si(tc.header, vtClaimsJSON(vtNow())) + "." + b64u(strings.Repeat("\x00", 32)),
				keys: tc.keys(t), wantErr: tc.threeErr, wantParam: tc.threeParam},
		)
	}
	cases = append(cases,
		// The header is not decoded: not base64url JSON at all, same answer.
		vtCase{name: "B15/five-segments/header-not-decoded", token: "AAAA.AAAA.AAAA.AAAA.AAAA", keys: vtHSKey(t), wantErr: jwtx.ErrUnsupported},
		// PBES2 header without enc in a JWS: not a signature algorithm.
		vtCase{name: "B15/three-segments/PBES2-alg-without-enc",
			token: si(`{"alg":"PBES2-HS256+A128KW","p2c":2000000000,"p2s":"`+p2s+`","typ":"at+jwt","kid":"hs-1"}`, vtClaimsJSON(vtNow())) + "." + b64u(strings.Repeat("\x00", 32)),
			keys:  vtHSKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
			if strings.Count(tc.token, ".") == 4 {
				v, err := jwtx.NewClaimsVerifier[vtClaims](tc.keys, vtPolicyV(vtNow())...)
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = v.Verify(context.Background(), tc.token)
				var he *jwtx.HeaderError
				if errors.As(err, &he) {
					t.Errorf("Verify(JWE) = %v: the header was decoded (param %q); a JWE must be refused before", err, he.Param)
				}
			}
		})
	}
}
