package jwtx_test

// Catalogue entry A13 (see SECURITY.md): weak or malformed public keys, in
// the configuration or a JWKS, are refused at load. Helpers of the attack
// files start with atk.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
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
	"github.com/typedjwt/typedjwt/jwtx/testutil"
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
	pub, err := fixture(tb).es.ECDSA().PublicKey.ECDH()
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

// atkHeader is the header of a token that names the key under test.
func atkHeader(alg string) string {
	return `{"alg":"` + alg + `","typ":"at+jwt","kid":"` + atkKidBad + `"}`
}

// atkClaims are the claims of the A13 tokens: C0 with sub "admin".
func atkClaims(tb testing.TB) string { return vtClaimsJSON(tb, vtNow(), "sub", `"admin"`) }

// atkSigned returns a build function for the JWK that jwk makes and a
// token signed with key under alg.
func atkSigned(jwk func(*testing.T) string, alg jwtx.Algorithm, key *testutil.Key) func(*testing.T) (string, string) {
	return func(t *testing.T) (string, string) {
		return jwk(t), testutil.SignAs(t, key, alg, atkHeader(string(alg)), atkClaims(t))
	}
}

// atkFixed returns a JWK function for a fixed JWK text.
func atkFixed(jwk string) func(*testing.T) string { return func(*testing.T) string { return jwk } }

// atkRunA13 loads the key of each case through ParseJWK, ParseJWKS and a
// RemoteKeySet, each in a parallel subtest.
func atkRunA13(t *testing.T, cases []atkA13Case) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			key, tok := tc.build(t)
			doc := atkJWKS(atkGoodJWK(t), key)

			t.Run("ParseJWK", func(t *testing.T) {
				t.Parallel()
				k, err := jwtx.ParseJWK([]byte(key), "")
				if tc.private {
					// A single private JWK is a signing key in
					// configuration; the JWKS paths below cover A13.
					if err != nil || k == nil {
						t.Errorf("ParseJWK() = %v, %v; want the signing key", k, err)
					}
					return
				}
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

// TestLoadRefusesWeakRSAKeys covers A13 for RSA: a modulus too short,
// exponents 1, 2 and none, a non-minimal modulus and a ROCA modulus are
// refused at load with jwtx.ErrKey, and a RemoteKeySet drops them, so
// tokens naming them are refused.
func TestLoadRefusesWeakRSAKeys(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsN, aqab := atkB64Int(f.rs.RSA().N), atkB64Int(big.NewInt(int64(f.rs.RSA().E)))
	atkRunA13(t, []atkA13Case{
		{
			name: "A13/RSA-1024",
			build: func(t *testing.T) (string, string) {
				return atkRSAJWK(atkKidBad, "RS256", atkB64Int(weak.N), aqab), vtSignRS256Raw(t, weak, atkHeader("RS256"), atkClaims(t))
			},
		},
		{
			// With e=1, s = m verifies under raw RSA: the "signature" is the
			// PKCS#1 v1.5 block itself, no private key needed.
			name: "A13/RSA-e=1",
			build: func(t *testing.T) (string, string) {
				h, c := atkHeader("RS256"), atkClaims(t)
				digest := sha256.Sum256([]byte(testutil.SigningInput(h, c)))
				em := atkPKCS1Block(f.rs.RSA().Size(), atkCat(atkSHA256DigestInfo(), digest[:]))
				return atkRSAJWK(atkKidBad, "RS256", rsN, "AQ"), testutil.Compact(h, c, em)
			},
		},
		{name: "A13/RSA-e=2", build: atkSigned(atkFixed(atkRSAJWK(atkKidBad, "RS256", rsN, "Ag")), jwtx.RS256, f.rs)},
		{name: "A13/RSA-e-empty", build: atkSigned(atkFixed(atkRSAJWK(atkKidBad, "RS256", rsN, "")), jwtx.RS256, f.rs)},
		{
			// RFC 7518 §6.3.1.1: n MUST be the minimal encoding. The
			// modulus is K_rs's, so a token signed by K_rs verifies if the
			// non-minimal encoding is let through.
			name:  "A13/RSA-n-leading-zero",
			build: atkSigned(atkFixed(atkRSAJWK(atkKidBad, "RS256", b64u("\x00"+string(f.rs.RSA().N.Bytes())), aqab)), jwtx.RS256, f.rs),
		},
		{
			name: "A13/RSA-ROCA",
			build: func(t *testing.T) (string, string) {
				k := atkROCAKey(t)
				if !atkROCAFingerprint(k.N) {
					t.Fatalf("the test's ROCA modulus does not show the ROCA fingerprint")
				}
				if atkROCAFingerprint(f.rs.RSA().N) {
					t.Fatalf("K_rs shows the ROCA fingerprint: the detector is broken")
				}
				return atkRSAJWK(atkKidBad, "RS256", atkB64Int(k.N), aqab), vtSignRS256Raw(t, k, atkHeader("RS256"), atkClaims(t))
			},
		},
	})
}

// TestLoadRefusesMalformedECAndOKPKeys covers A13 for EC and OKP keys: a
// point off its curve or on another curve than its label, a key type
// that does not match its members, and Ed25519 keys of the wrong length
// are refused at load, and a RemoteKeySet drops them (or refuses the whole
// set when it does not parse).
func TestLoadRefusesMalformedECAndOKPKeys(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	okp := func(x []byte) string {
		return `{"kty":"OKP","kid":"` + atkKidBad + `","use":"sig","alg":"EdDSA","crv":"Ed25519","x":"` + b64u(string(x)) + `"}`
	}
	edPub := f.ed.Ed25519().Public().(ed25519.PublicKey)
	atkRunA13(t, []atkA13Case{
		{
			name: "A13/EC-y-off-curve",
			build: atkSigned(func(t *testing.T) string {
				x, y := atkECPoint(t)
				y = append([]byte(nil), y...)
				y[len(y)-1] ^= 0x01
				return atkECJWK(atkKidBad, "ES256", "P-256", x, y)
			}, jwtx.ES256, f.es),
		},
		{
			name: "A13/EC-P-256-point-labelled-P-384",
			build: atkSigned(func(t *testing.T) string {
				x, y := atkECPoint(t)
				return atkECJWK(atkKidBad, "ES384", "P-384", x, y)
			}, jwtx.ES384, f.es),
		},
		{
			name: "A13/kty-RSA-with-EC-members",
			build: atkSigned(func(t *testing.T) string {
				x, y := atkECPoint(t)
				return `{"kty":"RSA","kid":"` + atkKidBad + `","use":"sig","alg":"RS256","crv":"P-256","x":"` +
					b64u(string(x)) + `","y":"` + b64u(string(y)) + `"}`
			}, jwtx.RS256, f.rs),
			parseFails: true,
		},
		{name: "A13/OKP-x-31-bytes", build: atkSigned(atkFixed(okp(edPub[:31])), jwtx.EdDSA, f.ed)},
		{name: "A13/OKP-x-33-bytes", build: atkSigned(atkFixed(okp(append(append([]byte(nil), edPub...), 0))), jwtx.EdDSA, f.ed)},
	})
}

// TestLoadReducesPrivateJWKs covers A13 for a private JWK in a public JWKS:
// configuration reduces it to its public half, as documented, and a
// RemoteKeySet drops it.
func TestLoadReducesPrivateJWKs(t *testing.T) {
	t.Parallel()
	rs := fixture(t).rs.RSA()
	rsN, aqab := atkB64Int(rs.N), atkB64Int(big.NewInt(int64(rs.E)))
	atkRunA13(t, []atkA13Case{
		{
			name: "A13/private-JWK-in-public-JWKS",
			build: atkSigned(atkFixed(`{"kty":"RSA","kid":"`+atkKidBad+`","use":"sig","alg":"RS256","n":"`+rsN+`","e":"`+aqab+
				`","d":"`+atkB64Int(rs.D)+`","p":"`+atkB64Int(rs.Primes[0])+`","q":"`+atkB64Int(rs.Primes[1])+
				`","dp":"`+atkB64Int(rs.Precomputed.Dp)+`","dq":"`+atkB64Int(rs.Precomputed.Dq)+
				`","qi":"`+atkB64Int(rs.Precomputed.Qinv)+`"}`), jwtx.RS256, fixture(t).rs),
			private: true,
		},
	})
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
	good := testutil.Sign(t, fixture(t).es, vtHES, vtClaimsJSON(t, vtNow()))
	if _, _, err := v.Verify(context.Background(), good); err != nil {
		t.Errorf("Verify(K_es token) = %v, want nil", err)
	}
}
