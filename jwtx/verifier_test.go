package jwtx_test

// Verifier tests, one table per entry of the attack catalogue
// (/work/shared/security/attacks.md, sections A, B and C). Every malicious
// token is built byte for byte with the helpers of forge_test.go, and every
// subtest name starts with the catalogue id ("A1/none/…", "B5/…").
//
// For every rejected token vtRun checks the sentinel (errors.Is), the
// typed detail where the table gives one (*jwtx.HeaderError Param,
// *jwtx.ClaimError Claim), that the claims are the zero value, and that the
// error text carries neither the payload nor the signature segment.

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"

	"github.com/typedjwt/typedjwt/jwtx"
)

// vtClaims is the claims type of the verifier tests: the registered claims
// plus custom claims of each JSON kind (C7).
type vtClaims struct {
	jwtx.RegisteredClaims
	Role  string   `json:"role,omitempty"`
	Admin bool     `json:"admin,omitempty"`
	Roles []string `json:"roles,omitempty"`
	Count int64    `json:"count,omitempty"`
	Org   *vtOrg   `json:"org,omitempty"`
}

// vtOrg is a nested custom claim.
type vtOrg struct {
	ID string `json:"id"`
}

// vtUser is the user type of the user-loading tests.
type vtUser struct {
	Name string
}

// vtCmp compares claims; Fresh has unexported fields, so it is compared
// through its methods.
func vtCmp() cmp.Options {
	return cmp.Options{cmp.Comparer(func(a, b jwtx.Fresh) bool {
		au, aok := a.Until()
		bu, bok := b.Until()
		return a.IsZero() == b.IsZero() && aok == bok && au.Equal(bu) && a.At(time.Time{}) == b.At(time.Time{})
	})}
}

// vtC0 is what Verify must return for C0 at now.
func vtC0(now time.Time) vtClaims {
	return vtClaims{RegisteredClaims: jwtx.RegisteredClaims{
		Issuer:    vtIssuer,
		Subject:   vtSubject,
		Audience:  jwtx.Audience{vtAudience},
		IssuedAt:  jwtx.NewNumericDate(now),
		NotBefore: jwtx.NewNumericDate(now),
		ExpiresAt: jwtx.NewNumericDate(now.Add(300 * time.Second)),
		ID:        vtJTI,
		Type:      jwtx.Access,
	}}
}

// vtC0With returns vtC0(now) changed by f.
func vtC0With(now time.Time, f func(*vtClaims)) *vtClaims {
	c := vtC0(now)
	f(&c)
	return &c
}

// vtKey binds material to alg with kid ("" for none).
func vtKey[M jwtx.KeyMaterial](tb testing.TB, alg jwtx.Algorithm, m M, kid string) *jwtx.Key {
	tb.Helper()
	var opts []jwtx.KeyOption
	if kid != "" {
		opts = append(opts, jwtx.WithKeyID(kid))
	}
	k, err := jwtx.NewKey(alg, m, opts...)
	if err != nil {
		tb.Fatalf("NewKey(%s): %v", alg, err)
	}
	return k
}

// vtSet builds a KeySet.
func vtSet(tb testing.TB, keys ...*jwtx.Key) *jwtx.KeySet {
	tb.Helper()
	s, err := jwtx.NewKeySet(keys...)
	if err != nil {
		tb.Fatalf("NewKeySet: %v", err)
	}
	return s
}

// The keys of policy V and its variants: public halves only.
func vtRSKey(tb testing.TB) *jwtx.Key {
	return vtKey(tb, jwtx.RS256, &fixture(tb).rs.PublicKey, vtKidRS)
}

func vtHSKey(tb testing.TB) *jwtx.Key { return vtKey(tb, jwtx.HS256, fixture(tb).hs, vtKidHS) }

func vtESKey(tb testing.TB) *jwtx.Key {
	return vtKey(tb, jwtx.ES256, &fixture(tb).es.PublicKey, vtKidES)
}

func vtEdKey(tb testing.TB, alg jwtx.Algorithm) *jwtx.Key {
	return vtKey(tb, alg, fixture(tb).ed.Public().(ed25519.PublicKey), vtKidED)
}

// vtPolicyV is the verifier policy V of the catalogue, with a clock fixed at now.
func vtPolicyV(now time.Time) []jwtx.VerifierOption {
	return []jwtx.VerifierOption{
		jwtx.WithIssuer(vtIssuer),
		jwtx.WithAudience(vtAudience),
		jwtx.WithLeeway(vtLeeway),
		jwtx.WithClock(vtClock(now)),
	}
}

// vtCase is one token and what Verify must make of it.
type vtCase struct {
	name      string
	token     string
	keys      jwtx.VerificationKeys // configured keys; nil means vtRSKey (K_rs, RS256, rs-1)
	opts      []jwtx.VerifierOption // added after policy V
	bare      bool                  // only the fixed clock and opts: no iss, aud or leeway
	refresh   bool                  // VerifyRefresh instead of Verify
	wantErr   error                 // nil: accepted
	wantParam string                // rejected: the Param of the *jwtx.HeaderError in the error
	wantClaim string                // rejected: the Claim of the first *jwtx.ClaimError in the error
	want      *vtClaims             // accepted: the claims; nil means C0 at vtNow
}

// vtRun builds the verifier of tc with its own fixed clock, verifies
// tc.token and checks the outcome.
func vtRun(t *testing.T, tc vtCase) {
	t.Helper()
	now := vtNow()
	keys := tc.keys
	if keys == nil {
		keys = vtRSKey(t)
	}
	opts := []jwtx.VerifierOption{jwtx.WithClock(vtClock(now))}
	if !tc.bare {
		opts = vtPolicyV(now)
	}
	v, err := jwtx.NewClaimsVerifier[vtClaims](keys, append(opts, tc.opts...)...)
	if err != nil {
		t.Fatalf("NewClaimsVerifier: %v", err)
	}
	verify := v.Verify
	if tc.refresh {
		verify = v.VerifyRefresh
	}
	got, _, err := verify(context.Background(), tc.token)
	if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
		t.Fatalf("Verify(%s) error mismatch (-want +got):\n%s\ngot error: %v", vtDescribe(tc.token), diff, err)
	}
	if err == nil {
		want := tc.want
		if want == nil {
			c := vtC0(now)
			want = &c
		}
		if diff := cmp.Diff(*want, got, vtCmp()); diff != "" {
			t.Errorf("Verify(%s) claims mismatch (-want +got):\n%s", vtDescribe(tc.token), diff)
		}
		return
	}
	vtCheckRejected(t, tc.token, got, err)
	if tc.wantParam != "" {
		var he *jwtx.HeaderError
		if !errors.As(err, &he) {
			t.Errorf("Verify(%s) error %v is not a *jwtx.HeaderError", vtDescribe(tc.token), err)
		} else if diff := cmp.Diff(tc.wantParam, he.Param); diff != "" {
			t.Errorf("HeaderError.Param mismatch (-want +got):\n%s", diff)
		}
	}
	if tc.wantClaim != "" {
		var ce *jwtx.ClaimError
		if !errors.As(err, &ce) {
			t.Errorf("Verify(%s) error %v is not a *jwtx.ClaimError", vtDescribe(tc.token), err)
		} else if diff := cmp.Diff(tc.wantClaim, ce.Claim); diff != "" {
			t.Errorf("ClaimError.Claim mismatch (-want +got):\n%s", diff)
		}
	}
}

// vtCheckRejected checks what every rejection must satisfy: zero claims, and
// no token or key material in the error text.
func vtCheckRejected[C any](t *testing.T, token string, got C, err error) {
	t.Helper()
	if diff := cmp.Diff(*new(C), got, vtCmp()); diff != "" {
		t.Errorf("claims returned with error %v (-want +got):\n%s", err, diff)
	}
	vtCheckNoLeak(t, token, err)
}

// vtCheckNoLeak fails when the error text contains the token, its payload or
// signature segment, or any fixture secret.
func vtCheckNoLeak(t *testing.T, token string, err error) {
	t.Helper()
	msg := err.Error()
	parts := vtSegments(token)
	leaks := map[string]string{"token": token}
	if len(parts) > 1 {
		leaks["payload segment"] = parts[1]
	}
	if len(parts) > 2 {
		leaks["signature segment"] = parts[2]
	}
	f := fixture(t)
	for name, secret := range map[string][]byte{"K_hs": f.hs, "A_hs": f.ahs} {
		leaks[name] = string(secret)
		leaks[name+" (base64url)"] = b64u(string(secret))
		leaks[name+" (hex)"] = hex.EncodeToString(secret)
	}
	for what, s := range leaks {
		// Short strings can occur in any message by chance.
		if len(s) >= 16 && strings.Contains(msg, s) {
			t.Errorf("error text leaks the %s: %q", what, msg)
		}
	}
}

// TestVerifyControl checks that the control tokens T0 are accepted under
// every supported key type, with exactly the claims that were signed.
func TestVerifyControl(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	hPS := `{"alg":"PS256","typ":"at+jwt","kid":"rs-1"}`
	for _, tc := range []vtCase{
		{name: "T0/RS256", token: jws(t, "RS256", vtH0, c0, f.rs)},
		{name: "T0/RS256/key-set", token: jws(t, "RS256", vtH0, c0, f.rs), keys: vtSet(t, vtRSKey(t), vtKey(t, jwtx.RS256, &f.rs2.PublicKey, vtKidRS2))},
		{name: "T0/RS256/second-key-of-set", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-2"}`, c0, f.rs2), keys: vtSet(t, vtRSKey(t), vtKey(t, jwtx.RS256, &f.rs2.PublicKey, vtKidRS2))},
		{name: "T0/PS256", token: jws(t, "PS256", hPS, c0, f.rs), keys: vtKey(t, jwtx.PS256, &f.rs.PublicKey, vtKidRS)},
		{name: "T0/ES256", token: jws(t, "ES256", vtHES, c0, f.es), keys: vtESKey(t)},
		{name: "T0/EdDSA", token: jws(t, "EdDSA", vtHED, c0, f.ed), keys: vtEdKey(t, jwtx.EdDSA)},
		{name: "T0/Ed25519", token: jws(t, "Ed25519", `{"alg":"Ed25519","typ":"at+jwt","kid":"ed-1"}`, c0, f.ed), keys: vtEdKey(t, jwtx.Ed25519)},
		{name: "T0/HS256", token: jws(t, "HS256", vtHHS, c0, f.hs), keys: vtHSKey(t)},
		{name: "T0/private-key-verifies", token: jws(t, "RS256", vtH0, c0, f.rs), keys: vtKey(t, jwtx.RS256, f.rs, vtKidRS)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyAlgNone covers A1: alg "none" in every case variant, with an
// empty signature, with T0's signature, with a valid signature under the
// configured key, and RFC 7515 A.5 verbatim.
func TestVerifyAlgNone(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(now, "sub", `"admin"`)
	sigT0 := vtSegments(jws(t, "RS256", vtH0, vtClaimsJSON(now), f.rs))[2]
	const rfc7515A5 = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
	var cases []vtCase
	for _, a := range []string{"none", "None", "NONE", "nOnE"} {
		h := `{"alg":"` + a + `","typ":"at+jwt","kid":"rs-1"}`
		hNoKID := `{"alg":"` + a + `","typ":"at+jwt"}`
		in := si(h, pAdmin)
		cases = append(cases,
			// An empty signature segment is left to the alg check (compact.go,
			// split), which names the real problem.
			vtCase{name: "A1/" + a + "/empty-signature", token: in + ".", wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
			vtCase{name: "A1/" + a + "/T0-signature", token: in + "." + sigT0, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
			vtCase{name: "A1/" + a + "/bogus-signature", token: in + ".AAAA", wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
			vtCase{name: "A1/" + a + "/valid-RS256-signature", token: jws(t, "RS256", h, pAdmin, f.rs), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
			// jwx v2.1.7 accepts this one: the header says none, the MAC is right.
			vtCase{name: "A1/" + a + "/valid-HS256-mac", token: jws(t, "HS256", hNoKID, pAdmin, f.hs), keys: vtHSKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		)
	}
	cases = append(cases,
		vtCase{name: "A1/rfc7515-A.5", token: rfc7515A5, keys: vtHSKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		vtCase{name: "A1/rfc7515-A.5/with-signature", token: rfc7515A5 + sigT0, keys: vtHSKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		vtCase{name: "A1/none-escaped", token: jws(t, "RS256", `{"alg":"n\u006fne","typ":"at+jwt","kid":"rs-1"}`, pAdmin, f.rs), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyStrippedSignature covers A2: empty, missing and short signatures.
func TestVerifyStrippedSignature(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	in := si(vtH0, vtClaimsJSON(now, "sub", `"admin"`))
	sigT0 := vtSegments(jws(t, "RS256", vtH0, vtClaimsJSON(now), f.rs))[2]
	for _, tc := range []vtCase{
		// An empty signature segment is not a parse error: the signature
		// check refuses it (compact.go, split).
		{name: "A2/empty-third-segment", token: in + ".", wantErr: jwtx.ErrSignature},
		{name: "A2/HS256/empty-third-segment", token: si(vtHHS, vtClaimsJSON(now)) + ".", keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
		{name: "A2/ES256/empty-third-segment", token: si(vtHES, vtClaimsJSON(now)) + ".", keys: vtESKey(t), wantErr: jwtx.ErrSignature},
		{name: "A2/EdDSA/empty-third-segment", token: si(vtHED, vtClaimsJSON(now)) + ".", keys: vtEdKey(t, jwtx.EdDSA), wantErr: jwtx.ErrSignature},
		{name: "A2/two-segments", token: in, wantErr: jwtx.ErrMalformed},
		{name: "A2/signature-AA", token: in + ".AA", wantErr: jwtx.ErrSignature},
		{name: "A2/signature-AAAA", token: in + ".AAAA", wantErr: jwtx.ErrSignature},
		{name: "A2/zero-signature-of-modulus-size", token: vtWithSig(in, make([]byte, 256)), wantErr: jwtx.ErrSignature},
		{name: "A2/signature-equal-to-modulus", token: vtWithSig(in, f.rs.N.Bytes()), wantErr: jwtx.ErrSignature},
		{name: "A2/signature-one-byte-long", token: vtWithSig(in, append(make([]byte, 256), 1)), wantErr: jwtx.ErrSignature},
		{name: "A2/T0-signature-on-forged-claims", token: in + "." + sigT0, wantErr: jwtx.ErrSignature},
		{name: "A2/HS256/signature-AA", token: si(vtHHS, vtClaimsJSON(now)) + ".AA", keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
		{name: "A2/ES256/signature-AAAA", token: si(vtHES, vtClaimsJSON(now)) + ".AAAA", keys: vtESKey(t), wantErr: jwtx.ErrSignature},
		{name: "A2/EdDSA/signature-AAAA", token: si(vtHED, vtClaimsJSON(now)) + ".AAAA", keys: vtEdKey(t, jwtx.EdDSA), wantErr: jwtx.ErrSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyKeyConfusion covers A3: HS* MACs keyed with every public form of
// the configured RSA, EC and Ed25519 keys.
func TestVerifyKeyConfusion(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(now, "sub", `"admin"`)

	spki := vtSPKIPEM(t, &f.rs.PublicKey)
	spkiDER, err := x509.MarshalPKIXPublicKey(&f.rs.PublicKey)
	if err != nil {
		t.Fatalf("SPKI: %v", err)
	}
	libJWK, err := vtRSKey(t).JWK()
	if err != nil {
		t.Fatalf("JWK: %v", err)
	}
	libJWKJSON, err := json.Marshal(libJWK)
	if err != nil {
		t.Fatalf("marshal JWK: %v", err)
	}
	handJWK := vtRSAJWK(&f.rs.PublicKey, vtKidRS)
	rsForms := []struct{ name, secret string }{
		{"spki-pem", spki},
		{"spki-pem-no-newline", strings.TrimSuffix(spki, "\n")},
		{"pkcs1-pem", vtPEM("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&f.rs.PublicKey))},
		{"spki-der", string(spkiDER)},
		{"jwk-json", handJWK},
		{"jwk-json-as-served", string(libJWKJSON)},
		{"jwks-document", `{"keys":[` + handJWK + `]}`},
		{"modulus", string(f.rs.N.Bytes())},
		{"certificate-pem", vtPEM("CERTIFICATE", vtSelfSignedCert(t, f.rs, "issuer.test"))},
	}
	ecdhPub, err := f.es.PublicKey.ECDH()
	if err != nil {
		t.Fatalf("ECDH: %v", err)
	}
	edPub := f.ed.Public().(ed25519.PublicKey)
	type family struct {
		name, kid string
		keys      jwtx.VerificationKeys
		forms     []struct{ name, secret string }
	}
	families := []family{
		{name: "RS256", kid: vtKidRS, keys: vtRSKey(t), forms: rsForms},
		{name: "ES256", kid: vtKidES, keys: vtESKey(t), forms: []struct{ name, secret string }{
			{"uncompressed-point", string(ecdhPub.Bytes())},
			{"spki-pem", vtSPKIPEM(t, &f.es.PublicKey)},
		}},
		{name: "EdDSA", kid: vtKidED, keys: vtEdKey(t, jwtx.EdDSA), forms: []struct{ name, secret string }{
			{"raw-public-key", string(edPub)},
			{"spki-pem", vtSPKIPEM(t, edPub)},
		}},
	}
	// A set of all three asymmetric keys: no HMAC key anywhere to fall back to.
	set := vtSet(t, vtRSKey(t), vtESKey(t), vtEdKey(t, jwtx.EdDSA))
	var cases []vtCase
	for _, fam := range families {
		for _, form := range fam.forms {
			for _, alg := range []string{"HS256", "HS384", "HS512"} {
				h := `{"alg":"` + alg + `","typ":"at+jwt","kid":"` + fam.kid + `"}`
				hNoKID := `{"alg":"` + alg + `","typ":"at+jwt"}`
				name := "A3/" + fam.name + "/" + form.name + "/" + alg
				cases = append(cases,
					vtCase{name: name, token: jws(t, alg, h, pAdmin, []byte(form.secret)), keys: fam.keys, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
					vtCase{name: name + "/no-kid", token: jws(t, alg, hNoKID, pAdmin, []byte(form.secret)), keys: fam.keys, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
					vtCase{name: name + "/key-set", token: jws(t, alg, h, pAdmin, []byte(form.secret)), keys: set, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
					vtCase{name: name + "/key-set/no-kid", token: jws(t, alg, hNoKID, pAdmin, []byte(form.secret)), keys: set, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
				)
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyAlgorithmSubstitution covers A4: valid signatures by the
// issuer's own key under another algorithm than the key's.
func TestVerifyAlgorithmSubstitution(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	hdr := func(alg, kid string) string { return `{"alg":"` + alg + `","typ":"at+jwt","kid":"` + kid + `"}` }
	for _, tc := range []vtCase{
		{name: "A4/PS256-with-K_rs", token: jws(t, "PS256", hdr("PS256", vtKidRS), c0, f.rs), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/PS384-with-K_rs", token: jws(t, "PS384", hdr("PS384", vtKidRS), c0, f.rs), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/RS384-with-K_rs", token: jws(t, "RS384", hdr("RS384", vtKidRS), c0, f.rs), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/RS512-with-K_rs", token: jws(t, "RS512", hdr("RS512", vtKidRS), c0, f.rs), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/RS256-header-PS256-signature", token: jws(t, "PS256", vtH0, c0, f.rs), wantErr: jwtx.ErrSignature},
		{name: "A4/RS256-header-RS512-signature", token: jws(t, "RS512", vtH0, c0, f.rs), wantErr: jwtx.ErrSignature},
		{name: "A4/RS256-key-as-PS256-verifier", token: jws(t, "RS256", hdr("RS256", vtKidRS), c0, f.rs), keys: vtKey(t, jwtx.PS256, &f.rs.PublicKey, vtKidRS), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		// ES384 and ES512 over P-256: ECDSA truncates the longer hash.
		{name: "A4/ES384-on-P-256", token: jws(t, "ES384", hdr("ES384", vtKidES), c0, f.es), keys: vtESKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/ES512-on-P-256", token: jws(t, "ES512", hdr("ES512", vtKidES), c0, f.es), keys: vtESKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/ES256-header-ES384-signature", token: jws(t, "ES384", vtHES, c0, f.es), keys: vtESKey(t), wantErr: jwtx.ErrSignature},
		{name: "A4/WithAlgorithms-narrows", token: jws(t, "RS256", vtH0, c0, f.rs), opts: []jwtx.VerifierOption{jwtx.WithAlgorithms(jwtx.RS256, jwtx.PS256)}},
		{name: "A4/WithAlgorithms-excludes-header-alg", token: jws(t, "PS256", hdr("PS256", vtKidRS), c0, f.rs), keys: vtSet(t, vtRSKey(t), vtKey(t, jwtx.PS256, &f.rs2.PublicKey, "ps-1")), opts: []jwtx.VerifierOption{jwtx.WithAlgorithms(jwtx.RS256)}, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyHeaderAlgExact covers A5: headers whose alg is not exactly the
// configured HS256, all MACed correctly with K_hs.
func TestVerifyHeaderAlgExact(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	hs := vtHSKey(t)
	for _, tc := range []struct {
		name      string
		header    string
		wantErr   error
		wantParam string
	}{
		{name: "A5/control", header: `{"alg":"HS256","typ":"at+jwt"}`},
		{name: "A5/escaped-HS256", header: `{"alg":"H\u0053256","typ":"at+jwt"}`},
		{name: "A5/no-typ", header: `{"alg":"HS256"}`, wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "A5/HS512", header: `{"alg":"HS512"}`, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A5/hs256", header: `{"alg":"hs256"}`, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A5/HS256-trailing-space", header: `{"alg":"HS256 "}`, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A5/none", header: `{"alg":"none"}`, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A5/empty-object", header: `{}`, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A5/empty-object-with-typ", header: `{"typ":"at+jwt"}`, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A5/null", header: `{"alg":null}`, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A5/array", header: `{"alg":["HS256"]}`, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A5/empty-string", header: `{"alg":""}`, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A5/NUL", header: `{"alg":"HS256\u0000"}`, wantErr: jwtx.ErrMalformed},
		{name: "A5/duplicate-HS256-none", header: `{"alg":"HS256","alg":"none"}`, wantErr: jwtx.ErrMalformed},
		{name: "A5/duplicate-none-HS256", header: `{"alg":"none","alg":"HS256"}`, wantErr: jwtx.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, vtCase{token: jws(t, "HS256", tc.header, c0, f.hs), keys: hs, wantErr: tc.wantErr, wantParam: tc.wantParam})
		})
	}
}

// TestVerifyEdDSANames covers the A5 decision for Ed25519 keys: a key is
// bound to one name. A key built with jwtx.EdDSA accepts the header "EdDSA"
// only; one built with jwtx.Ed25519 (RFC 9864) accepts "Ed25519" only; the
// golang-jwt spelling "ED25519" and other case variants are never accepted.
func TestVerifyEdDSANames(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	c0 := vtClaimsJSON(vtNow())
	for _, tc := range []struct {
		name    string
		keyAlg  jwtx.Algorithm
		header  string
		wantErr error
	}{
		{name: "A5/EdDSA-key/EdDSA", keyAlg: jwtx.EdDSA, header: "EdDSA"},
		{name: "A5/EdDSA-key/Ed25519", keyAlg: jwtx.EdDSA, header: "Ed25519", wantErr: jwtx.ErrAlgorithm},
		{name: "A5/EdDSA-key/ED25519", keyAlg: jwtx.EdDSA, header: "ED25519", wantErr: jwtx.ErrAlgorithm},
		{name: "A5/EdDSA-key/eddsa", keyAlg: jwtx.EdDSA, header: "eddsa", wantErr: jwtx.ErrAlgorithm},
		{name: "A5/Ed25519-key/Ed25519", keyAlg: jwtx.Ed25519, header: "Ed25519"},
		{name: "A5/Ed25519-key/EdDSA", keyAlg: jwtx.Ed25519, header: "EdDSA", wantErr: jwtx.ErrAlgorithm},
		{name: "A5/Ed25519-key/ED25519", keyAlg: jwtx.Ed25519, header: "ED25519", wantErr: jwtx.ErrAlgorithm},
		{name: "A5/Ed25519-key/ed25519", keyAlg: jwtx.Ed25519, header: "ed25519", wantErr: jwtx.ErrAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := `{"alg":"` + tc.header + `","typ":"at+jwt","kid":"ed-1"}`
			tok := jws(t, tc.header, h, c0, f.ed)
			var param string
			if tc.wantErr != nil {
				param = "alg"
			}
			vtRun(t, vtCase{token: tok, keys: vtEdKey(t, tc.keyAlg), wantErr: tc.wantErr, wantParam: param})
		})
	}
}

// TestNewKeyWeakSecret covers A6 step 1: HMAC secrets shorter than the hash
// output, and empty ones, are refused when the key is built.
func TestNewKeyWeakSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		alg     jwtx.Algorithm
		secret  []byte
		wantErr error
	}{
		{name: "A6/HS256/31-bytes", alg: jwtx.HS256, secret: make([]byte, 31), wantErr: jwtx.ErrKey},
		{name: "A6/HS256/32-bytes", alg: jwtx.HS256, secret: make([]byte, 32)},
		{name: "A6/HS384/47-bytes", alg: jwtx.HS384, secret: make([]byte, 47), wantErr: jwtx.ErrKey},
		{name: "A6/HS384/48-bytes", alg: jwtx.HS384, secret: make([]byte, 48)},
		{name: "A6/HS512/63-bytes", alg: jwtx.HS512, secret: make([]byte, 63), wantErr: jwtx.ErrKey},
		{name: "A6/HS512/64-bytes", alg: jwtx.HS512, secret: make([]byte, 64)},
		{name: "A6/HS512/32-bytes", alg: jwtx.HS512, secret: make([]byte, 32), wantErr: jwtx.ErrKey},
		{name: "A6/HS256/empty", alg: jwtx.HS256, secret: []byte{}, wantErr: jwtx.ErrKey},
		{name: "A6/HS256/nil", alg: jwtx.HS256, secret: nil, wantErr: jwtx.ErrKey},
		{name: "A6/HS256/secret", alg: jwtx.HS256, secret: []byte("secret"), wantErr: jwtx.ErrKey},
		{name: "A6/HS256/your-256-bit-secret", alg: jwtx.HS256, secret: []byte("your-256-bit-secret"), wantErr: jwtx.ErrKey},
		{name: "A6/none", alg: "none", secret: make([]byte, 32), wantErr: jwtx.ErrKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := jwtx.NewKey(tc.alg, tc.secret)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("NewKey(%s, %d bytes) error mismatch (-want +got):\n%s", tc.alg, len(tc.secret), diff)
			}
			if err != nil && k != nil {
				t.Errorf("NewKey returned a key with error %v", err)
			}
		})
	}
}

// TestVerifyWeakSecret covers A6 steps 2 and 3: tokens MACed with guessable
// secrets never verify under K_hs.
func TestVerifyWeakSecret(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	pAdmin := vtClaimsJSON(vtNow(), "sub", `"admin"`)
	var cases []vtCase
	for _, s := range []struct{ name, secret string }{
		{"empty", ""},
		{"NUL", "\x00"},
		{"secret", "secret"},
		{"your-256-bit-secret", "your-256-bit-secret"},
		{"password", "password"},
		{"A_hs", string(f.ahs)},
		{"K_hs-truncated", string(f.hs[:31])},
		{"K_hs-last-bit-flipped", string(f.hs[:31]) + string(f.hs[31]^1)},
	} {
		cases = append(cases,
			vtCase{name: "A6/" + s.name, token: jws(t, "HS256", vtHHS, pAdmin, []byte(s.secret)), keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
			vtCase{name: "A6/" + s.name + "/no-kid", token: jws(t, "HS256", `{"alg":"HS256","typ":"at+jwt"}`, pAdmin, []byte(s.secret)), keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
		)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyEmbeddedJWK covers A7 (CVE-2018-0114): a jwk, x5c or x5t#S256
// header never supplies or selects the verification key.
func TestVerifyEmbeddedJWK(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(now, "sub", `"admin"`)
	attackerJWK := vtRSAJWK(&f.ars.PublicKey, vtKidRS)
	freshJWK := vtRSAJWK(&f.ars.PublicKey, "attacker-1")
	octJWK := `{"kty":"oct","k":"` + b64u(string(f.ahs)) + `"}`
	attackerCert := base64.StdEncoding.EncodeToString(vtSelfSignedCert(t, f.ars, "issuer.test"))
	legitThumb := sha256.Sum256(vtSelfSignedCert(t, f.rs, "issuer.test"))
	for _, tc := range []vtCase{
		{name: "A7/jwk-same-kid", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","jwk":`+attackerJWK+`}`, pAdmin, f.ars), wantErr: jwtx.ErrSignature},
		{name: "A7/jwk-own-kid", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","jwk":`+freshJWK+`}`, pAdmin, f.ars), wantErr: jwtx.ErrSignature},
		{name: "A7/jwk-and-header-kid-of-jwk", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"attacker-1","jwk":`+freshJWK+`}`, pAdmin, f.ars), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A7/jwk-no-kid", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","jwk":`+freshJWK+`}`, pAdmin, f.ars), wantErr: jwtx.ErrSignature},
		{name: "A7/oct-jwk-HS256", token: jws(t, "HS256", `{"alg":"HS256","typ":"at+jwt","kid":"rs-1","jwk":`+octJWK+`}`, pAdmin, f.ahs), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A7/oct-jwk-HS256-no-kid", token: jws(t, "HS256", `{"alg":"HS256","typ":"at+jwt","jwk":`+octJWK+`}`, pAdmin, f.ahs), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A7/oct-jwk-HS256-vs-HS256-verifier", token: jws(t, "HS256", `{"alg":"HS256","typ":"at+jwt","kid":"hs-1","jwk":`+octJWK+`}`, pAdmin, f.ahs), keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
		{name: "A9/x5c-self-signed", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x5c":["`+attackerCert+`"]}`, pAdmin, f.ars), wantErr: jwtx.ErrSignature},
		{name: "A9/x5t#S256-of-legitimate-cert", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x5t#S256":"`+b64u(string(legitThumb[:]))+`"}`, pAdmin, f.ars), wantErr: jwtx.ErrSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyRemoteKeyHeaders covers A8 and A9: jku and x5u headers pointing
// at an attacker's server. The token is rejected and the server sees no
// request.
func TestVerifyRemoteKeyHeaders(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(now, "sub", `"admin"`)
	jwks := []byte(`{"keys":[` + vtRSAJWK(&f.ars.PublicKey, vtKidRS) + `]}`)
	certPEM := []byte(vtPEM("CERTIFICATE", vtSelfSignedCert(t, f.ars, "issuer.test")))
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
			vtRun(t, vtCase{token: jws(t, "RS256", h, pAdmin, f.ars), wantErr: jwtx.ErrSignature})
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
	pAdmin := vtClaimsJSON(vtNow(), "sub", `"admin"`)
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
		{name: "A10/4KiB", kid: `"` + strings.Repeat("A", 4<<10) + `"`, secret: "", wantErr: jwtx.ErrKeyNotFound},
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
			vtRun(t, vtCase{token: jws(t, "HS256", h, pAdmin, []byte(tc.secret)), keys: vtHSKey(t), wantErr: tc.wantErr, wantParam: param})
		})
	}
}

// TestVerifyKIDSelection covers A11: unknown, empty and absent kids against
// a single key and against key sets.
func TestVerifyKIDSelection(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	hdr := func(alg, kid string) string {
		if kid == "-" {
			return `{"alg":"` + alg + `","typ":"at+jwt"}`
		}
		return `{"alg":"` + alg + `","typ":"at+jwt","kid":"` + kid + `"}`
	}
	rs2 := vtKey(t, jwtx.RS256, &f.rs2.PublicKey, vtKidRS2)
	rotation := vtSet(t, vtRSKey(t), rs2)
	mixed := vtSet(t, vtRSKey(t), vtESKey(t))
	for _, tc := range []vtCase{
		{name: "A11/single/unknown-kid", token: jws(t, "RS256", hdr("RS256", "nope"), c0, f.rs), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/single/empty-kid", token: jws(t, "RS256", hdr("RS256", ""), c0, f.rs), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/single/absent-kid", token: jws(t, "RS256", hdr("RS256", "-"), c0, f.rs)},
		{name: "A11/single/absent-kid-attacker", token: jws(t, "RS256", hdr("RS256", "-"), c0, f.ars), wantErr: jwtx.ErrSignature},
		// A key without a kid: an empty kid names it, as an absent one does.
		{name: "A11/single-without-kid/empty-kid", token: jws(t, "RS256", hdr("RS256", ""), c0, f.rs), keys: vtKey(t, jwtx.RS256, &f.rs.PublicKey, ""), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/single-without-kid/some-kid", token: jws(t, "RS256", hdr("RS256", "rs-1"), c0, f.rs), keys: vtKey(t, jwtx.RS256, &f.rs.PublicKey, ""), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/rotation/absent-kid", token: jws(t, "RS256", hdr("RS256", "-"), c0, f.rs), keys: rotation, wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/rotation/empty-kid", token: jws(t, "RS256", hdr("RS256", ""), c0, f.rs), keys: rotation, wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/rotation/unknown-kid", token: jws(t, "RS256", hdr("RS256", "nope"), c0, f.rs), keys: rotation, wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "A11/rotation/rs-2", token: jws(t, "RS256", hdr("RS256", vtKidRS2), c0, f.rs2), keys: rotation},
		{name: "A11/rotation/rs-1-kid-signed-by-rs-2", token: jws(t, "RS256", hdr("RS256", vtKidRS), c0, f.rs2), keys: rotation, wantErr: jwtx.ErrSignature},
		{name: "A11/rotation/HS256-with-rs-2-kid", token: jws(t, "HS256", hdr("HS256", vtKidRS2), c0, []byte(vtRSAJWK(&f.rs2.PublicKey, vtKidRS2))), keys: rotation, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A11/mixed-asymmetric/absent-kid-RS256", token: jws(t, "RS256", hdr("RS256", "-"), c0, f.rs), keys: mixed},
		{name: "A11/mixed-asymmetric/absent-kid-ES256", token: jws(t, "ES256", hdr("ES256", "-"), c0, f.es), keys: mixed},
		{name: "A11/mixed-asymmetric/absent-kid-HS256", token: jws(t, "HS256", hdr("HS256", "-"), c0, f.hs), keys: mixed, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A11/mixed-asymmetric/es-1-kid-RS256-alg", token: jws(t, "RS256", hdr("RS256", vtKidES), c0, f.rs), keys: mixed, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
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
		{name: "A11/mixed-RS-HS-no-kids", keys: []*jwtx.Key{vtKey(t, jwtx.RS256, &f.rs.PublicKey, ""), vtKey(t, jwtx.HS256, f.hs, "")}, wantErr: jwtx.ErrKey},
		{name: "A12/duplicate-kid", keys: []*jwtx.Key{rs, vtKey(t, jwtx.RS256, &f.rs2.PublicKey, vtKidRS)}, wantErr: jwtx.ErrKey},
		{name: "A12/duplicate-kid-other-alg", keys: []*jwtx.Key{rs, vtKey(t, jwtx.ES256, &f.es.PublicKey, vtKidRS)}, wantErr: jwtx.ErrKey},
		{name: "A12/two-kidless-same-alg", keys: []*jwtx.Key{vtKey(t, jwtx.RS256, &f.rs.PublicKey, ""), vtKey(t, jwtx.RS256, &f.rs2.PublicKey, "")}, wantErr: jwtx.ErrKey},
		{name: "A12/empty", keys: nil, wantErr: jwtx.ErrKey},
		{name: "A12/nil-key", keys: []*jwtx.Key{rs, nil}, wantErr: jwtx.ErrKey},
		{name: "A12/two-HMAC", keys: []*jwtx.Key{vtHSKey(t), vtKey(t, jwtx.HS256, f.ahs, "hs-2")}},
		{name: "A12/rotation", keys: []*jwtx.Key{rs, vtKey(t, jwtx.RS256, &f.rs2.PublicKey, vtKidRS2)}},
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
	in := si(vtHES, vtClaimsJSON(vtNow(), "sub", `"admin"`))
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
				tok := vtWithSig(in, vtRS(elliptic.P256(), r.v, s.v))
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
	in := si(vtHES, vtClaimsJSON(vtNow()))
	sig := vtSign(t, "ES256", in, f.es)
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	n := elliptic.P256().Params().N
	der, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	if err != nil {
		t.Fatalf("DER: %v", err)
	}
	es := vtESKey(t)
	for _, tc := range []vtCase{
		{name: "A15/control", token: vtWithSig(in, sig)},
		{name: "A15/DER", token: vtWithSig(in, der), wantErr: jwtx.ErrSignature},
		{name: "A15/append-00-00", token: vtWithSig(in, append(append([]byte(nil), sig...), 0, 0)), wantErr: jwtx.ErrSignature},
		{name: "A15/prepend-00", token: vtWithSig(in, append([]byte{0}, sig...)), wantErr: jwtx.ErrSignature},
		{name: "A15/truncate-63", token: vtWithSig(in, sig[:63]), wantErr: jwtx.ErrSignature},
		{name: "A15/swap-r-s", token: vtWithSig(in, append(append([]byte(nil), sig[32:]...), sig[:32]...)), wantErr: jwtx.ErrSignature},
		{name: "A15/s-plus-n", token: vtWithSig(in, vtRS(elliptic.P256(), r, new(big.Int).Add(s, n))), wantErr: jwtx.ErrSignature},
		// Spec behaviour: accepted. Token strings are therefore not unique;
		// revocation is keyed by jti (see TestVerifyRevocation).
		{name: "A15/r-n-minus-s", token: vtWithSig(in, vtRS(elliptic.P256(), r, new(big.Int).Sub(n, s)))},
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
	f := fixture(t)
	hPS := `{"alg":"PS256","typ":"at+jwt","kid":"rs-1"}`
	in := si(hPS, vtClaimsJSON(vtNow()))
	auto, err := rsa.SignPSS(rand.Reader, f.rs, crypto.SHA256, vtDigest(crypto.SHA256, in), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	if err != nil {
		t.Fatalf("SignPSS: %v", err)
	}
	ps := vtKey(t, jwtx.PS256, &f.rs.PublicKey, vtKidRS)
	for _, tc := range []vtCase{
		{name: "A17/salt-0", token: vtWithSig(in, vtSignPSS(t, f.rs, crypto.SHA256, in, 0)), wantErr: jwtx.ErrSignature},
		{name: "A17/salt-20", token: vtWithSig(in, vtSignPSS(t, f.rs, crypto.SHA256, in, 20)), wantErr: jwtx.ErrSignature},
		{name: "A17/salt-64", token: vtWithSig(in, vtSignPSS(t, f.rs, crypto.SHA256, in, 64)), wantErr: jwtx.ErrSignature},
		{name: "A17/salt-maximum", token: vtWithSig(in, auto), wantErr: jwtx.ErrSignature},
		{name: "A17/salt-32", token: vtWithSig(in, vtSignPSS(t, f.rs, crypto.SHA256, in, 32))},
		{name: "A17/salt-32-crypto-rsa", token: jws(t, "PS256", hPS, vtClaimsJSON(vtNow()), f.rs)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.keys = ps
			vtRun(t, tc)
		})
	}
}

// TestVerifyJSONSerialization covers B1, B2 and B16: JSON serializations,
// the compact/JSON polyglot and malformed JSON structures are not compact
// tokens, whatever signatures they carry.
func TestVerifyJSONSerialization(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	t0 := vtSegments(jws(t, "RS256", vtH0, vtClaimsJSON(now), f.rs))
	h, p, s := t0[0], t0[1], t0[2]
	pAdmin := b64u(vtClaimsJSON(now, "sub", `"admin"`))
	sAttacker := b64u(string(vtSign(t, "RS256", h+"."+p, f.ars)))
	flattened := `{"payload":"` + p + `","protected":"` + h + `","header":{"kid":"rs-1","typ":"at+jwt"},"signature":"` + s + `"}`
	const (
		rfc7515A6  = `{"payload":"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ","signatures":[{"protected":"eyJhbGciOiJSUzI1NiJ9","header":{"kid":"2010-12-29"},"signature":"cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"},{"protected":"eyJhbGciOiJFUzI1NiJ9","header":{"kid":"e9bc097a-ce51-4036-9562-d2ade882db0d"},"signature":"DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"}]}`
		rfc7515A7  = `{"payload":"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ","protected":"eyJhbGciOiJFUzI1NiJ9","header":{"kid":"e9bc097a-ce51-4036-9562-d2ade882db0d"},"signature":"DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"}`
		rfc7520s47 = `{"payload":"SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4","header":{"alg":"HS256","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037"},"signature":"xuLifqLGiblpv9zBpuZczWhNj1gARaLV3UxvxhJxZuk"}`
	)
	for _, tc := range []vtCase{
		{name: "B1/flattened", token: flattened},
		{name: "B1/flattened-pretty", token: "{\n  \"payload\": \"" + p + "\",\n  \"protected\": \"" + h + "\",\n  \"signature\": \"" + s + "\"\n}"},
		{name: "B1/general", token: `{"payload":"` + p + `","signatures":[{"protected":"` + h + `","header":{"kid":"rs-1"},"signature":"` + s + `"}]}`},
		{name: "B1/general-two-signatures", token: `{"payload":"` + p + `","signatures":[{"protected":"` + h + `","header":{"kid":"attacker"},"signature":"` + sAttacker + `"},{"protected":"` + h + `","header":{"kid":"rs-1"},"signature":"` + s + `"}]}`},
		{name: "B1/rfc7515-A.6", token: rfc7515A6},
		{name: "B1/rfc7515-A.7", token: rfc7515A7},
		{name: "B1/flattened-base64url", token: b64u(flattened)},
		{name: "B2/polyglot", token: `{"` + h + `.` + pAdmin + `.":"","protected":"` + h + `","payload":"` + p + `","signature":"` + s + `"}`},
		{name: "B16/signature-without-protected", token: `{"payload":"e30","signature":"AAAA"}`},
		{name: "B16/signatures-without-protected", token: `{"payload":"e30","signatures":[{"signature":"AAAA"}]}`},
		{name: "B16/empty-signatures", token: `{"payload":"e30","signatures":[]}`},
		{name: "B16/null-signatures", token: `{"signatures":null}`},
		{name: "B16/rfc7520-4.7-content-only", token: rfc7520s47, keys: vtHSKey(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.wantErr = jwtx.ErrMalformed
			vtRun(t, tc)
		})
	}
}

// TestVerifyJWE covers B3: five-segment JWE tokens are refused before any
// key is used, and a nested JWT (cty "JWT") is refused.
func TestVerifyJWE(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(now, "sub", `"admin"`)
	jweRSA, err := jwe.Encrypt([]byte(pAdmin), jwe.WithKey(jwa.RSA_OAEP, &f.rs.PublicKey), jwe.WithContentEncryption(jwa.A128GCM))
	if err != nil {
		t.Fatalf("JWE RSA-OAEP: %v", err)
	}
	jweDir, err := jwe.Encrypt([]byte(pAdmin), jwe.WithKey(jwa.DIRECT, f.hs), jwe.WithContentEncryption(jwa.A256GCM))
	if err != nil {
		t.Fatalf("JWE dir: %v", err)
	}
	for _, tok := range [][]byte{jweRSA, jweDir} {
		if n := bytes.Count(tok, []byte(".")); n != 4 {
			t.Fatalf("JWE %s has %d dots, want 4", vtDescribe(string(tok)), n)
		}
	}
	const rfc7520s6Outer = "eyJhbGciOiJSU0EtT0FFUCIsImN0eSI6IkpXVCIsImVuYyI6IkExMjhHQ00ifQ.a0JHRoITfpX4qRewImjlStn8m3CPxBV1ueYlVhjurCyrBg3I7YhCRYjphDOOS4E7rXbr2Fn6NyQq-A-gqT0FXqNjVOGrG-bi13mwy7RoYhjTkBEC6P7sMYMXXx4gzMedpiJHQVeyI-zkZV7A9matpgevAJWrXzOUysYGTtwoSN6gtUVtlLaivjvb21O0ul4YxSHV-ByK1kyeetRp_fuYJxHoKLQL9P424sKx2WGYb4zsBIPF4ssl_e5IR7nany-25_UmC2urosNkoFz9cQ82MypZP8gqbQJyPN-Fpp4Z-5o6yV64x6yzDUF_5JCIdl-Qv6H5dMVIY7q1eKpXcV1lWO_2FefEBqXxXvIjLeZivjNkzogCq3-IapSjVFnMjBxjpYLT8muaawo1yy1XXMuinIpNcOY3n4KKrXLrCcteX85m4IIHMZa38s1Hpr56fPPseMA-Jltmt-a9iEDtOzhtxz8AXy9tsCAZV2XBWNG8c3kJusAamBKOYwfk7JhLRDgOnJjlJLhn7TI4UxDp9dCmUXEN6z0v23W15qJIEXNJtqnblpymooeWAHCT4e_Owbim1g0AEpTHUdA2iiLNs9WTX_H_TXuPC8yDDhi1smxS_X_xpkIHkiIHWDOLx03BpqDTivpKkBYwqP2UZkcxqX2Fo_GnVrNwlK7Lgxw6FSQvDO0.GbX1i9kXz0sxXPmA.SZI4IvKHmwpazl_pJQXX3mHv1ANnOU4Wf9-utWYUcKrBNgCe2OFMf66cSJ8k2QkxaQD3_R60MGE9ofomwtky3GFxMeGRjtpMt9OAvVLsAXB0_UTCBGyBg3C2bWLXqZlfJAAoJRUPRk-BimYZY81zVBuIhc7HsQePCpu33SzMsFHjn4lP_idrJz_glZTNgKDt8zdnUPauKTKDNOH1DD4fuzvDYfDIAfqGPyL5sVRwbiXpXdGokEszM-9ChMPqW1QNhzuX_Zul3bvrJwr7nuGZs4cUScY3n8yE3AHCLurgls-A9mz1X38xEaulV18l4Fg9tLejdkAuQZjPbqeHQBJe4IwGD5Ee0dQ-Mtz4NnhkIWx-YKBb_Xo2zI3Q_1sYjKUuis7yWW-HTr_vqvFt0bj7WJf2vzB0TZ3dvsoGaTvPH2dyWwumUrlx4gmPUzBdwTO6ubfYSDUEEz5py0d_OtWeUSYcCYBKD-aM7tXg26qJo21gYjLfhn9zy-W19sOCZGuzgFjPhawXHpvnj_t-0_ES96kogjJLxS1IMU9Y5XmnwZMyNc9EIwnogsCg-hVuvzyP0sIruktmI94_SL1xgMl7o03phcTMxtlMizR88NKU1WkBsiXMCjy1Noue7MD-ShDp5dmM.KnIKEhN8U-3C9s4gtSpjSw"
	t0 := jws(t, "RS256", vtH0, vtClaimsJSON(now), f.rs)
	hNested := `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","cty":"JWT"}`
	nested := jws(t, "RS256", hNested, t0, f.rs)
	// The payload of a nested token is the inner token's text, which is
	// not base64url of anything JSON: sign it as it appears on the wire.
	nestedRaw := b64u(hNested) + "." + t0 + "." // five segments
	for _, tc := range []vtCase{
		{name: "B3/RSA-OAEP-to-K_rs", token: string(jweRSA), wantErr: jwtx.ErrUnsupported},
		{name: "B3/dir-with-K_hs", token: string(jweDir), keys: vtHSKey(t), wantErr: jwtx.ErrUnsupported},
		{name: "B3/rfc7520-6-outer-JWE", token: rfc7520s6Outer, wantErr: jwtx.ErrUnsupported},
		{name: "B3/hand-made-JWE-header", token: b64u(`{"alg":"RSA-OAEP","enc":"A128GCM"}`) + ".AAAA.AAAA.AAAA.AAAA", wantErr: jwtx.ErrUnsupported},
		{name: "B3/four-dots", token: "....", wantErr: jwtx.ErrUnsupported},
		{name: "B3/nested-JWS-cty-JWT", token: nested, wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "B3/nested-inner-token-unencoded", token: nestedRaw, wantErr: jwtx.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyStructure covers B4: wrong segment counts, empty segments,
// detached payloads and dot floods.
func TestVerifyStructure(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	t0 := vtSegments(jws(t, "RS256", vtH0, vtClaimsJSON(now), f.rs))
	h, p, s := t0[0], t0[1], t0[2]
	// A valid detached signature: signed over h + "." + p, sent without p.
	for _, tc := range []vtCase{
		{name: "B4/empty", token: "", wantErr: jwtx.ErrMalformed},
		{name: "B4/one-dot", token: ".", wantErr: jwtx.ErrMalformed},
		{name: "B4/two-dots", token: "..", wantErr: jwtx.ErrMalformed},
		{name: "B4/three-dots", token: "...", wantErr: jwtx.ErrMalformed},
		{name: "B4/h.p", token: h + "." + p, wantErr: jwtx.ErrMalformed},
		{name: "B4/h.p.s.", token: h + "." + p + "." + s + ".", wantErr: jwtx.ErrMalformed},
		{name: "B4/h.p.s.x", token: h + "." + p + "." + s + ".x", wantErr: jwtx.ErrMalformed},
		{name: "B4/h..s-detached", token: h + ".." + s, wantErr: jwtx.ErrMalformed},
		{name: "B4/.p.s", token: "." + p + "." + s, wantErr: jwtx.ErrMalformed},
		{name: "B4/h.p.", token: h + "." + p + ".", wantErr: jwtx.ErrSignature},
		{name: "B4/Bearer", token: "Bearer", wantErr: jwtx.ErrMalformed},
		{name: "B4/Bearer-T0", token: "Bearer " + h + "." + p + "." + s, wantErr: jwtx.ErrMalformed},
		{name: "B4/10MiB-of-dots", token: strings.Repeat(".", 10<<20), wantErr: jwtx.ErrTooLarge},
		{name: "B4/h-1MiB-of-dots-p.s", token: h + strings.Repeat(".", 1<<20) + p + "." + s, wantErr: jwtx.ErrTooLarge},
		{name: "B4/10MiB-of-dots-within-limit", token: strings.Repeat(".", 10<<20), opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(11 << 20)}, wantErr: jwtx.ErrMalformed},
		{name: "B4/h-1MiB-of-dots-p.s-within-limit", token: h + strings.Repeat(".", 1<<20) + p + "." + s, opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(2 << 20)}, wantErr: jwtx.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyBase64 covers B5 (and the character-level cases of B6): every
// non-canonical encoding of a valid token is malformed.
func TestVerifyBase64(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	t0 := jws(t, "RS256", vtH0, vtClaimsJSON(now), f.rs)
	hs0 := jws(t, "HS256", vtHHS, vtClaimsJSON(now), f.hs)
	var cases []vtCase
	add := func(name, tok string, keys jwtx.VerificationKeys) {
		if tok == t0 || tok == hs0 {
			t.Fatalf("variant %s does not change the token", name)
		}
		cases = append(cases, vtCase{name: name, token: tok, keys: keys, wantErr: jwtx.ErrMalformed})
	}
	// modify returns tok with segment i replaced by g(segment).
	modify := func(tok string, i int, g func(string) string) string {
		parts := vtSegments(tok)
		parts[i] = g(parts[i])
		return strings.Join(parts, ".")
	}
	segName := []string{"header", "payload", "signature"}
	for i, seg := range segName {
		for _, pad := range []string{"=", "=="} {
			add("B5/padding-"+pad+"/"+seg, modify(t0, i, func(s string) string { return s + pad }), nil)
		}
		for _, ins := range []string{"\n", "\r\n", " ", "\t", "?", "!", "#", "%", "*", "+", "/", "\x00"} {
			add(fmt.Sprintf("B5/insert-%q/%s", ins, seg), modify(t0, i, func(s string) string { return s[:len(s)/2] + ins + s[len(s)/2:] }), nil)
		}
		add("B5/percent-encoded/"+seg, modify(t0, i, func(s string) string { return fmt.Sprintf("%%%02X", s[0]) + s[1:] }), nil)
		add("B5/cyrillic-a/"+seg, modify(t0, i, func(s string) string { return "\u0430" + s[1:] }), nil)
	}
	// Trailing bits: the header is decoded before the signature is checked,
	// so it is malformed; the payload is covered by the signature, so a
	// changed payload text is a bad signature, and the same text signed
	// anew is malformed; the signature's own trailing bits are malformed.
	t0Parts := vtSegments(t0)
	if flipped, ok := vtFlipTrailingBits(t0Parts[0]); ok {
		add("B5/trailing-bits/header", flipped+"."+t0Parts[1]+"."+t0Parts[2], nil)
	}
	if flipped, ok := vtFlipTrailingBits(t0Parts[1]); ok {
		cases = append(cases, vtCase{name: "B5/trailing-bits/payload", token: t0Parts[0] + "." + flipped + "." + t0Parts[2], wantErr: jwtx.ErrSignature})
		resigned := t0Parts[0] + "." + flipped
		add("B5/trailing-bits/payload-re-signed", vtWithSig(resigned, vtSign(t, "RS256", resigned, f.rs)), nil)
	}
	if flipped, ok := vtFlipTrailingBits(t0Parts[2]); ok {
		add("B5/trailing-bits/signature", t0Parts[0]+"."+t0Parts[1]+"."+flipped, nil)
	}
	// The standard alphabet: re-encode every segment; and force one '+' and
	// one '/' into the signature whatever the random key produced.
	var std []string
	for _, s := range vtSegments(t0) {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("decode T0: %v", err)
		}
		std = append(std, base64.RawStdEncoding.EncodeToString(b))
	}
	if tok := strings.Join(std, "."); tok != t0 {
		add("B5/standard-alphabet", tok, nil)
	}
	add("B5/standard-alphabet-plus", modify(t0, 2, func(s string) string { return "+" + s[1:] }), nil)
	add("B5/standard-alphabet-slash", modify(t0, 2, func(s string) string { return "/" + s[1:] }), nil)
	add("B5/std-padded-signature", modify(t0, 2, func(s string) string {
		b, _ := base64.RawURLEncoding.DecodeString(s)
		return base64.URLEncoding.EncodeToString(b)
	}), nil)
	add("B5/append-!!!!", t0+"!!!!", nil)
	add("B5/trailing-newline", t0+"\n", nil)
	add("B5/trailing-CRLF", t0+"\r\n", nil)
	add("B5/leading-space", " "+t0, nil)
	add("B5/trailing-space", t0+" ", nil)
	add("B6/NBSP", "\u00a0"+t0, nil)
	add("B6/zero-width-space", t0+"\u200b", nil)
	add("B6/BOM", "\ufeff"+t0, nil)
	add("B6/fullwidth-dots", strings.ReplaceAll(t0, ".", "\uff0e"), nil)
	add("B6/ideographic-dots", strings.ReplaceAll(t0, ".", "\u3002"), nil)
	// A 32-byte HMAC (43 characters) has 2 unused bits in its last character.
	if flipped, ok := vtFlipTrailingBits(vtSegments(hs0)[2]); ok {
		add("B5/trailing-bits/HS256-signature", modify(hs0, 2, func(string) string { return flipped }), vtHSKey(t))
	} else {
		t.Fatalf("an HS256 signature segment has unused bits")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyNotOneObject covers B7: a header or claims segment that is not
// exactly one JSON object, signed correctly.
func TestVerifyNotOneObject(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	var cases []vtCase
	for _, tc := range []struct {
		name    string
		json    string
		wantErr error
	}{
		{name: "array", json: `[]`, wantErr: jwtx.ErrMalformed},
		{name: "string", json: `"x"`, wantErr: jwtx.ErrMalformed},
		{name: "number", json: `1`, wantErr: jwtx.ErrMalformed},
		{name: "null", json: `null`, wantErr: jwtx.ErrMalformed},
		{name: "empty", json: ``, wantErr: jwtx.ErrMalformed},
		{name: "whitespace-only", json: ` `, wantErr: jwtx.ErrMalformed},
		{name: "object-then-x", json: `{}x`, wantErr: jwtx.ErrMalformed},
		{name: "two-objects", json: `{}{}`, wantErr: jwtx.ErrMalformed},
		{name: "comment", json: `{"a":1}//c`, wantErr: jwtx.ErrMalformed},
		{name: "single-quotes", json: `{'alg':'RS256'}`, wantErr: jwtx.ErrMalformed},
		{name: "NaN", json: `{"exp":NaN}`, wantErr: jwtx.ErrMalformed},
		{name: "Infinity", json: `{"exp":Infinity}`, wantErr: jwtx.ErrMalformed},
		{name: "trailing-comma", json: `{"a":1,}`, wantErr: jwtx.ErrMalformed},
		{name: "BOM", json: "\ufeff{}", wantErr: jwtx.ErrMalformed},
	} {
		cases = append(cases,
			vtCase{name: "B7/header/" + tc.name, token: jws(t, "RS256", tc.json, c0, f.rs), wantErr: tc.wantErr},
			vtCase{name: "B7/claims/" + tc.name, token: jws(t, "RS256", vtH0, tc.json, f.rs), wantErr: tc.wantErr},
		)
	}
	cases = append(cases,
		// Valid JSON, but a header without alg.
		vtCase{name: "B7/header/{}-trailing-space", token: jws(t, "RS256", `{} `, c0, f.rs), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		vtCase{name: "B7/header/H0-then-x", token: jws(t, "RS256", vtH0+"x", c0, f.rs), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/header/H0-then-H0", token: jws(t, "RS256", vtH0+vtH0, c0, f.rs), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/C0-then-x", token: jws(t, "RS256", vtH0, c0+"x", f.rs), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/C0-then-C0", token: jws(t, "RS256", vtH0, c0+c0, f.rs), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/C0-then-comment", token: jws(t, "RS256", vtH0, c0+"//c", f.rs), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/C0-trailing-comma", token: jws(t, "RS256", vtH0, c0[:len(c0)-1]+",}", f.rs), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/{}", token: jws(t, "RS256", vtH0, `{}`, f.rs), wantErr: jwtx.ErrMissingClaim},
		// Whitespace around the object is legal JSON.
		vtCase{name: "B7/header/H0-trailing-space", token: jws(t, "RS256", vtH0+" ", c0, f.rs)},
		vtCase{name: "B7/header/H0-surrounding-whitespace", token: jws(t, "RS256", " \t\n"+vtH0+"\r\n", c0, f.rs)},
		vtCase{name: "B7/claims/C0-trailing-space", token: jws(t, "RS256", vtH0, c0+" ", f.rs)},
		vtCase{name: "B7/claims/C0-surrounding-whitespace", token: jws(t, "RS256", vtH0, "\n\t "+c0+"\r\n", f.rs)},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyDuplicateMembers covers B8: duplicate member names in the header
// and the claims, also when escaped, and claim names that encoding/json
// would match case-insensitively to a field of the claims type.
func TestVerifyDuplicateMembers(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	past, future := vtUnix(now.Add(-time.Hour)), vtUnix(now.Add(300*time.Second))
	for _, tc := range []vtCase{
		{name: "B8/header/alg-RS256-none", token: jws(t, "RS256", `{"alg":"RS256","alg":"none","typ":"at+jwt","kid":"rs-1"}`, c0, f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/alg-none-RS256", token: jws(t, "RS256", `{"alg":"none","alg":"RS256","typ":"at+jwt","kid":"rs-1"}`, c0, f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/alg-same-twice", token: jws(t, "RS256", `{"alg":"RS256","alg":"RS256","typ":"at+jwt","kid":"rs-1"}`, c0, f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/alg-escaped", token: jws(t, "RS256", `{"alg":"RS256","a\u006cg":"none","typ":"at+jwt","kid":"rs-1"}`, c0, f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/kid", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","kid":"rs-2"}`, c0, f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/typ", token: jws(t, "RS256", `{"alg":"RS256","typ":"refresh+jwt","typ":"at+jwt","kid":"rs-1"}`, c0, f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/nested", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x":{"a":1,"a":2}}`, c0, f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/sub", token: jws(t, "RS256", vtH0, vtAppendMember(c0, `"sub":"admin"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/exp-future-past", token: jws(t, "RS256", vtH0, vtAppendMember(c0, `"exp":`+past), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/exp-past-future", token: jws(t, "RS256", vtH0, vtAppendMember(vtClaimsJSON(now, "exp", past), `"exp":`+future), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/aud", token: jws(t, "RS256", vtH0, vtAppendMember(c0, `"aud":"other"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/type", token: jws(t, "RS256", vtH0, vtAppendMember(c0, `"type":"refresh"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/sub-escaped", token: jws(t, "RS256", vtH0, vtAppendMember(c0, `"s\u0075b":"admin"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/custom", token: jws(t, "RS256", vtH0, vtAppendMember(vtClaimsJSON(now, "role", `"user"`), `"role":"admin"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/nested", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "x", `{"a":1,"a":2}`), f.rs), wantErr: jwtx.ErrMalformed},
		// encoding/json matches names case-insensitively (and with Unicode
		// simple folding: U+017F long s folds to s). Two names of one object
		// that fold together are duplicates, at any depth; a lone name that
		// folds to a field of the claims type without being its name is
		// refused with a ClaimError naming it.
		{name: "B8/claims/Exp-and-exp", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "Exp", "1"), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/EXP-only", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "exp", "", "EXP", future), f.rs), wantErr: jwtx.ErrMalformed, wantClaim: "EXP"},
		{name: "B8/claims/SUB", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "SUB", `"admin"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/long-s-sub", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "\u017fub", `"admin"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/Role", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "role", `"user"`, "Role", `"admin"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/ADMIN", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "ADMIN", `true`), f.rs), wantErr: jwtx.ErrMalformed, wantClaim: "ADMIN"},
		// A nested object of the claims type has the same ambiguity:
		// encoding/json lets "ID" overwrite "id" inside org.
		{name: "B8/claims/nested-case-variant", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "org", `{"id":"victim","ID":"attacker"}`), f.rs), wantErr: jwtx.ErrMalformed},
		// A lone name unrelated to the claims type is not ambiguous; two
		// that fold together still are.
		{name: "B8/claims/Foo", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "Foo", "1"), f.rs)},
		{name: "B8/claims/Foo-and-foo", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "Foo", "1", "foo", "2"), f.rs), wantErr: jwtx.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyUnicode covers B9: invalid UTF-8, lone surrogates and NUL in
// claims are malformed; escapes decode to exactly the escaped text, and
// nothing is case-folded or normalised.
func TestVerifyUnicode(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	sub := func(s string) *vtClaims { return vtC0With(now, func(c *vtClaims) { c.Subject = s }) }
	for _, tc := range []vtCase{
		{name: "B9/raw-0xff", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", "\"admin\xff\""), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/overlong-slash", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", "\"\xc0\xaf\""), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/encoded-surrogate", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", "\"\xed\xa0\x80\""), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/lone-high-surrogate-escape", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", `"\ud800"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/lone-low-surrogate-escape", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", `"\udc00"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/reversed-surrogates", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", `"\ude00\ud83d"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/escaped-NUL", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", `"admin\u0000"`), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/raw-NUL", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", "\"admin\x00\""), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/raw-control", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", "\"admin\n\""), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/invalid-UTF-8-in-name", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "x\xff", "1"), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/invalid-UTF-8-in-custom-claim", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "role", "\"\xff\""), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/invalid-UTF-8-in-header", token: jws(t, "RS256", "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"rs-1\",\"x\":\"\xff\"}", vtClaimsJSON(now), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B9/escaped-admin", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", `"\u0061dmin"`), f.rs), want: sub("admin")},
		{name: "B9/ADMIN-kept", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", `"ADMIN"`), f.rs), want: sub("ADMIN")},
		{name: "B9/dotless-i-kept", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", `"adm\u0131n"`), f.rs), want: sub("adm\u0131n")},
		{name: "B9/surrogate-pair", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", `"\ud83d\ude00"`), f.rs), want: sub("\U0001F600")},
		{name: "B9/raw-UTF-8", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "sub", `"ü"`), f.rs), want: sub("ü")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifySize covers B10: the length cap comes first, and a kid within
// the cap is still just an unknown key.
func TestVerifySize(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	t0 := jws(t, "RS256", vtH0, c0, f.rs)
	kidHeader := func(n int) string {
		return `{"alg":"RS256","typ":"at+jwt","kid":"` + strings.Repeat("k", n) + `"}`
	}
	within := jws(t, "RS256", kidHeader(5<<10), c0, f.rs)
	if len(within) > jwtx.DefaultMaxTokenSize {
		t.Fatalf("token with a 5 KiB kid has %d bytes, more than the default limit", len(within))
	}
	var many strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&many, `"c%06d":0,`, i)
	}
	for _, tc := range []vtCase{
		{name: "B10/64KiB-header", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","pad":"`+strings.Repeat("A", 64<<10)+`"}`, c0, f.rs), wantErr: jwtx.ErrTooLarge},
		{name: "B10/1MiB-payload", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "pad", `"`+strings.Repeat("A", 1<<20)+`"`), f.rs), wantErr: jwtx.ErrTooLarge},
		{name: "B10/8MiB-signature", token: si(vtH0, c0) + "." + strings.Repeat("A", 8<<20), wantErr: jwtx.ErrTooLarge},
		{name: "B10/1MiB-kid", token: jws(t, "RS256", kidHeader(1<<20), c0, f.rs), wantErr: jwtx.ErrTooLarge},
		{name: "B10/100000-claims", token: jws(t, "RS256", vtH0, "{"+many.String()+c0[1:], f.rs), wantErr: jwtx.ErrTooLarge},
		{name: "B10/7KiB-kid", token: jws(t, "RS256", kidHeader(7<<10), c0, f.rs), wantErr: jwtx.ErrTooLarge},
		{name: "B10/7KiB-kid-raised-limit", token: jws(t, "RS256", kidHeader(7<<10), c0, f.rs), opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(16 << 10)}, wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "B10/5KiB-kid", token: within, wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "B10/T0-at-limit", token: t0, opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(len(t0))}},
		{name: "B10/T0-one-over-limit", token: t0, opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(len(t0) - 1)}, wantErr: jwtx.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyNesting covers B11: deeply nested JSON in the header and the
// claims is refused quickly; the limits are 4 levels for the header and 32
// for the claims (the top-level object is level 1).
func TestVerifyNesting(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	arrays := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	objects := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	hdr := func(x string) string { return `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x":` + x + `}` }
	big := []jwtx.VerifierOption{jwtx.WithMaxTokenSize(1 << 20)}
	for _, tc := range []vtCase{
		{name: "B11/header/3-arrays", token: jws(t, "RS256", hdr(arrays(3)), c0, f.rs)},
		{name: "B11/header/4-arrays", token: jws(t, "RS256", hdr(arrays(4)), c0, f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B11/header/10000-arrays", token: jws(t, "RS256", hdr(arrays(10000)), c0, f.rs), wantErr: jwtx.ErrTooLarge},
		{name: "B11/header/10000-arrays-raised-limit", token: jws(t, "RS256", hdr(arrays(10000)), c0, f.rs), opts: big, wantErr: jwtx.ErrMalformed},
		{name: "B11/header/100000-arrays-raised-limit", token: jws(t, "RS256", hdr(arrays(100000)), c0, f.rs), opts: big, wantErr: jwtx.ErrMalformed},
		{name: "B11/header/10000-objects-raised-limit", token: jws(t, "RS256", hdr(objects(10000)), c0, f.rs), opts: big, wantErr: jwtx.ErrMalformed},
		{name: "B11/claims/31-arrays", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "x", arrays(31)), f.rs)},
		{name: "B11/claims/32-arrays", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "x", arrays(32)), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B11/claims/1000-arrays", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "x", arrays(1000)), f.rs), wantErr: jwtx.ErrMalformed},
		{name: "B11/claims/100000-arrays-raised-limit", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "x", arrays(100000)), f.rs), opts: big, wantErr: jwtx.ErrMalformed},
		{name: "B11/claims/100000-objects-raised-limit", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "x", objects(100000)), f.rs), opts: big, wantErr: jwtx.ErrMalformed},
		{name: "B11/claims/unterminated-nesting-raised-limit", token: jws(t, "RS256", vtH0, `{"x":`+strings.Repeat("[", 100000), f.rs), opts: big, wantErr: jwtx.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyUnsupportedHeaders covers B12 (crit), B13 (b64), B14 (zip) and
// the nested-token cty: JOSE features jwtx does not implement are refused,
// never ignored.
func TestVerifyUnsupportedHeaders(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	hdr := func(extra string) string { return `{"alg":"RS256","typ":"at+jwt","kid":"rs-1",` + extra + `}` }
	var deflated bytes.Buffer
	w, err := flate.NewWriter(&deflated, flate.BestCompression)
	if err != nil {
		t.Fatalf("flate: %v", err)
	}
	w.Write([]byte(c0))
	if err := w.Close(); err != nil {
		t.Fatalf("flate: %v", err)
	}
	// RFC 7797 §4.2 verbatim: b64 false, detached payload.
	const rfc7797 = "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY"
	hB64 := `{"alg":"HS256","typ":"at+jwt","b64":false,"crit":["b64"]}`
	unencodedMAC := vtSign(t, "HS256", b64u(hB64)+"."+c0, f.hs)
	for _, tc := range []vtCase{
		{name: "B12/crit-exp", token: jws(t, "RS256", hdr(`"crit":["exp"],"exp":0`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-foo", token: jws(t, "RS256", hdr(`"crit":["foo"],"foo":1`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-empty", token: jws(t, "RS256", hdr(`"crit":[]`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-alg", token: jws(t, "RS256", hdr(`"crit":["alg"]`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-listed-absent", token: jws(t, "RS256", hdr(`"crit":["foo"]`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-not-array", token: jws(t, "RS256", hdr(`"crit":"foo"`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-b64-true", token: jws(t, "RS256", hdr(`"crit":["b64"],"b64":true`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-null", token: jws(t, "RS256", hdr(`"crit":null`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		// The unencoded payload is raw JSON, whose characters are not
		// base64url: not a compact token at all.
		{name: "B13/b64-false-crit-unencoded", token: b64u(hB64) + "." + c0 + "." + b64u(string(unencodedMAC)), keys: vtHSKey(t), wantErr: jwtx.ErrMalformed},
		{name: "B13/b64-false-crit-detached", token: b64u(hB64) + ".." + b64u(string(unencodedMAC)), keys: vtHSKey(t), wantErr: jwtx.ErrMalformed},
		{name: "B13/b64-false-without-crit", token: jws(t, "HS256", `{"alg":"HS256","typ":"at+jwt","b64":false}`, c0, f.hs), keys: vtHSKey(t), wantErr: jwtx.ErrUnsupported, wantParam: "b64"},
		{name: "B13/b64-true-without-crit", token: jws(t, "HS256", `{"alg":"HS256","typ":"at+jwt","b64":true}`, c0, f.hs), keys: vtHSKey(t), wantErr: jwtx.ErrUnsupported, wantParam: "b64"},
		{name: "B13/rfc7797-4.2", token: rfc7797, keys: vtHSKey(t), wantErr: jwtx.ErrMalformed},
		{name: "B14/zip-DEF-deflated", token: vtWithSig(b64u(hdr(`"zip":"DEF"`))+"."+b64u(deflated.String()), vtSign(t, "RS256", b64u(hdr(`"zip":"DEF"`))+"."+b64u(deflated.String()), f.rs)), wantErr: jwtx.ErrUnsupported, wantParam: "zip"},
		{name: "B14/zip-DEF-uncompressed", token: jws(t, "RS256", hdr(`"zip":"DEF"`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "zip"},
		{name: "B3/enc-in-JWS", token: jws(t, "RS256", hdr(`"enc":"A128GCM"`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "enc"},
		{name: "B3/cty-JWT", token: jws(t, "RS256", hdr(`"cty":"JWT"`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "B3/cty-jwt", token: jws(t, "RS256", hdr(`"cty":"jwt"`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "B3/cty-not-string", token: jws(t, "RS256", hdr(`"cty":1`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
		// RFC 7515 §4.1.10: a cty without "/" stands for "application/" + cty,
		// so "application/jwt" names a nested JWT just as "JWT" does.
		{name: "B3/cty-application-jwt", token: jws(t, "RS256", hdr(`"cty":"application/jwt"`), c0, f.rs), wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyMissingExp covers C1: exp is required by default; null is not a
// NumericDate.
func TestVerifyMissingExp(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	noExp := vtClaimsJSON(now, "exp", "")
	optional := []jwtx.VerifierOption{jwtx.WithExpiryRequired(false)}
	for _, tc := range []vtCase{
		{name: "C1/absent", token: jws(t, "RS256", vtH0, noExp, f.rs), wantErr: jwtx.ErrMissingClaim, wantClaim: "exp"},
		{name: "C1/null", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "exp", "null"), f.rs), wantErr: jwtx.ErrMalformed, wantClaim: "exp"},
		{name: "C1/absent-expiry-optional", token: jws(t, "RS256", vtH0, noExp, f.rs), opts: optional, want: vtC0With(now, func(c *vtClaims) { c.ExpiresAt = jwtx.NumericDate{} })},
		{name: "C1/null-expiry-optional", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "exp", "null"), f.rs), opts: optional, wantErr: jwtx.ErrMalformed, wantClaim: "exp"},
		{name: "C1/expired-expiry-optional", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "exp", vtUnix(now.Add(-time.Hour))), f.rs), opts: optional, wantErr: jwtx.ErrExpired, wantClaim: "exp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyExpiryBoundaries covers C2: with leeway L, a token is valid
// while now < exp + L; the boundary itself is expired.
func TestVerifyExpiryBoundaries(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	L := vtLeeway
	for _, tc := range []struct {
		name    string
		exp     time.Time
		leeway  time.Duration
		wantErr error
	}{
		{name: "C2/now-L-1s", exp: now.Add(-L - time.Second), leeway: L, wantErr: jwtx.ErrExpired},
		{name: "C2/now-L", exp: now.Add(-L), leeway: L, wantErr: jwtx.ErrExpired},
		{name: "C2/now-L+1s", exp: now.Add(-L + time.Second), leeway: L},
		{name: "C2/now", exp: now, leeway: L},
		{name: "C2/now+1s", exp: now.Add(time.Second), leeway: L},
		{name: "C2/now-1h", exp: now.Add(-time.Hour), leeway: L, wantErr: jwtx.ErrExpired},
		{name: "C2/no-leeway/now-1s", exp: now.Add(-time.Second), wantErr: jwtx.ErrExpired},
		{name: "C2/no-leeway/now", exp: now, wantErr: jwtx.ErrExpired},
		{name: "C2/no-leeway/now+1s", exp: now.Add(time.Second)},
		{name: "C2/max-leeway/now-5m", exp: now.Add(-jwtx.MaxLeeway), leeway: jwtx.MaxLeeway, wantErr: jwtx.ErrExpired},
		{name: "C2/max-leeway/now-5m+1s", exp: now.Add(-jwtx.MaxLeeway + time.Second), leeway: jwtx.MaxLeeway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := jws(t, "RS256", vtH0, vtClaimsJSON(now, "exp", vtUnix(tc.exp)), f.rs)
			want := vtC0With(now, func(c *vtClaims) { c.ExpiresAt = jwtx.NewNumericDate(tc.exp) })
			var claim string
			if tc.wantErr != nil {
				claim = "exp"
			}
			vtRun(t, vtCase{token: tok, opts: []jwtx.VerifierOption{jwtx.WithLeeway(tc.leeway)}, wantErr: tc.wantErr, wantClaim: claim, want: want})
		})
	}
}

// TestVerifyNumericDateTypes covers C3: exp, nbf and iat accept JSON numbers
// in range only, fractions and exponents included; everything else is
// malformed, and nothing wraps around.
func TestVerifyNumericDateTypes(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	soon := now.Add(300 * time.Second)
	sec := strconv.FormatInt(soon.Unix(), 10)
	type value struct {
		name    string
		raw     string
		wantErr error // nil: the claim is acceptable
	}
	malformed := []value{
		{"numeric-string", `"` + sec + `"`, jwtx.ErrMalformed},
		{"RFC3339-string", `"2099-01-01T00:00:00Z"`, jwtx.ErrMalformed},
		{"1e300", `1e300`, jwtx.ErrMalformed},
		{"-1e300", `-1e300`, jwtx.ErrMalformed},
		{"2^63", `9223372036854775808`, jwtx.ErrMalformed},
		{"2^64", `18446744073709551616`, jwtx.ErrMalformed},
		{"-2^63", `-9223372036854775808`, jwtx.ErrMalformed},
		{"year-10000", `253402300800`, jwtx.ErrMalformed},
		{"true", `true`, jwtx.ErrMalformed},
		{"false", `false`, jwtx.ErrMalformed},
		{"null", `null`, jwtx.ErrMalformed},
		{"array", `[` + sec + `]`, jwtx.ErrMalformed},
		{"object", `{"$date":` + sec + `}`, jwtx.ErrMalformed},
		{"empty-string", `""`, jwtx.ErrMalformed},
	}
	type table struct {
		claim string
		extra []value
	}
	tables := []table{
		{claim: "exp", extra: []value{
			{"fraction", sec + ".5", nil},
			{"exponent", strconv.FormatFloat(float64(soon.Unix()), 'e', -1, 64), nil},
			{"exponent-E0", sec + "E0", nil},
			{"exponent-negative", sec + "0e-1", nil},
			{"1.7e9", `1.7e9`, jwtx.ErrExpired},
			{"17e8", `17e8`, jwtx.ErrExpired},
			{"-1", `-1`, jwtx.ErrExpired},
			{"0", `0`, jwtx.ErrExpired},
			{"-0", `-0`, jwtx.ErrExpired},
			{"0.0", `0.0`, jwtx.ErrExpired},
			{"underflow", `1e-400`, jwtx.ErrExpired},
			{"year-9999", `253402300799`, nil},
		}},
		{claim: "nbf", extra: []value{
			{"fraction", strconv.FormatInt(now.Unix(), 10) + ".5", nil},
			{"exponent", `1.7e9`, nil},
			{"-1", `-1`, nil},
			{"0", `0`, nil},
			{"future-beyond-leeway", vtUnix(now.Add(vtLeeway + time.Second)), jwtx.ErrNotYetValid},
			{"year-9999", `253402300799`, jwtx.ErrNotYetValid},
		}},
		{claim: "iat", extra: []value{
			{"fraction", strconv.FormatInt(now.Unix(), 10) + ".5", nil},
			{"exponent", `1.7e9`, nil},
			{"-1", `-1`, nil},
			{"0", `0`, nil},
			{"year-9999", `253402300799`, jwtx.ErrIssuedAt},
		}},
	}
	for _, tb := range tables {
		for _, v := range append(append([]value(nil), malformed...), tb.extra...) {
			t.Run("C3/"+tb.claim+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				tok := jws(t, "RS256", vtH0, vtClaimsJSON(now, tb.claim, v.raw), f.rs)
				tc := vtCase{token: tok, wantErr: v.wantErr}
				if v.wantErr != nil {
					tc.wantClaim = tb.claim
				} else {
					tc.want = vtDecodedDate(t, now, tb.claim, v.raw)
				}
				vtRun(t, tc)
			})
		}
	}
}

// vtDecodedDate returns C0 with one NumericDate claim set to raw, a JSON
// number, as the test (not jwtx) reads it.
func vtDecodedDate(t *testing.T, now time.Time, claim, raw string) *vtClaims {
	t.Helper()
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("test value %q: %v", raw, err)
	}
	secs := int64(f)
	nanos := int64((f - float64(secs)) * 1e9)
	if i, err := strconv.ParseInt(raw, 10, 64); err == nil {
		secs, nanos = i, 0
	}
	d := jwtx.NumericDate{Time: time.Unix(secs, nanos).UTC()}
	return vtC0With(now, func(c *vtClaims) {
		switch claim {
		case "exp":
			c.ExpiresAt = d
		case "nbf":
			c.NotBefore = d
		case "iat":
			c.IssuedAt = d
		}
	})
}

// TestVerifyNotBeforeIssuedAt covers C4: nbf and iat in the future beyond
// the leeway, and WithMaxAge.
func TestVerifyNotBeforeIssuedAt(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	L := vtLeeway
	day := 24 * time.Hour
	maxAge := []jwtx.VerifierOption{jwtx.WithMaxAge(day)}
	// The tokens below keep exp valid: now+300s.
	tok := func(edits ...string) string { return jws(t, "RS256", vtH0, vtClaimsJSON(now, edits...), f.rs) }
	nbf := func(d time.Duration) *vtClaims {
		return vtC0With(now, func(c *vtClaims) { c.NotBefore = jwtx.NewNumericDate(now.Add(d)) })
	}
	iat := func(d time.Duration) *vtClaims {
		return vtC0With(now, func(c *vtClaims) { c.IssuedAt = jwtx.NewNumericDate(now.Add(d)) })
	}
	for _, tc := range []vtCase{
		{name: "C4/nbf/now+L+60s", token: tok("nbf", vtUnix(now.Add(L+time.Minute))), wantErr: jwtx.ErrNotYetValid, wantClaim: "nbf"},
		{name: "C4/nbf/now+L+1s", token: tok("nbf", vtUnix(now.Add(L+time.Second))), wantErr: jwtx.ErrNotYetValid, wantClaim: "nbf"},
		{name: "C4/nbf/now+L", token: tok("nbf", vtUnix(now.Add(L))), want: nbf(L)},
		{name: "C4/nbf/now+L-1s", token: tok("nbf", vtUnix(now.Add(L-time.Second))), want: nbf(L - time.Second)},
		{name: "C4/nbf/absent", token: tok("nbf", ""), want: vtC0With(now, func(c *vtClaims) { c.NotBefore = jwtx.NumericDate{} })},
		{name: "C4/iat/now+1h", token: tok("iat", vtUnix(now.Add(time.Hour))), wantErr: jwtx.ErrIssuedAt, wantClaim: "iat"},
		{name: "C4/iat/now+L+1s", token: tok("iat", vtUnix(now.Add(L+time.Second))), wantErr: jwtx.ErrIssuedAt, wantClaim: "iat"},
		{name: "C4/iat/now+L", token: tok("iat", vtUnix(now.Add(L))), want: iat(L)},
		{name: "C4/iat/now-30d-no-max-age", token: tok("iat", vtUnix(now.Add(-30*day))), want: iat(-30 * day)},
		{name: "C4/iat/now-30d-max-age-1d", token: tok("iat", vtUnix(now.Add(-30*day))), opts: maxAge, wantErr: jwtx.ErrIssuedAt, wantClaim: "iat"},
		{name: "C4/iat/now-1d-L-1s-max-age-1d", token: tok("iat", vtUnix(now.Add(-day-L-time.Second))), opts: maxAge, wantErr: jwtx.ErrIssuedAt, wantClaim: "iat"},
		{name: "C4/iat/now-1d-L-max-age-1d", token: tok("iat", vtUnix(now.Add(-day-L))), opts: maxAge, want: iat(-day - L)},
		{name: "C4/iat/absent-max-age-1d", token: tok("iat", ""), opts: maxAge, wantErr: jwtx.ErrMissingClaim, wantClaim: "iat"},
		{name: "C4/iat/absent-no-max-age", token: tok("iat", ""), want: vtC0With(now, func(c *vtClaims) { c.IssuedAt = jwtx.NumericDate{} })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyAudience covers C5 (CVE-2020-26160): aud is a string or an
// array of strings, compared exactly.
func TestVerifyAudience(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	aud := func(a ...string) *vtClaims {
		return vtC0With(now, func(c *vtClaims) { c.Audience = jwtx.Audience(a) })
	}
	for _, tc := range []struct {
		name      string
		raw       string // "" removes aud
		bare      bool   // a verifier without WithAudience
		wantErr   error
		wantClaim string
		want      *vtClaims
	}{
		{name: "C5/string", raw: `"api"`, want: aud("api")},
		{name: "C5/array", raw: `["api"]`, want: aud("api")},
		{name: "C5/array-second", raw: `["other","api"]`, want: aud("other", "api")},
		{name: "C5/array-whitespace", raw: `[ "other" , "api" ]`, want: aud("other", "api")},
		{name: "C5/array-escaped", raw: `["\u0061pi"]`, want: aud("api")},
		{name: "C5/other", raw: `["other"]`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/empty-array", raw: `[]`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/absent", raw: ``, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/null", raw: `null`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/empty-string", raw: `""`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/trailing-space", raw: `"api "`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/upper-case", raw: `"API"`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/prefix", raw: `"api-evil"`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/suffix", raw: `"evil-api"`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/array-prefix", raw: `["api-evil"]`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/space-separated", raw: `"other api"`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/number-element", raw: `[1,"api"]`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/null-element", raw: `["api",null]`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/nested-array", raw: `["api",["api"]]`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/object", raw: `{"0":"api"}`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/number", raw: `1`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/true", raw: `true`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		// RFC 7519 §4.1.3: a recipient that does not identify itself with
		// a value in aud must reject a token that has one.
		{name: "C5/no-audience-configured/aud-present", raw: `"api"`, bare: true, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/no-audience-configured/aud-absent", raw: ``, bare: true, want: aud()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := jws(t, "RS256", vtH0, vtClaimsJSON(now, "aud", tc.raw), f.rs)
			c := vtCase{token: tok, wantErr: tc.wantErr, wantClaim: tc.wantClaim, want: tc.want}
			if tc.bare {
				c.bare = true
				c.opts = []jwtx.VerifierOption{jwtx.WithIssuer(vtIssuer)}
			}
			vtRun(t, c)
		})
	}
}

// TestVerifyIssuer covers C6: iss is one string, compared byte for byte.
func TestVerifyIssuer(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	for _, tc := range []struct {
		name    string
		raw     string // "" removes iss
		wantErr error
	}{
		{name: "C6/exact", raw: `"https://issuer.test"`},
		{name: "C6/escaped", raw: `"https:\/\/issuer.test"`},
		{name: "C6/trailing-slash", raw: `"https://issuer.test/"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/prefix", raw: `"https://issuer"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/suffix", raw: `"https://issuer.test.evil"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/upper-case", raw: `"HTTPS://ISSUER.TEST"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/http", raw: `"http://issuer.test"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/array", raw: `["https://issuer.test"]`, wantErr: jwtx.ErrMalformed},
		{name: "C6/array-two", raw: `["https://issuer.test","evil"]`, wantErr: jwtx.ErrMalformed},
		{name: "C6/null", raw: `null`, wantErr: jwtx.ErrMalformed},
		{name: "C6/number", raw: `1`, wantErr: jwtx.ErrMalformed},
		{name: "C6/absent", raw: ``, wantErr: jwtx.ErrIssuer},
		{name: "C6/empty", raw: `""`, wantErr: jwtx.ErrIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := jws(t, "RS256", vtH0, vtClaimsJSON(now, "iss", tc.raw), f.rs)
			c := vtCase{token: tok, wantErr: tc.wantErr}
			if tc.wantErr != nil {
				c.wantClaim = "iss"
			}
			vtRun(t, c)
		})
	}
}

// TestVerifyTypedClaims covers C7: a custom claim of the wrong JSON type is
// malformed, reported under the field's name, never a silent zero value.
func TestVerifyTypedClaims(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	with := func(g func(*vtClaims)) *vtClaims { return vtC0With(now, g) }
	for _, tc := range []struct {
		name      string
		edits     []string
		wantErr   error
		wantClaim string
		want      *vtClaims
	}{
		{name: "C7/all-well-typed", edits: []string{"role", `"user"`, "admin", `true`, "roles", `["read","write"]`, "count", `7`, "org", `{"id":"o-1"}`},
			want: with(func(c *vtClaims) {
				c.Role, c.Admin, c.Roles, c.Count, c.Org = "user", true, []string{"read", "write"}, 7, &vtOrg{ID: "o-1"}
			})},
		{name: "C7/role-array", edits: []string{"role", `["user","admin"]`}, wantErr: jwtx.ErrMalformed, wantClaim: "role"},
		{name: "C7/role-object", edits: []string{"role", `{}`}, wantErr: jwtx.ErrMalformed, wantClaim: "role"},
		{name: "C7/role-number", edits: []string{"role", `1`}, wantErr: jwtx.ErrMalformed, wantClaim: "role"},
		{name: "C7/admin-string-false", edits: []string{"admin", `"false"`}, wantErr: jwtx.ErrMalformed, wantClaim: "admin"},
		{name: "C7/admin-number", edits: []string{"admin", `1`}, wantErr: jwtx.ErrMalformed, wantClaim: "admin"},
		{name: "C7/roles-string", edits: []string{"roles", `"admin"`}, wantErr: jwtx.ErrMalformed, wantClaim: "roles"},
		{name: "C7/roles-space-separated", edits: []string{"roles", `"read write"`}, wantErr: jwtx.ErrMalformed, wantClaim: "roles"},
		{name: "C7/roles-number-element", edits: []string{"roles", `["read",1]`}, wantErr: jwtx.ErrMalformed, wantClaim: "roles"},
		{name: "C7/count-2^63", edits: []string{"count", `9223372036854775808`}, wantErr: jwtx.ErrMalformed, wantClaim: "count"},
		{name: "C7/count-1e19", edits: []string{"count", `1e19`}, wantErr: jwtx.ErrMalformed, wantClaim: "count"},
		{name: "C7/count-fraction", edits: []string{"count", `1.5`}, wantErr: jwtx.ErrMalformed, wantClaim: "count"},
		{name: "C7/count-string", edits: []string{"count", `"7"`}, wantErr: jwtx.ErrMalformed, wantClaim: "count"},
		{name: "C7/org-string", edits: []string{"org", `"o-1"`}, wantErr: jwtx.ErrMalformed, wantClaim: "org"},
		{name: "C7/org-id-number", edits: []string{"org", `{"id":1}`}, wantErr: jwtx.ErrMalformed, wantClaim: "org.id"},
		{name: "C7/sub-number", edits: []string{"sub", `42`}, wantErr: jwtx.ErrMalformed, wantClaim: "sub"},
		{name: "C7/sub-array", edits: []string{"sub", `["user-42"]`}, wantErr: jwtx.ErrMalformed, wantClaim: "sub"},
		{name: "C7/jti-number", edits: []string{"jti", `1`}, wantErr: jwtx.ErrMalformed, wantClaim: "jti"},
		{name: "C7/fresh-string", edits: []string{"fresh", `"true"`}, wantErr: jwtx.ErrMalformed, wantClaim: "fresh"},
		// encoding/json leaves a field alone for null: the claim reads as
		// absent. Required custom claims need a Validate method or WithCheck
		// (see TestVerifyClaimChecks).
		{name: "C7/role-null", edits: []string{"role", `null`}, want: with(func(*vtClaims) {})},
		{name: "C7/admin-null", edits: []string{"admin", `null`}, want: with(func(*vtClaims) {})},
		{name: "C7/role-empty", edits: []string{"role", `""`}, want: with(func(*vtClaims) {})},
		// A claim the claims type does not declare is left to RawClaims.
		{name: "C7/undeclared", edits: []string{"tenant", `{"x":[1,2,3]}`}, want: with(func(*vtClaims) {})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := jws(t, "RS256", vtH0, vtClaimsJSON(now, tc.edits...), f.rs)
			vtRun(t, vtCase{token: tok, wantErr: tc.wantErr, wantClaim: tc.wantClaim, want: tc.want})
		})
	}
}

// TestVerifyTokenType covers C8 on forged tokens: the header typ and the
// type claim must both name the expected kind of token.
func TestVerifyTokenType(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	access := vtClaimsJSON(now)
	refresh := vtClaimsJSON(now, "type", `"refresh"`)
	typ := func(raw string) string {
		if raw == "" {
			return `{"alg":"RS256","kid":"rs-1"}`
		}
		return `{"alg":"RS256","typ":` + raw + `,"kid":"rs-1"}`
	}
	refreshWant := vtC0With(now, func(c *vtClaims) { c.Type = jwtx.Refresh })
	idToken := vtClaimsJSON(now, "aud", `"client-123"`, "nonce", `"n-0S6_WzA2Mj"`)
	for _, tc := range []vtCase{
		{name: "C8/access/at+jwt", token: jws(t, "RS256", typ(`"at+jwt"`), access, f.rs)},
		{name: "C8/access/refresh+jwt", token: jws(t, "RS256", typ(`"refresh+jwt"`), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/refresh-claims/at+jwt", token: jws(t, "RS256", typ(`"at+jwt"`), refresh, f.rs), wantErr: jwtx.ErrTokenType, wantClaim: "type"},
		{name: "C8/refresh-claims/at+jwt/VerifyRefresh", token: jws(t, "RS256", typ(`"at+jwt"`), refresh, f.rs), refresh: true, wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/refresh/refresh+jwt/VerifyRefresh", token: jws(t, "RS256", typ(`"refresh+jwt"`), refresh, f.rs), refresh: true, want: refreshWant},
		{name: "C8/refresh/refresh+jwt/Verify", token: jws(t, "RS256", typ(`"refresh+jwt"`), refresh, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/access-claims/refresh+jwt/VerifyRefresh", token: jws(t, "RS256", typ(`"refresh+jwt"`), access, f.rs), refresh: true, wantErr: jwtx.ErrTokenType, wantClaim: "type"},
		{name: "C8/access/at+jwt/VerifyRefresh", token: jws(t, "RS256", typ(`"at+jwt"`), access, f.rs), refresh: true, wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-absent", token: jws(t, "RS256", typ(""), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-JWT", token: jws(t, "RS256", typ(`"JWT"`), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-empty", token: jws(t, "RS256", typ(`""`), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-null", token: jws(t, "RS256", typ(`null`), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-number", token: jws(t, "RS256", typ(`1`), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-trailing-space", token: jws(t, "RS256", typ(`"at+jwt "`), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-application-only", token: jws(t, "RS256", typ(`"application/"`), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-other-prefix", token: jws(t, "RS256", typ(`"x-application/at+jwt"`), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-parameter", token: jws(t, "RS256", typ(`"at+jwt; charset=utf-8"`), access, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		// RFC 7515 §4.1.9: media types compare case-insensitively, and
		// "application/" may be left out (RFC 9068 §2.1).
		{name: "C8/typ-AT+JWT", token: jws(t, "RS256", typ(`"AT+JWT"`), access, f.rs)},
		{name: "C8/typ-application/at+jwt", token: jws(t, "RS256", typ(`"application/at+jwt"`), access, f.rs)},
		{name: "C8/typ-Application/AT+JWT", token: jws(t, "RS256", typ(`"Application/AT+JWT"`), access, f.rs)},
		{name: "C8/type-claim-absent", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "type", ""), f.rs), wantErr: jwtx.ErrTokenType, wantClaim: "type"},
		{name: "C8/type-claim-ACCESS", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "type", `"ACCESS"`), f.rs), wantErr: jwtx.ErrTokenType, wantClaim: "type"},
		{name: "C8/type-claim-number", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "type", `1`), f.rs), wantErr: jwtx.ErrMalformed, wantClaim: "type"},
		{name: "C8/id-token", token: jws(t, "RS256", typ(`"JWT"`), idToken, f.rs), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/id-token-with-at+jwt", token: jws(t, "RS256", vtH0, idToken, f.rs), wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C8/other-service-audience", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "aud", `"billing"`), f.rs), wantErr: jwtx.ErrAudience, wantClaim: "aud"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
	}
}

// TestVerifyIssuedTokenTypes covers C8 steps 1 to 3 on tokens from a real
// jwtx.Issuer: access and refresh tokens each pass only their own method.
func TestVerifyIssuedTokenTypes(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	iss, err := jwtx.NewIssuer[string, vtClaims](vtKey(t, jwtx.RS256, f.rs, vtKidRS),
		jwtx.WithClock(vtClock(now)), jwtx.WithIssuer(vtIssuer), jwtx.WithAudience(vtAudience))
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	pair, err := iss.Pair(context.Background(), vtSubject)
	if err != nil {
		t.Fatalf("Pair: %v", err)
	}
	for _, tc := range []struct {
		name      string
		token     jwtx.Token
		refresh   bool
		wantErr   error
		wantParam string
		wantType  jwtx.TokenType
	}{
		{name: "C8/issued-access/Verify", token: pair.Access, wantType: jwtx.Access},
		{name: "C8/issued-access/VerifyRefresh", token: pair.Access, refresh: true, wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/issued-refresh/Verify", token: pair.Refresh, wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/issued-refresh/VerifyRefresh", token: pair.Refresh, refresh: true, wantType: jwtx.Refresh},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := jwtx.NewClaimsVerifier[vtClaims](vtRSKey(t), vtPolicyV(now)...)
			if err != nil {
				t.Fatalf("NewClaimsVerifier: %v", err)
			}
			verify := v.Verify
			if tc.refresh {
				verify = v.VerifyRefresh
			}
			got, _, err := verify(context.Background(), tc.token.Raw)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("error mismatch (-want +got):\n%s", diff)
			}
			if err != nil {
				vtCheckRejected(t, tc.token.Raw, got, err)
				var he *jwtx.HeaderError
				if !errors.As(err, &he) || he.Param != tc.wantParam {
					t.Errorf("error %v is not a *jwtx.HeaderError for %q", err, tc.wantParam)
				}
				return
			}
			if diff := cmp.Diff(tc.wantType, got.Type); diff != "" {
				t.Errorf("type claim mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.token.ID, got.ID); diff != "" {
				t.Errorf("jti mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVerifyErrorPrecedence covers C10 (CVE-2024-51744): a bad signature is
// reported alone, never as an expiry; claim failures of a good token are
// all reported.
func TestVerifyErrorPrecedence(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	hour := vtUnix(now.Add(-time.Hour))
	expired := vtClaimsJSON(now, "exp", hour)
	for _, tc := range []struct {
		name       string
		token      string
		wantIs     []error
		wantNot    []error
		wantClaims []string // the Claim of every *jwtx.ClaimError, in order
	}{
		{
			name:    "C10/expired-and-signed-by-attacker",
			token:   jws(t, "RS256", vtH0, expired, f.ars),
			wantIs:  []error{jwtx.ErrSignature},
			wantNot: []error{jwtx.ErrExpired},
		},
		{
			name:    "C10/expired-wrong-typ-and-signed-by-attacker",
			token:   jws(t, "RS256", `{"alg":"RS256","typ":"refresh+jwt","kid":"rs-1"}`, expired, f.ars),
			wantIs:  []error{jwtx.ErrSignature},
			wantNot: []error{jwtx.ErrExpired, jwtx.ErrTokenType},
		},
		{
			name:    "C10/malformed-claims-and-bad-signature",
			token:   si(vtH0, `{"exp":"soon"}`) + "." + b64u(string(make([]byte, 256))),
			wantIs:  []error{jwtx.ErrSignature},
			wantNot: []error{jwtx.ErrMalformed},
		},
		{
			name:       "C10/expired-and-wrong-audience",
			token:      jws(t, "RS256", vtH0, vtClaimsJSON(now, "exp", hour, "aud", `"billing"`), f.rs),
			wantIs:     []error{jwtx.ErrExpired, jwtx.ErrAudience},
			wantNot:    []error{jwtx.ErrSignature},
			wantClaims: []string{"exp", "aud"},
		},
		{
			name: "C10/every-registered-claim-wrong",
			token: jws(t, "RS256", vtH0, vtClaimsJSON(now,
				"type", `"refresh"`, "sub", `""`, "exp", hour, "nbf", vtUnix(now.Add(time.Hour)),
				"iat", vtUnix(now.Add(time.Hour)), "iss", `"https://evil.test"`, "aud", `"billing"`), f.rs),
			wantIs:     []error{jwtx.ErrTokenType, jwtx.ErrMissingClaim, jwtx.ErrExpired, jwtx.ErrNotYetValid, jwtx.ErrIssuedAt, jwtx.ErrIssuer, jwtx.ErrAudience},
			wantNot:    []error{jwtx.ErrSignature},
			wantClaims: []string{"type", "sub", "exp", "nbf", "iat", "iss", "aud"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := jwtx.NewClaimsVerifier[vtClaims](vtRSKey(t), vtPolicyV(now)...)
			if err != nil {
				t.Fatalf("NewClaimsVerifier: %v", err)
			}
			got, _, err := v.Verify(context.Background(), tc.token)
			if err == nil {
				t.Fatalf("Verify accepted the token")
			}
			vtCheckRejected(t, tc.token, got, err)
			for _, target := range tc.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false, want true", err, target)
				}
			}
			for _, target := range tc.wantNot {
				if errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = true, want false", err, target)
				}
			}
			if diff := cmp.Diff(tc.wantClaims, vtClaimErrors(err)); diff != "" {
				t.Errorf("claim errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// vtRevocation is a RevocationChecker stub that records what it is asked.
type vtRevocation struct {
	revoked map[string]bool // by jti
	err     error

	mu   sync.Mutex
	seen []jwtx.TokenInfo
}

func (r *vtRevocation) Revoked(_ context.Context, tok jwtx.TokenInfo) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, tok)
	if r.err != nil {
		return false, r.err
	}
	return r.revoked[tok.ID], nil
}

func (r *vtRevocation) calls() []jwtx.TokenInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]jwtx.TokenInfo(nil), r.seen...)
}

// errStoreDown is the error of an unavailable revocation store.
var errStoreDown = errors.New("vt: revocation store down")

// TestVerifyRevocation covers C9 steps 1, 5 and 6 at the verifier:
// revocation is keyed by jti (so a re-encoded signature is still revoked),
// a token without jti is refused, and an unavailable store fails closed.
func TestVerifyRevocation(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	in := si(vtHES, c0)
	sig := vtSign(t, "ES256", in, f.es)
	n := elliptic.P256().Params().N
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	malleated := vtWithSig(in, vtRS(elliptic.P256(), r, new(big.Int).Sub(n, s)))
	info := jwtx.TokenInfo{
		ID: vtJTI, Subject: vtSubject, Issuer: vtIssuer, Type: jwtx.Access,
		IssuedAt: now, ExpiresAt: now.Add(300 * time.Second),
	}
	for _, tc := range []struct {
		name      string
		token     string
		revoked   []string
		storeErr  error
		wantErr   error
		wantClaim string
		wantCalls []jwtx.TokenInfo
	}{
		{name: "C9/not-revoked", token: vtWithSig(in, sig), wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/revoked", token: vtWithSig(in, sig), revoked: []string{vtJTI}, wantErr: jwtx.ErrRevoked, wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/revoked-malleated-signature", token: malleated, revoked: []string{vtJTI}, wantErr: jwtx.ErrRevoked, wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/other-jti-revoked", token: vtWithSig(in, sig), revoked: []string{"other"}, wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/store-unavailable", token: vtWithSig(in, sig), storeErr: errStoreDown, wantErr: jwtx.ErrRevocationUnavailable, wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/no-jti", token: jws(t, "ES256", vtHES, vtClaimsJSON(now, "jti", ""), f.es), wantErr: jwtx.ErrMissingClaim, wantClaim: "jti"},
		{name: "C9/empty-jti", token: jws(t, "ES256", vtHES, vtClaimsJSON(now, "jti", `""`), f.es), wantErr: jwtx.ErrMissingClaim, wantClaim: "jti"},
		{name: "C9/bad-signature-not-looked-up", token: jws(t, "ES256", vtHES, c0, f.aes), revoked: []string{vtJTI}, wantErr: jwtx.ErrSignature},
		{name: "C9/expired-not-looked-up", token: jws(t, "ES256", vtHES, vtClaimsJSON(now, "exp", vtUnix(now.Add(-time.Hour))), f.es), wantErr: jwtx.ErrExpired, wantClaim: "exp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := &vtRevocation{revoked: map[string]bool{}, err: tc.storeErr}
			for _, id := range tc.revoked {
				store.revoked[id] = true
			}
			vtRun(t, vtCase{token: tc.token, keys: vtESKey(t), opts: []jwtx.VerifierOption{jwtx.WithRevocation(store)}, wantErr: tc.wantErr, wantClaim: tc.wantClaim})
			if diff := cmp.Diff(tc.wantCalls, store.calls()); diff != "" {
				t.Errorf("revocation store calls mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("C9/store-error-wrapped", func(t *testing.T) {
		t.Parallel()
		store := &vtRevocation{err: errStoreDown}
		v, err := jwtx.NewClaimsVerifier[vtClaims](vtESKey(t), append(vtPolicyV(now), jwtx.WithRevocation(store))...)
		if err != nil {
			t.Fatalf("NewClaimsVerifier: %v", err)
		}
		_, _, err = v.Verify(context.Background(), vtWithSig(in, sig))
		if !errors.Is(err, jwtx.ErrRevocationUnavailable) || !errors.Is(err, errStoreDown) {
			t.Errorf("Verify error %v, want both ErrRevocationUnavailable and the store's error", err)
		}
		if errors.Is(err, jwtx.ErrRevoked) {
			t.Errorf("Verify error %v claims the token is revoked", err)
		}
	})
}

// Claims types with a Validate method, by value and by pointer receiver.
type (
	vtValueValidated struct {
		jwtx.RegisteredClaims
		Role string `json:"role,omitempty"`
	}
	vtPointerValidated struct {
		jwtx.RegisteredClaims
		Role string `json:"role,omitempty"`
	}
)

// errBanned is what the Validate methods return for role "banned".
var errBanned = errors.New("vt: banned role")

// errCheckFailed is what the WithCheck checks return for role "suspended".
var errCheckFailed = errors.New("vt: check failed")

func (c vtValueValidated) Validate() error {
	if c.Role == "banned" {
		return errBanned
	}
	return nil
}

func (c *vtPointerValidated) Validate() error {
	if c.Role == "banned" {
		return errBanned
	}
	return nil
}

// vtCheckRole is a WithCheck check. It refuses "banned" as well, so the
// tests see that Validate runs first.
func vtCheckRole[C interface{ role() string }](_ context.Context, c C) error {
	if r := c.role(); r == "suspended" || r == "banned" {
		return errCheckFailed
	}
	return nil
}

func (c vtValueValidated) role() string   { return c.Role }
func (c vtPointerValidated) role() string { return c.Role }

// TestVerifyClaimChecks covers the application's own claim checks: a
// Validate method (by value or pointer receiver) and WithCheck. Their errors
// are wrapped with ErrClaims, and Validate runs first.
func TestVerifyClaimChecks(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	tok := func(role string) string {
		return jws(t, "RS256", vtH0, vtClaimsJSON(now, "role", `"`+role+`"`), f.rs)
	}
	for _, tc := range []struct {
		name    string
		token   string
		wantIs  []error
		wantNot []error
	}{
		{name: "check/ok", token: tok("user")},
		{name: "check/Validate-fails", token: tok("banned"), wantIs: []error{jwtx.ErrClaims, errBanned}, wantNot: []error{errCheckFailed}},
		{name: "check/WithCheck-fails", token: tok("suspended"), wantIs: []error{jwtx.ErrClaims, errCheckFailed}, wantNot: []error{errBanned}},
		{name: "check/bad-signature-skips-checks", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "role", `"banned"`), f.ars), wantIs: []error{jwtx.ErrSignature}, wantNot: []error{jwtx.ErrClaims}},
		{name: "check/expired-skips-checks", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "role", `"banned"`, "exp", vtUnix(now.Add(-time.Hour))), f.rs), wantIs: []error{jwtx.ErrExpired}, wantNot: []error{jwtx.ErrClaims}},
	} {
		t.Run(tc.name+"/value-receiver", func(t *testing.T) {
			t.Parallel()
			vtRunChecked(t, tc.token, tc.wantIs, tc.wantNot, jwtx.WithCheck(vtCheckRole[vtValueValidated]))
		})
		t.Run(tc.name+"/pointer-receiver", func(t *testing.T) {
			t.Parallel()
			vtRunCheckedPtr(t, tc.token, tc.wantIs, tc.wantNot, jwtx.WithCheck(vtCheckRole[vtPointerValidated]))
		})
	}
}

// vtRunChecked verifies token with a vtValueValidated verifier.
func vtRunChecked(t *testing.T, token string, wantIs, wantNot []error, opts ...jwtx.VerifierOption) {
	t.Helper()
	v, err := jwtx.NewClaimsVerifier[vtValueValidated](vtRSKey(t), append(vtPolicyV(vtNow()), opts...)...)
	if err != nil {
		t.Fatalf("NewClaimsVerifier: %v", err)
	}
	got, _, err := v.Verify(context.Background(), token)
	vtCheckIs(t, token, got, err, wantIs, wantNot)
}

// vtRunCheckedPtr verifies token with a vtPointerValidated verifier.
func vtRunCheckedPtr(t *testing.T, token string, wantIs, wantNot []error, opts ...jwtx.VerifierOption) {
	t.Helper()
	v, err := jwtx.NewClaimsVerifier[vtPointerValidated](vtRSKey(t), append(vtPolicyV(vtNow()), opts...)...)
	if err != nil {
		t.Fatalf("NewClaimsVerifier: %v", err)
	}
	got, _, err := v.Verify(context.Background(), token)
	vtCheckIs(t, token, got, err, wantIs, wantNot)
}

// vtCheckIs checks an outcome against sentinels: accepted when wantIs is
// empty, else rejected with every error of wantIs and none of wantNot.
func vtCheckIs[C any](t *testing.T, token string, got C, err error, wantIs, wantNot []error) {
	t.Helper()
	if len(wantIs) == 0 {
		if err != nil {
			t.Fatalf("Verify(%s) = %v, want success", vtDescribe(token), err)
		}
		return
	}
	if err == nil {
		t.Fatalf("Verify(%s) accepted the token", vtDescribe(token))
	}
	vtCheckRejected(t, token, got, err)
	for _, target := range wantIs {
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(%v, %v) = false, want true", err, target)
		}
	}
	for _, target := range wantNot {
		if errors.Is(err, target) {
			t.Errorf("errors.Is(%v, %v) = true, want false", err, target)
		}
	}
}

// errDB is a failure of the user store.
var errDB = errors.New("vt: database unavailable")

// TestVerifyUserLoader covers user loading: the loader runs last, sees the
// verified claims in its context, and its failures are typed.
func TestVerifyUserLoader(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	t0 := jws(t, "RS256", vtH0, vtClaimsJSON(now), f.rs)
	for _, tc := range []struct {
		name      string
		token     string
		loadErr   error // what the loader returns
		wantIs    []error
		wantNot   []error
		wantUser  vtUser
		wantCalls int64
	}{
		{name: "user/found", token: t0, wantUser: vtUser{Name: vtSubject}, wantCalls: 1},
		{name: "user/not-found", token: t0, loadErr: jwtx.ErrUserNotFound, wantIs: []error{jwtx.ErrUserNotFound}, wantNot: []error{jwtx.ErrUserLoad}, wantCalls: 1},
		{name: "user/not-found-wrapped", token: t0, loadErr: fmt.Errorf("lookup %q: %w", vtSubject, jwtx.ErrUserNotFound), wantIs: []error{jwtx.ErrUserNotFound}, wantNot: []error{jwtx.ErrUserLoad}, wantCalls: 1},
		{name: "user/load-failure", token: t0, loadErr: errDB, wantIs: []error{jwtx.ErrUserLoad, errDB}, wantNot: []error{jwtx.ErrUserNotFound}, wantCalls: 1},
		{name: "user/bad-signature-not-loaded", token: jws(t, "RS256", vtH0, vtClaimsJSON(now), f.ars), wantIs: []error{jwtx.ErrSignature}, wantNot: []error{jwtx.ErrUserNotFound, jwtx.ErrUserLoad}},
		{name: "user/expired-not-loaded", token: jws(t, "RS256", vtH0, vtClaimsJSON(now, "exp", vtUnix(now.Add(-time.Hour))), f.rs), wantIs: []error{jwtx.ErrExpired}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			var mu sync.Mutex
			var seen []vtClaims
			loader := func(ctx context.Context, sub string) (vtUser, error) {
				calls.Add(1)
				c, ok := jwtx.From[vtClaims](ctx)
				if !ok {
					t.Errorf("loader context carries no vtClaims")
				}
				mu.Lock()
				seen = append(seen, c)
				mu.Unlock()
				if tc.loadErr != nil {
					return vtUser{}, tc.loadErr
				}
				return vtUser{Name: sub}, nil
			}
			v, err := jwtx.NewVerifier[vtUser, vtClaims](vtRSKey(t), append(vtPolicyV(now), jwtx.WithUserLoader(loader))...)
			if err != nil {
				t.Fatalf("NewVerifier: %v", err)
			}
			claims, user, err := v.Verify(context.Background(), tc.token)
			vtCheckIs(t, tc.token, claims, err, tc.wantIs, tc.wantNot)
			if diff := cmp.Diff(tc.wantUser, user); diff != "" {
				t.Errorf("user mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, calls.Load()); diff != "" {
				t.Errorf("loader calls mismatch (-want +got):\n%s", diff)
			}
			if tc.wantCalls > 0 {
				mu.Lock()
				defer mu.Unlock()
				if diff := cmp.Diff([]vtClaims{vtC0(now)}, seen, vtCmp()); diff != "" {
					t.Errorf("claims seen by the loader mismatch (-want +got):\n%s", diff)
				}
			}
			if err != nil && errAnyUser(err) {
				var ue *jwtx.UserError
				if !errors.As(err, &ue) {
					t.Fatalf("error %v is not a *jwtx.UserError", err)
				}
				if diff := cmp.Diff(vtSubject, ue.Subject); diff != "" {
					t.Errorf("UserError.Subject mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// errAnyUser reports whether err is a user-loading failure.
func errAnyUser(err error) bool { return vtErrAny(err, jwtx.ErrUserNotFound, jwtx.ErrUserLoad) }

// Claims types that NewVerifier must refuse.
type (
	vtPointerEmbedded struct {
		*jwtx.RegisteredClaims
		Role string `json:"role"`
	}
	vtShadowSub struct {
		jwtx.RegisteredClaims
		User string `json:"sub"`
	}
	vtShadowExpCase struct {
		jwtx.RegisteredClaims
		Exp int64
	}
	vtShadowTypeTag struct {
		jwtx.RegisteredClaims
		Kind string `json:"TYPE"`
	}
	vtOtherUser struct{ ID int }
)

// TestNewVerifierConfig covers construction errors: every invalid option
// or combination is ErrConfig, never a panic and never a verifier.
func TestNewVerifierConfig(t *testing.T) {
	t.Parallel()
	now := vtNow()
	userLoader := jwtx.WithUserLoader(func(context.Context, string) (vtUser, error) { return vtUser{}, nil })
	claimsVerifier := func(keys jwtx.VerificationKeys, opts ...jwtx.VerifierOption) func() error {
		return func() error {
			v, err := jwtx.NewClaimsVerifier[vtClaims](keys, append([]jwtx.VerifierOption{jwtx.WithClock(vtClock(now))}, opts...)...)
			return vtVerifierErr(v, err)
		}
	}
	for _, tc := range []struct {
		name    string
		build   func(t *testing.T) func() error
		wantErr error
	}{
		{name: "config/policy-V", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), vtPolicyV(now)...) }},
		{name: "config/leeway-max", build: func(t *testing.T) func() error {
			return claimsVerifier(vtRSKey(t), jwtx.WithLeeway(jwtx.MaxLeeway))
		}},
		{name: "config/leeway-over-max", build: func(t *testing.T) func() error {
			return claimsVerifier(vtRSKey(t), jwtx.WithLeeway(jwtx.MaxLeeway+time.Nanosecond))
		}, wantErr: jwtx.ErrConfig},
		{name: "config/leeway-1h", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), jwtx.WithLeeway(time.Hour)) }, wantErr: jwtx.ErrConfig},
		{name: "config/leeway-negative", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), jwtx.WithLeeway(-time.Second)) }, wantErr: jwtx.ErrConfig},
		{name: "config/algorithms-exclude-key", build: func(t *testing.T) func() error {
			return claimsVerifier(vtRSKey(t), jwtx.WithAlgorithms(jwtx.HS256))
		}, wantErr: jwtx.ErrConfig},
		{name: "config/algorithms-exclude-every-key-of-set", build: func(t *testing.T) func() error {
			return claimsVerifier(vtSet(t, vtRSKey(t), vtESKey(t)), jwtx.WithAlgorithms(jwtx.PS256, jwtx.EdDSA))
		}, wantErr: jwtx.ErrConfig},
		{name: "config/algorithms-empty", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), jwtx.WithAlgorithms()) }, wantErr: jwtx.ErrConfig},
		{name: "config/algorithms-none", build: func(t *testing.T) func() error {
			return claimsVerifier(vtRSKey(t), jwtx.WithAlgorithms("none"))
		}, wantErr: jwtx.ErrConfig},
		{name: "config/user-type-without-loader", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewVerifier[vtUser, vtClaims](vtRSKey(t), jwtx.WithClock(vtClock(now)))
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/loader-for-other-user-type", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewVerifier[vtOtherUser, vtClaims](vtRSKey(t), jwtx.WithClock(vtClock(now)), userLoader)
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/loader-ok", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewVerifier[vtUser, vtClaims](vtRSKey(t), jwtx.WithClock(vtClock(now)), userLoader)
				return vtVerifierErr(v, err)
			}
		}},
		{name: "config/nil-loader", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewVerifier[vtUser, vtClaims](vtRSKey(t), jwtx.WithUserLoader[vtUser](nil))
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/claims-embed-pointer", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewClaimsVerifier[vtPointerEmbedded](vtRSKey(t))
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/claims-field-tagged-sub", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewClaimsVerifier[vtShadowSub](vtRSKey(t))
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/claims-field-Exp-untagged", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewClaimsVerifier[vtShadowExpCase](vtRSKey(t))
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/claims-field-tagged-TYPE", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewClaimsVerifier[vtShadowTypeTag](vtRSKey(t))
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/claims-pointer-type", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewClaimsVerifier[*vtClaims](vtRSKey(t))
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/check-for-other-claims-type", build: func(t *testing.T) func() error {
			return claimsVerifier(vtRSKey(t), jwtx.WithCheck(vtCheckRole[vtValueValidated]))
		}, wantErr: jwtx.ErrConfig},
		{name: "config/nil-check", build: func(t *testing.T) func() error {
			return claimsVerifier(vtRSKey(t), jwtx.WithCheck[vtClaims](nil))
		}, wantErr: jwtx.ErrConfig},
		{name: "config/nil-keys", build: func(t *testing.T) func() error { return claimsVerifier(nil) }, wantErr: jwtx.ErrConfig},
		{name: "config/typed-nil-key", build: func(t *testing.T) func() error { return claimsVerifier((*jwtx.Key)(nil)) }, wantErr: jwtx.ErrConfig},
		{name: "config/typed-nil-key-set", build: func(t *testing.T) func() error { return claimsVerifier((*jwtx.KeySet)(nil)) }, wantErr: jwtx.ErrConfig},
		{name: "config/zero-Key", build: func(t *testing.T) func() error { return claimsVerifier(&jwtx.Key{}) }, wantErr: jwtx.ErrConfig},
		{name: "config/nil-option", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), nil) }, wantErr: jwtx.ErrConfig},
		{name: "config/nil-clock", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), jwtx.WithClock(nil)) }, wantErr: jwtx.ErrConfig},
		{name: "config/empty-issuer", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), jwtx.WithIssuer("")) }, wantErr: jwtx.ErrConfig},
		{name: "config/no-audience", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), jwtx.WithAudience()) }, wantErr: jwtx.ErrConfig},
		{name: "config/empty-audience", build: func(t *testing.T) func() error {
			return claimsVerifier(vtRSKey(t), jwtx.WithAudience("api", ""))
		}, wantErr: jwtx.ErrConfig},
		{name: "config/max-token-size-63", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), jwtx.WithMaxTokenSize(63)) }, wantErr: jwtx.ErrConfig},
		{name: "config/max-age-0", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), jwtx.WithMaxAge(0)) }, wantErr: jwtx.ErrConfig},
		{name: "config/nil-revocation", build: func(t *testing.T) func() error { return claimsVerifier(vtRSKey(t), jwtx.WithRevocation(nil)) }, wantErr: jwtx.ErrConfig},
		{name: "config/empty-header-type", build: func(t *testing.T) func() error {
			return claimsVerifier(vtRSKey(t), jwtx.WithHeaderTypes("", "refresh+jwt"))
		}, wantErr: jwtx.ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			build := tc.build(t)
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("the constructor panicked: %v", r)
					}
				}()
				err = build()
			}()
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s\ngot error: %v", diff, err)
			}
		})
	}
}

// errVerifyPanicked reports a verifier that was built but panics when used.
var errVerifyPanicked = errors.New("vt: NewVerifier succeeded, Verify panicked")

// vtVerifierErr returns the construction error. It also checks that a failed
// construction returns no verifier, and that a built one verifies a token
// without panicking (the outcome does not matter here).
func vtVerifierErr[U any, C jwtx.Claims](v *jwtx.Verifier[U, C], err error) (out error) {
	if err != nil {
		if v != nil {
			return fmt.Errorf("a verifier returned with error %w", err)
		}
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Errorf("%w: %v", errVerifyPanicked, r)
		}
	}()
	for _, h := range []string{`{"alg":"RS256","typ":"at+jwt"}`, `{"alg":"","typ":"at+jwt"}`} {
		_, _, _ = v.Verify(context.Background(), b64u(h)+".e30.AAAA")
	}
	return nil
}

// vtFuzzKey is the HS256 secret of FuzzVerify: fixed and test-only, so that
// the seed tokens verify in every fuzzing worker process.
func vtFuzzKey() []byte {
	k := sha256.Sum256([]byte("jwtx FuzzVerify test-only key; never use it anywhere else"))
	return k[:]
}

// vtSentinels are the errors every verification failure must match one of.
func vtSentinels() []error {
	return []error{
		jwtx.ErrTooLarge, jwtx.ErrMalformed, jwtx.ErrUnsupported, jwtx.ErrAlgorithm,
		jwtx.ErrKeyNotFound, jwtx.ErrSignature, jwtx.ErrTokenType, jwtx.ErrMissingClaim,
		jwtx.ErrExpired, jwtx.ErrNotYetValid, jwtx.ErrIssuedAt, jwtx.ErrIssuer,
		jwtx.ErrAudience, jwtx.ErrNotFresh, jwtx.ErrClaims, jwtx.ErrRevoked,
		jwtx.ErrRevocationUnavailable,
	}
}

// FuzzVerify checks that Verify never panics, that every failure returns
// zero claims and matches a sentinel, and that it accepts nothing but
// tokens whose signing input carries an HS256 MAC under the configured key
// (checked independently of jwtx) with header alg exactly "HS256".
func FuzzVerify(f *testing.F) {
	key := vtFuzzKey()
	now := vtNow()
	c0 := vtClaimsJSON(now)
	valid := jws(f, "HS256", vtHHS, c0, key)
	parts := vtSegments(valid)
	for _, seed := range []string{
		valid,
		jws(f, "HS256", `{"alg":"HS256","typ":"at+jwt"}`, c0, key),
		jws(f, "HS256", vtHHS, vtClaimsJSON(now, "role", `"admin"`, "roles", `["a","b"]`, "org", `{"id":"x"}`), key),
		jws(f, "HS256", `{"alg":"none","typ":"at+jwt"}`, c0, key),
		jws(f, "HS256", `{"alg":"HS512","typ":"at+jwt"}`, c0, key),
		jws(f, "HS256", `{"alg":"HS256","alg":"none","typ":"at+jwt"}`, c0, key),
		jws(f, "HS256", `{"alg":"HS256","typ":"at+jwt","crit":["b64"],"b64":false}`, c0, key),
		jws(f, "HS256", `{"alg":"HS256","typ":"at+jwt","zip":"DEF","cty":"JWT"}`, c0, key),
		jws(f, "HS256", vtHHS, vtAppendMember(c0, `"sub":"admin"`), key),
		jws(f, "HS256", vtHHS, vtClaimsJSON(now, "Exp", "1"), key),
		jws(f, "HS256", vtHHS, vtClaimsJSON(now, "exp", `"9999999999"`), key),
		jws(f, "HS256", vtHHS, vtClaimsJSON(now, "aud", `["x",["api"]]`), key),
		jws(f, "HS256", vtHHS, vtClaimsJSON(now, "x", strings.Repeat("[", 40)+strings.Repeat("]", 40)), key),
		jws(f, "HS256", vtHHS, vtClaimsJSON(now, "exp", vtUnix(now.Add(-time.Hour))), key),
		jws(f, "HS256", vtHHS, vtClaimsJSON(now, "sub", `"\ud800"`), key),
		parts[0] + "." + parts[1] + ".",
		parts[0] + "." + parts[1] + "." + parts[2] + "=",
		parts[0] + ".." + parts[2],
		`{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`,
		parts[0] + ".AAAA.AAAA.AAAA.AAAA",
		"",
		"...",
	} {
		f.Add(seed)
	}
	v, err := jwtx.NewClaimsVerifier[vtClaims](vtKey(f, jwtx.HS256, key, vtKidHS), vtPolicyV(now)...)
	if err != nil {
		f.Fatalf("NewClaimsVerifier: %v", err)
	}
	// The property below is only as good as the accepted seeds.
	if _, _, err := v.Verify(context.Background(), valid); err != nil || !vtHS256Valid(key, valid) {
		f.Fatalf("the valid seed does not verify: %v", err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		got, _, err := v.Verify(context.Background(), token)
		if err != nil {
			if !cmp.Equal(vtClaims{}, got, vtCmp()) {
				t.Errorf("Verify returned claims with error %v", err)
			}
			if !vtErrAny(err, vtSentinels()...) {
				t.Errorf("Verify error %v matches no sentinel", err)
			}
			vtCheckNoLeak(t, token, err)
			return
		}
		if !vtHS256Valid(key, token) {
			t.Fatalf("Verify accepted %s, which is not HS256-signed by the configured key", vtDescribe(token))
		}
		hdr, err := base64.RawURLEncoding.DecodeString(vtSegments(token)[0])
		if err != nil {
			t.Fatalf("accepted token has a bad header segment: %v", err)
		}
		var h struct {
			Alg any `json:"alg"`
		}
		if err := json.Unmarshal(hdr, &h); err != nil || h.Alg != "HS256" {
			t.Fatalf("Verify accepted a header with alg %v (decode error %v)", h.Alg, err)
		}
		if cmp.Equal(vtClaims{}, got, vtCmp()) || got.Subject == "" || got.ExpiresAt.IsZero() {
			t.Fatalf("Verify accepted %s with empty claims %+v", vtDescribe(token), got)
		}
	})
}
