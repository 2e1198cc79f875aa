package testutil_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// digest returns the hash of input.
func digest(h crypto.Hash, input []byte) []byte {
	d := h.New()
	d.Write(input)
	return d.Sum(nil)
}

// mac returns the HMAC of input under secret.
func mac(h crypto.Hash, secret, input []byte) []byte {
	m := hmac.New(h.New, secret)
	m.Write(input)
	return m.Sum(nil)
}

// pkix returns the public key of k in PKIX DER form.
func pkix(t *testing.T, k *testutil.Key) []byte {
	t.Helper()
	var pub crypto.PublicKey
	switch {
	case k.RSA() != nil:
		pub = &k.RSA().PublicKey
	case k.ECDSA() != nil:
		pub = &k.ECDSA().PublicKey
	default:
		pub = k.Ed25519().Public()
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestKeySignAs checks each signature of Key.SignAs with the standard
// library, not with jwtx.
func TestKeySignAs(t *testing.T) {
	t.Parallel()
	input := []byte("header.claims")
	for _, tc := range []struct {
		name   string
		key    jwtx.Algorithm
		as     jwtx.Algorithm
		verify func(t *testing.T, k *testutil.Key, sig []byte) bool
	}{
		{name: "RS256 as PS256", key: jwtx.RS256, as: jwtx.PS256, verify: func(_ *testing.T, k *testutil.Key, sig []byte) bool {
			opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
			return rsa.VerifyPSS(&k.RSA().PublicKey, crypto.SHA256, digest(crypto.SHA256, input), sig, opts) == nil
		}},
		{name: "RS256 as RS512", key: jwtx.RS256, as: jwtx.RS512, verify: func(_ *testing.T, k *testutil.Key, sig []byte) bool {
			return rsa.VerifyPKCS1v15(&k.RSA().PublicKey, crypto.SHA512, digest(crypto.SHA512, input), sig) == nil
		}},
		{name: "PS384 as RS256", key: jwtx.PS384, as: jwtx.RS256, verify: func(_ *testing.T, k *testutil.Key, sig []byte) bool {
			return rsa.VerifyPKCS1v15(&k.RSA().PublicKey, crypto.SHA256, digest(crypto.SHA256, input), sig) == nil
		}},
		{name: "ES256 as ES384", key: jwtx.ES256, as: jwtx.ES384, verify: func(_ *testing.T, k *testutil.Key, sig []byte) bool {
			r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			return len(sig) == 64 && ecdsa.Verify(&k.ECDSA().PublicKey, digest(crypto.SHA384, input), r, s)
		}},
		{name: "ES256 as ES512", key: jwtx.ES256, as: jwtx.ES512, verify: func(_ *testing.T, k *testutil.Key, sig []byte) bool {
			r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			return len(sig) == 64 && ecdsa.Verify(&k.ECDSA().PublicKey, digest(crypto.SHA512, input), r, s)
		}},
		{name: "EdDSA as Ed25519", key: jwtx.EdDSA, as: jwtx.Ed25519, verify: func(_ *testing.T, k *testutil.Key, sig []byte) bool {
			return ed25519.Verify(k.Ed25519().Public().(ed25519.PublicKey), input, sig)
		}},
		{name: "HS256 as HS512", key: jwtx.HS256, as: jwtx.HS512, verify: func(_ *testing.T, k *testutil.Key, sig []byte) bool {
			return hmac.Equal(sig, mac(crypto.SHA512, k.Secret(), input))
		}},
		{name: "RS256 as HS256", key: jwtx.RS256, as: jwtx.HS256, verify: func(t *testing.T, k *testutil.Key, sig []byte) bool {
			return hmac.Equal(sig, mac(crypto.SHA256, pkix(t, k), input))
		}},
		{name: "ES256 as HS384", key: jwtx.ES256, as: jwtx.HS384, verify: func(t *testing.T, k *testutil.Key, sig []byte) bool {
			return hmac.Equal(sig, mac(crypto.SHA384, pkix(t, k), input))
		}},
		{name: "EdDSA as HS512", key: jwtx.EdDSA, as: jwtx.HS512, verify: func(t *testing.T, k *testutil.Key, sig []byte) bool {
			return hmac.Equal(sig, mac(crypto.SHA512, pkix(t, k), input))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := testutil.NewKey(t, tc.key)
			if !tc.verify(t, k, k.SignAs(t, tc.as, input)) {
				t.Errorf("%v: SignAs(%s) does not verify", k, tc.as)
			}
		})
	}
}

func TestKeySignAsRefusesOtherFamilies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ key, as jwtx.Algorithm }{
		{jwtx.RS256, jwtx.ES256},
		{jwtx.ES256, jwtx.RS256},
		{jwtx.EdDSA, jwtx.PS256},
		{jwtx.HS256, jwtx.EdDSA},
		{jwtx.RS256, "none"},
		{jwtx.ES256, "ES256K"},
	} {
		t.Run(string(tc.key)+" as "+string(tc.as), func(t *testing.T) {
			t.Parallel()
			k := testutil.NewKey(t, tc.key)
			if msg := mustFail(t, func(tb testing.TB) { k.SignAs(tb, tc.as, []byte("x")) }); !strings.Contains(msg, string(tc.as)) {
				t.Errorf("SignAs(%s) failed with %q, want the algorithm named", tc.as, msg)
			}
		})
	}
}

// TestSignAsToken checks the token form of Key.SignAs: a PS256 signature
// by an RS256 key verifies under a PS256 key of the same material.
func TestSignAsToken(t *testing.T) {
	t.Parallel()
	rs := testutil.NewKey(t, jwtx.RS256, testutil.WithKeyID("k"))
	ps := testutil.NewKey(t, jwtx.PS256, testutil.WithKeyID("k"))
	f := testutil.NewForger(t, ps, testutil.NewClock(testNow()))
	tok := testutil.SignAs(t, rs, jwtx.PS256, `{"alg":"PS256","kid":"k","typ":"at+jwt"}`, f.Claims())
	env := testutil.NewEnv[string, Claims](t, testutil.WithKey(ps), testutil.WithTime(testNow()))
	if _, _, err := env.Verifier.Verify(t.Context(), tok); err != nil {
		t.Errorf("Verify(SignAs(RS256 key, PS256)) with the PS256 key: %v", err)
	}
}

func TestSignHMAC(t *testing.T) {
	t.Parallel()
	const header, claims = `{"alg":"HS256"}`, `{"sub":"x"}`
	input := []byte(testutil.SigningInput(header, claims))
	for _, tc := range []struct {
		name   string
		alg    jwtx.Algorithm
		hash   crypto.Hash
		secret []byte
	}{
		{name: "empty secret", alg: jwtx.HS256, hash: crypto.SHA256, secret: []byte{}},
		{name: "nil secret", alg: jwtx.HS256, hash: crypto.SHA256},
		{name: "NUL", alg: jwtx.HS256, hash: crypto.SHA256, secret: []byte{0}},
		{name: "guessable", alg: jwtx.HS384, hash: crypto.SHA384, secret: []byte("secret")},
		{name: "long", alg: jwtx.HS512, hash: crypto.SHA512, secret: []byte(strings.Repeat("k", 200))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := testutil.SignHMAC(t, tc.alg, tc.secret, header, claims)
			want := testutil.Compact(header, claims, mac(tc.hash, tc.secret, input))
			if got != want {
				t.Errorf("SignHMAC(%s) = %s, want %s", tc.alg, got, want)
			}
		})
	}
	t.Run("not HMAC", func(t *testing.T) {
		t.Parallel()
		mustFail(t, func(tb testing.TB) { testutil.SignHMAC(tb, jwtx.RS256, []byte("x"), header, claims) })
	})
}

func TestSignSegments(t *testing.T) {
	t.Parallel()
	k := testutil.NewKey(t, jwtx.HS256)
	for _, tc := range []struct{ name, header, payload string }{
		{name: "padded", header: "eyJhbGciOiJIUzI1NiJ9=", payload: "e30="},
		{name: "unencoded payload", header: "eyJhbGciOiJIUzI1NiJ9", payload: `{"sub":"x"}`},
		{name: "empty payload", header: "eyJhbGciOiJIUzI1NiJ9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			input := tc.header + "." + tc.payload
			want := input + "." + base64.RawURLEncoding.EncodeToString(mac(crypto.SHA256, k.Secret(), []byte(input)))
			if got := testutil.SignSegments(t, k, tc.header, tc.payload); got != want {
				t.Errorf("SignSegments() = %s, want %s", got, want)
			}
		})
	}
}

func TestKeySignPSS(t *testing.T) {
	t.Parallel()
	input := []byte("header.claims")
	for _, tc := range []struct {
		alg     jwtx.Algorithm
		hash    crypto.Hash
		saltLen int
	}{
		{jwtx.PS256, crypto.SHA256, 0},
		{jwtx.PS256, crypto.SHA256, 20},
		{jwtx.PS256, crypto.SHA256, 32},
		{jwtx.PS256, crypto.SHA256, 64},
		{jwtx.PS256, crypto.SHA256, 222}, // the most a 2048-bit modulus holds
		{jwtx.PS512, crypto.SHA512, 64},
		{jwtx.RS384, crypto.SHA384, 48},
	} {
		t.Run(string(tc.alg)+"/salt-"+strconv.Itoa(tc.saltLen), func(t *testing.T) {
			t.Parallel()
			k := testutil.NewKey(t, tc.alg)
			sig := k.SignPSS(t, input, tc.saltLen)
			// A SaltLength of 0 means "detect it", which accepts any.
			opts := &rsa.PSSOptions{SaltLength: tc.saltLen}
			if err := rsa.VerifyPSS(&k.RSA().PublicKey, tc.hash, digest(tc.hash, input), sig, opts); err != nil {
				t.Errorf("SignPSS(salt %d) does not verify: %v", tc.saltLen, err)
			}
			if tc.saltLen > 0 {
				opts.SaltLength = tc.saltLen - 1
				if err := rsa.VerifyPSS(&k.RSA().PublicKey, tc.hash, digest(tc.hash, input), sig, opts); err == nil {
					t.Errorf("SignPSS(salt %d) verifies with salt length %d", tc.saltLen, tc.saltLen-1)
				}
			}
		})
	}
	t.Run("salt too long", func(t *testing.T) {
		t.Parallel()
		k := testutil.NewKey(t, jwtx.PS256)
		mustFail(t, func(tb testing.TB) { k.SignPSS(tb, input, 223) })
	})
	t.Run("not RSA", func(t *testing.T) {
		t.Parallel()
		k := testutil.NewKey(t, jwtx.ES256)
		mustFail(t, func(tb testing.TB) { k.SignPSS(tb, input, 32) })
	})
}

func TestECDSASignature(t *testing.T) {
	t.Parallel()
	n := elliptic.P256().Params().N
	for _, tc := range []struct {
		name    string
		curve   elliptic.Curve
		r, s    *big.Int
		wantLen int
	}{
		{name: "zeros", curve: elliptic.P256(), r: big.NewInt(0), s: big.NewInt(0), wantLen: 64},
		{name: "small values padded", curve: elliptic.P256(), r: big.NewInt(1), s: big.NewInt(2), wantLen: 64},
		{name: "P-521 coordinates of 66 bytes", curve: elliptic.P521(), r: big.NewInt(1), s: big.NewInt(1), wantLen: 132},
		{name: "s wider than the curve kept", curve: elliptic.P256(), r: big.NewInt(1), s: new(big.Int).Add(n, new(big.Int).Lsh(big.NewInt(1), 256)), wantLen: 65},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sig := testutil.ECDSASignature(tc.curve, tc.r, tc.s)
			if len(sig) != tc.wantLen {
				t.Fatalf("len = %d, want %d", len(sig), tc.wantLen)
			}
			size := (tc.curve.Params().BitSize + 7) / 8
			got := []*big.Int{new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])}
			if diff := cmp.Diff([]string{tc.r.String(), tc.s.String()}, []string{got[0].String(), got[1].String()}); diff != "" {
				t.Errorf("r, s mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestForgerClaims checks the claims JSON of a Forger byte for byte.
func TestForgerClaims(t *testing.T) {
	t.Parallel()
	now := testNow()
	unix := now.Unix()
	f := testutil.NewForger(t, testutil.NewKey(t, jwtx.EdDSA), testutil.NewClock(now))
	for _, tc := range []struct {
		name string
		f    *testutil.Forger
		want string
	}{
		{
			name: "default",
			f:    f,
			want: `{"iss":"https://issuer.test","sub":"test-user","aud":"https://api.test","iat":` + itoa(unix) + `,"nbf":` + itoa(unix) +
				`,"exp":` + itoa(unix+int64(jwtx.DefaultAccessTTL/time.Second)) + `,"jti":"forged-valid","type":"access","fresh":false}`,
		},
		{
			name: "lifetime and claims",
			f: f.With(testutil.WithLifetime(5*time.Minute), testutil.WithSubject("u"), testutil.WithAudience("a", "b"),
				testutil.WithClaim("jti", `"j"`), testutil.WithClaim("fresh", ""), testutil.WithClaim("role", `"x"`)),
			want: `{"iss":"https://issuer.test","sub":"u","aud":["a","b"],"iat":` + itoa(unix) + `,"nbf":` + itoa(unix) +
				`,"exp":` + itoa(unix+300) + `,"jti":"j","type":"access","role":"x"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.f.Claims()); diff != "" {
				t.Errorf("Claims() mismatch (-want +got):\n%s", diff)
			}
			payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tc.f.Valid(t), ".")[1])
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(payload)); diff != "" {
				t.Errorf("Valid() claims differ from Claims() (-want +got):\n%s", diff)
			}
		})
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
