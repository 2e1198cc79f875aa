package jwtx_test

// Verifier tests for the attack catalogue, section A (algorithm and key
// selection), entries A7 to A17.

import (
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestVerifyEmbeddedJWK covers A7 (CVE-2018-0114): a jwk, x5c or x5t#S256
// header never supplies or selects the verification key.
func TestVerifyEmbeddedJWK(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(t, now, "sub", `"admin"`)
	attackerJWK := vtRSAJWK(&f.ars.RSA().PublicKey, vtKidRS)
	freshJWK := vtRSAJWK(&f.ars.RSA().PublicKey, "attacker-1")
	octJWK := `{"kty":"oct","k":"` + b64u(string(f.ahs.Secret())) + `"}`
	attackerCert := base64.StdEncoding.EncodeToString(vtSelfSignedCert(t, f.ars.RSA(), "issuer.test"))
	legitThumb := sha256.Sum256(vtSelfSignedCert(t, f.rs.RSA(), "issuer.test"))
	vtRunAll(t, []vtCase{
		{name: "A7/jwk-same-kid", token: testutil.Sign(t, f.ars, `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","jwk":`+attackerJWK+`}`, pAdmin), wantErr: jwtx.ErrSignature},
		{name: "A7/jwk-own-kid", token: testutil.Sign(t, f.ars, `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","jwk":`+freshJWK+`}`, pAdmin), wantErr: jwtx.ErrSignature},
		{name: "A7/jwk-and-header-kid-of-jwk", token: testutil.Sign(t, f.ars, `{"alg":"RS256","typ":"at+jwt","kid":"attacker-1","jwk":`+freshJWK+`}`, pAdmin), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A7/jwk-no-kid", token: testutil.Sign(t, f.ars, `{"alg":"RS256","typ":"at+jwt","jwk":`+freshJWK+`}`, pAdmin), wantErr: jwtx.ErrSignature},
		{name: "A7/oct-jwk-HS256", token: testutil.Sign(t, f.ahs, `{"alg":"HS256","typ":"at+jwt","kid":"rs-1","jwk":`+octJWK+`}`, pAdmin), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A7/oct-jwk-HS256-no-kid", token: testutil.Sign(t, f.ahs, `{"alg":"HS256","typ":"at+jwt","jwk":`+octJWK+`}`, pAdmin), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A7/oct-jwk-HS256-vs-HS256-verifier", token: testutil.Sign(t, f.ahs, `{"alg":"HS256","typ":"at+jwt","kid":"hs-1","jwk":`+octJWK+`}`, pAdmin), keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
		{name: "A9/x5c-self-signed", token: testutil.Sign(t, f.ars, `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x5c":["`+attackerCert+`"]}`, pAdmin), wantErr: jwtx.ErrSignature},
		{name: "A9/x5t#S256-of-legitimate-cert", token: testutil.Sign(t, f.ars, `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x5t#S256":"`+b64u(string(legitThumb[:]))+`"}`, pAdmin), wantErr: jwtx.ErrSignature},
	})
}

// TestVerifyRemoteKeyHeaders covers A8 and A9: jku and x5u headers pointing
// at an attacker's server. The token is rejected and the server sees no
// request.
func TestVerifyRemoteKeyHeaders(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(t, now, "sub", `"admin"`)
	jwks := []byte(`{"keys":[` + vtRSAJWK(&f.ars.RSA().PublicKey, vtKidRS) + `]}`)
	certPEM := []byte(vtPEM("CERTIFICATE", vtSelfSignedCert(t, f.ars.RSA(), "issuer.test")))
	for _, tc := range []struct {
		name  string
		param string // header parameter
		url   string // %s is replaced by the server's URL
	}{
		{name: "A8/jku-local-server", param: "jku", url: "%s/jwks.json"},
		{name: "A8/jku-confusable-suffix", param: "jku", url: "https://issuer.test.evil.test/.well-known/jwks.json"},
		{name: "A8/jku-userinfo", param: "jku", url: "https://issuer.test@evil.test/jwks.json"},
		{name: "A8/jku-path-traversal", param: "jku", url: "https://issuer.test/.well-known/jwks.json/../../redirect?to=%s/jwks.json"},
		{name: "A8/jku-metadata-address", param: "jku", url: "http://169.254.169.254/"},
		{name: "A9/x5u-local-server", param: "x5u", url: "%s/cert.pem"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if strings.HasSuffix(r.URL.Path, ".pem") {
					w.Write(certPEM)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write(jwks)
			}))
			t.Cleanup(srv.Close)
			url := strings.ReplaceAll(tc.url, "%s", srv.URL)
			h := `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","` + tc.param + `":"` + url + `"}`
			vtRun(t, vtCase{token: testutil.Sign(t, f.ars, h, pAdmin), wantErr: jwtx.ErrSignature})
			if n := hits.Load(); n != 0 {
				t.Errorf("the %s server received %d requests, want 0", tc.param, n)
			}
		})
	}
}

// TestVerifyKIDInjection covers A10: kid values aimed at file, SQL, shell
// and LDAP lookups. The kid is an opaque map key, so each is an unknown key,
// and non-string kids are malformed.
func TestVerifyKIDInjection(t *testing.T) {
	t.Parallel()
	pAdmin := vtClaimsJSON(t, vtNow(), "sub", `"admin"`)
	for _, tc := range []struct {
		name    string
		kid     string // raw JSON value
		secret  string
		wantErr error
	}{
		{name: "A10/dev-null-traversal", kid: `"../../../../../../../dev/null"`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/dev-null-traversal-NUL-key", kid: `"../../../../../../../dev/null"`, secret: "\x00", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/dev-null", kid: `"/dev/null"`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/proc-self-environ", kid: `"/proc/self/environ"`, secret: "PATH=/usr/bin:/bin\x00", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/sql-union", kid: `"x' UNION SELECT 'attacker';--"`, secret: "attacker", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/shell-pipe-sleep", kid: `"|sleep 10"`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/shell-substitution", kid: `"$(id)"`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/ldap", kid: `"*)(uid=*))(|(uid=*"`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/trailing-NUL", kid: `"hs-1\u0000"`, secret: "", wantErr: jwtx.ErrMalformed},
		{name: "A10/path-to-other-key", kid: `"hs-1/../hs-2"`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/case-variant", kid: `"HS-1"`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/trailing-space", kid: `"hs-1 "`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/64KiB", kid: `"` + strings.Repeat("A", 64<<10) + `"`, secret: "", wantErr: jwtx.ErrTooLarge},
		{name: "A10/4KiB", kid: `"` + strings.Repeat("A", 4<<10) + `"`, secret: "", wantErr: jwtx.ErrTooLarge},
		{name: "A10/1KiB", kid: `"` + strings.Repeat("A", 1<<10) + `"`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/empty", kid: `""`, secret: "", wantErr: jwtx.ErrKeyNotFound},
		{name: "A10/null", kid: `null`, secret: "", wantErr: jwtx.ErrMalformed},
		{name: "A10/number", kid: `123`, secret: "", wantErr: jwtx.ErrMalformed},
		{name: "A10/array", kid: `["hs-1"]`, secret: "", wantErr: jwtx.ErrMalformed},
		{name: "A10/object", kid: `{"kid":"hs-1"}`, secret: "", wantErr: jwtx.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := `{"alg":"HS256","typ":"at+jwt","kid":` + tc.kid + `}`
			var param string
			if errors.Is(tc.wantErr, jwtx.ErrKeyNotFound) || (errors.Is(tc.wantErr, jwtx.ErrMalformed) && !strings.HasPrefix(tc.kid, `"`)) {
				param = "kid"
			}
			vtRun(t, vtCase{token: testutil.SignHMAC(t, jwtx.HS256, []byte(tc.secret), h, pAdmin), keys: vtHSKey(t), wantErr: tc.wantErr, wantParam: param})
		})
	}
}

// TestVerifyKIDSelection covers A11: unknown, empty and absent kids against
// a single key and against key sets.
func TestVerifyKIDSelection(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
	hdr := func(alg, kid string) string {
		if kid == "-" {
			return `{"alg":"` + alg + `","typ":"at+jwt"}`
		}
		return `{"alg":"` + alg + `","typ":"at+jwt","kid":"` + kid + `"}`
	}
	rs2 := vtKey(t, jwtx.RS256, &f.rs2.RSA().PublicKey, vtKidRS2)
	rotation := vtSet(t, vtRSKey(t), rs2)
	mixed := vtSet(t, vtRSKey(t), vtESKey(t))
	vtRunAll(t, []vtCase{
		{name: "A11/single/unknown-kid", token: testutil.Sign(t, f.rs, hdr("RS256", "nope"), c0), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/single/empty-kid", token: testutil.Sign(t, f.rs, hdr("RS256", ""), c0), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/single/absent-kid", token: testutil.Sign(t, f.rs, hdr("RS256", "-"), c0)},
		{name: "A11/single/absent-kid-attacker", token: testutil.Sign(t, f.ars, hdr("RS256", "-"), c0), wantErr: jwtx.ErrSignature},
		// A key without a kid: an empty kid names it, as an absent one does.
		{name: "A11/single-without-kid/empty-kid", token: testutil.Sign(t, f.rs, hdr("RS256", ""), c0), keys: vtKey(t, jwtx.RS256, &f.rs.RSA().PublicKey, ""), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/single-without-kid/some-kid", token: testutil.Sign(t, f.rs, hdr("RS256", "rs-1"), c0), keys: vtKey(t, jwtx.RS256, &f.rs.RSA().PublicKey, ""), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/rotation/absent-kid", token: testutil.Sign(t, f.rs, hdr("RS256", "-"), c0), keys: rotation, wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/rotation/empty-kid", token: testutil.Sign(t, f.rs, hdr("RS256", ""), c0), keys: rotation, wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/rotation/unknown-kid", token: testutil.Sign(t, f.rs, hdr("RS256", "nope"), c0), keys: rotation, wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/rotation/rs-2", token: testutil.Sign(t, f.rs2, hdr("RS256", vtKidRS2), c0), keys: rotation},
		{name: "A11/rotation/rs-1-kid-signed-by-rs-2", token: testutil.Sign(t, f.rs2, hdr("RS256", vtKidRS), c0), keys: rotation, wantErr: jwtx.ErrSignature},
		{name: "A11/rotation/HS256-with-rs-2-kid", token: testutil.SignHMAC(t, jwtx.HS256, []byte(vtRSAJWK(&f.rs2.RSA().PublicKey, vtKidRS2)), hdr("HS256", vtKidRS2), c0), keys: rotation, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A11/mixed-asymmetric/absent-kid-RS256", token: testutil.Sign(t, f.rs, hdr("RS256", "-"), c0), keys: mixed},
		{name: "A11/mixed-asymmetric/absent-kid-ES256", token: testutil.Sign(t, f.es, hdr("ES256", "-"), c0), keys: mixed},
		{name: "A11/mixed-asymmetric/absent-kid-HS256", token: testutil.Sign(t, f.hs, hdr("HS256", "-"), c0), keys: mixed, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A11/mixed-asymmetric/es-1-kid-RS256-alg", token: testutil.Sign(t, f.rs, hdr("RS256", vtKidES), c0), keys: mixed, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
	})
}

// TestNewKeySet covers A11 step 3 and A12: sets that invite key confusion
// are refused when they are built.
func TestNewKeySet(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	rs := vtRSKey(t)
	for _, tc := range []struct {
		name    string
		keys    []*jwtx.Key
		wantErr error
	}{
		{name: "A11/mixed-HS-RS", keys: []*jwtx.Key{rs, vtHSKey(t)}, wantErr: jwtx.ErrKey},
		{name: "A11/mixed-RS-HS-no-kids", keys: []*jwtx.Key{vtKey(t, jwtx.RS256, &f.rs.RSA().PublicKey, ""), vtKey(t, jwtx.HS256, f.hs.Secret(), "")}, wantErr: jwtx.ErrKey},
		{name: "A12/duplicate-kid", keys: []*jwtx.Key{rs, vtKey(t, jwtx.RS256, &f.rs2.RSA().PublicKey, vtKidRS)}, wantErr: jwtx.ErrKey},
		{name: "A12/duplicate-kid-other-alg", keys: []*jwtx.Key{rs, vtKey(t, jwtx.ES256, &f.es.ECDSA().PublicKey, vtKidRS)}, wantErr: jwtx.ErrKey},
		{name: "A12/two-kidless-same-alg", keys: []*jwtx.Key{vtKey(t, jwtx.RS256, &f.rs.RSA().PublicKey, ""), vtKey(t, jwtx.RS256, &f.rs2.RSA().PublicKey, "")}, wantErr: jwtx.ErrKey},
		{name: "A12/empty", keys: nil, wantErr: jwtx.ErrKey},
		{name: "A12/nil-key", keys: []*jwtx.Key{rs, nil}, wantErr: jwtx.ErrKey},
		{name: "A12/two-HMAC", keys: []*jwtx.Key{vtHSKey(t), vtKey(t, jwtx.HS256, f.ahs.Secret(), "hs-2")}},
		{name: "A12/rotation", keys: []*jwtx.Key{rs, vtKey(t, jwtx.RS256, &f.rs2.RSA().PublicKey, vtKidRS2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := jwtx.NewKeySet(tc.keys...)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("NewKeySet error mismatch (-want +got):\n%s", diff)
			}
			if err != nil && s != nil {
				t.Errorf("NewKeySet returned a set with error %v", err)
			}
		})
	}
}

// TestVerifyECDSASpecialValues covers A14 (CVE-2022-21449): r and s at 0, 1,
// n-1, n, n+1 and 2^256-1 never verify.
func TestVerifyECDSASpecialValues(t *testing.T) {
	t.Parallel()
	pAdmin := vtClaimsJSON(t, vtNow(), "sub", `"admin"`)
	n := elliptic.P256().Params().N
	one := big.NewInt(1)
	max256 := new(big.Int).Sub(new(big.Int).Lsh(one, 256), one)
	values := []struct {
		name string
		v    *big.Int
	}{
		{"0", big.NewInt(0)},
		{"1", one},
		{"n-1", new(big.Int).Sub(n, one)},
		{"n", n},
		{"n+1", new(big.Int).Add(n, one)},
		{"2^256-1", max256},
	}
	es := vtESKey(t)
	for _, r := range values {
		for _, s := range values {
			t.Run("A14/r="+r.name+",s="+s.name, func(t *testing.T) {
				t.Parallel()
				tok := testutil.Compact(vtHES, pAdmin, testutil.ECDSASignature(elliptic.P256(), r.v, s.v))
				vtRun(t, vtCase{token: tok, keys: es, wantErr: jwtx.ErrSignature})
			})
		}
	}
}

// TestVerifyECDSAEncoding covers A15: DER and padded encodings are rejected;
// (r, n-s) is a valid signature too, as the JWS spec has no low-s rule.
func TestVerifyECDSAEncoding(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	c0 := vtClaimsJSON(t, vtNow())
	sig := f.es.Sign(t, []byte(testutil.SigningInput(vtHES, c0)))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	n := elliptic.P256().Params().N
	der, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	if err != nil {
		t.Fatalf("DER: %v", err)
	}
	es := vtESKey(t)
	for _, tc := range []vtCase{
		{name: "A15/control", token: testutil.Compact(vtHES, c0, sig)},
		{name: "A15/DER", token: testutil.Compact(vtHES, c0, der), wantErr: jwtx.ErrSignature},
		{name: "A15/append-00-00", token: testutil.Compact(vtHES, c0, append(append([]byte(nil), sig...), 0, 0)), wantErr: jwtx.ErrSignature},
		{name: "A15/prepend-00", token: testutil.Compact(vtHES, c0, append([]byte{0}, sig...)), wantErr: jwtx.ErrSignature},
		{name: "A15/truncate-63", token: testutil.Compact(vtHES, c0, sig[:63]), wantErr: jwtx.ErrSignature},
		{name: "A15/swap-r-s", token: testutil.Compact(vtHES, c0, append(append([]byte(nil), sig[32:]...), sig[:32]...)), wantErr: jwtx.ErrSignature},
		{name: "A15/s-plus-n", token: testutil.Compact(vtHES, c0, testutil.ECDSASignature(elliptic.P256(), r, new(big.Int).Add(s, n))), wantErr: jwtx.ErrSignature},
		// Spec behaviour: accepted. Token strings are therefore not unique;
		// revocation is keyed by jti (see TestVerifyRevocation).
		{name: "A15/r-n-minus-s", token: testutil.Compact(vtHES, c0, testutil.ECDSASignature(elliptic.P256(), r, new(big.Int).Sub(n, s)))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.keys = es
			vtRun(t, tc)
		})
	}
}

// TestVerifyPSSSaltLength covers A17: a PS256 signature must use a salt as
// long as the hash (32 bytes).
func TestVerifyPSSSaltLength(t *testing.T) {
	t.Parallel()
	hPS := `{"alg":"PS256","typ":"at+jwt","kid":"rs-1"}`
	c0 := vtClaimsJSON(t, vtNow())
	in := []byte(testutil.SigningInput(hPS, c0))
	// K_rs bound to PS256.
	ps := testutil.NewKey(t, jwtx.PS256, testutil.WithSeed(seedRS), testutil.WithKeyID(vtKidRS))
	digest := sha256.Sum256(in)
	auto, err := rsa.SignPSS(rand.Reader, ps.RSA(), crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	if err != nil {
		t.Fatalf("SignPSS: %v", err)
	}
	for _, tc := range []vtCase{
		{name: "A17/salt-0", token: testutil.Compact(hPS, c0, ps.SignPSS(t, in, 0)), wantErr: jwtx.ErrSignature},
		{name: "A17/salt-20", token: testutil.Compact(hPS, c0, ps.SignPSS(t, in, 20)), wantErr: jwtx.ErrSignature},
		{name: "A17/salt-64", token: testutil.Compact(hPS, c0, ps.SignPSS(t, in, 64)), wantErr: jwtx.ErrSignature},
		{name: "A17/salt-maximum", token: testutil.Compact(hPS, c0, auto), wantErr: jwtx.ErrSignature},
		{name: "A17/salt-32", token: testutil.Compact(hPS, c0, ps.SignPSS(t, in, 32))},
		{name: "A17/salt-32-crypto-rsa", token: testutil.Sign(t, ps, hPS, c0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.keys = ps.Public()
			vtRun(t, tc)
		})
	}
}
