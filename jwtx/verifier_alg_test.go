package jwtx_test

// Verifier tests for the attack catalogue, section A (algorithm and key
// selection), entries A1 to A6.

import (
	"crypto/ed25519"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestVerifyControl checks that the control tokens T0 are accepted under
// every supported key type, with exactly the claims that were signed.
func TestVerifyControl(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
	hPS := `{"alg":"PS256","typ":"at+jwt","kid":"rs-1"}`
	vtRunAll(t, []vtCase{
		{name: "T0/RS256", token: testutil.Sign(t, f.rs, vtH0, c0)},
		{name: "T0/RS256/key-set", token: testutil.Sign(t, f.rs, vtH0, c0), keys: vtSet(t, vtRSKey(t), vtKey(t, jwtx.RS256, &f.rs2.RSA().PublicKey, vtKidRS2))},
		{name: "T0/RS256/second-key-of-set", token: testutil.Sign(t, f.rs2, `{"alg":"RS256","typ":"at+jwt","kid":"rs-2"}`, c0), keys: vtSet(t, vtRSKey(t), vtKey(t, jwtx.RS256, &f.rs2.RSA().PublicKey, vtKidRS2))},
		{name: "T0/PS256", token: testutil.SignAs(t, f.rs, jwtx.PS256, hPS, c0), keys: vtKey(t, jwtx.PS256, &f.rs.RSA().PublicKey, vtKidRS)},
		{name: "T0/ES256", token: testutil.Sign(t, f.es, vtHES, c0), keys: vtESKey(t)},
		{name: "T0/EdDSA", token: testutil.Sign(t, f.ed, vtHED, c0), keys: vtEdKey(t, jwtx.EdDSA)},
		{name: "T0/Ed25519", token: testutil.Sign(t, f.ed, `{"alg":"Ed25519","typ":"at+jwt","kid":"ed-1"}`, c0), keys: vtEdKey(t, jwtx.Ed25519)},
		{name: "T0/HS256", token: testutil.Sign(t, f.hs, vtHHS, c0), keys: vtHSKey(t)},
		{name: "T0/private-key-verifies", token: testutil.Sign(t, f.rs, vtH0, c0), keys: f.rs.Private()},
	})
}

// TestVerifyAlgNone covers A1: alg "none" in every case variant, with an
// empty signature, with T0's signature, with a valid signature under the
// configured key, and RFC 7515 A.5 verbatim.
func TestVerifyAlgNone(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(t, now, "sub", `"admin"`)
	sigT0 := strings.Split(testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now)), ".")[2]
	const rfc7515A5 = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
	var cases []vtCase
	for _, a := range []string{"none", "None", "NONE", "nOnE"} {
		h := `{"alg":"` + a + `","typ":"at+jwt","kid":"rs-1"}`
		hNoKID := `{"alg":"` + a + `","typ":"at+jwt"}`
		in := testutil.SigningInput(h, pAdmin)
		cases = append(cases,
			// An empty signature segment is left to the alg check (compact.go,
			// split), which names the real problem.
			vtCase{name: "A1/" + a + "/empty-signature", token: in + ".", wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
			vtCase{name: "A1/" + a + "/T0-signature", token: in + "." + sigT0, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
			vtCase{name: "A1/" + a + "/bogus-signature", token: in + ".AAAA", wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
			vtCase{name: "A1/" + a + "/valid-RS256-signature", token: testutil.Sign(t, f.rs, h, pAdmin), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
			// jwx v2.1.7 accepts this one: the header says none, the MAC is right.
			vtCase{name: "A1/" + a + "/valid-HS256-mac", token: testutil.Sign(t, f.hs, hNoKID, pAdmin), keys: vtHSKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		)
	}
	cases = append(cases,
		vtCase{name: "A1/rfc7515-A.5", token: rfc7515A5, keys: vtHSKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		vtCase{name: "A1/rfc7515-A.5/with-signature", token: rfc7515A5 + sigT0, keys: vtHSKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		vtCase{name: "A1/none-escaped", token: testutil.Sign(t, f.rs, `{"alg":"n\u006fne","typ":"at+jwt","kid":"rs-1"}`, pAdmin), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
	)
	vtRunAll(t, cases)
}

// TestVerifyStrippedSignature covers A2: empty, missing and short signatures.
func TestVerifyStrippedSignature(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(t, now, "sub", `"admin"`)
	in := testutil.SigningInput(vtH0, pAdmin)
	sigT0 := strings.Split(testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now)), ".")[2]
	vtRunAll(t, []vtCase{
		// An empty signature segment is not a parse error: the signature
		// check refuses it (compact.go, split).
		{name: "A2/empty-third-segment", token: in + ".", wantErr: jwtx.ErrSignature},
		{name: "A2/HS256/empty-third-segment", token: testutil.SigningInput(vtHHS, vtClaimsJSON(t, now)) + ".", keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
		{name: "A2/ES256/empty-third-segment", token: testutil.SigningInput(vtHES, vtClaimsJSON(t, now)) + ".", keys: vtESKey(t), wantErr: jwtx.ErrSignature},
		{name: "A2/EdDSA/empty-third-segment", token: testutil.SigningInput(vtHED, vtClaimsJSON(t, now)) + ".", keys: vtEdKey(t, jwtx.EdDSA), wantErr: jwtx.ErrSignature},
		{name: "A2/two-segments", token: in, wantErr: jwtx.ErrMalformed},
		{name: "A2/signature-AA", token: in + ".AA", wantErr: jwtx.ErrSignature},
		{name: "A2/signature-AAAA", token: in + ".AAAA", wantErr: jwtx.ErrSignature},
		{name: "A2/zero-signature-of-modulus-size", token: testutil.Compact(vtH0, pAdmin, make([]byte, 256)), wantErr: jwtx.ErrSignature},
		{name: "A2/signature-equal-to-modulus", token: testutil.Compact(vtH0, pAdmin, f.rs.RSA().N.Bytes()), wantErr: jwtx.ErrSignature},
		{name: "A2/signature-one-byte-long", token: testutil.Compact(vtH0, pAdmin, append(make([]byte, 256), 1)), wantErr: jwtx.ErrSignature},
		{name: "A2/T0-signature-on-forged-claims", token: in + "." + sigT0, wantErr: jwtx.ErrSignature},
		{name: "A2/HS256/signature-AA", token: testutil.SigningInput(vtHHS, vtClaimsJSON(t, now)) + ".AA", keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
		{name: "A2/ES256/signature-AAAA", token: testutil.SigningInput(vtHES, vtClaimsJSON(t, now)) + ".AAAA", keys: vtESKey(t), wantErr: jwtx.ErrSignature},
		{name: "A2/EdDSA/signature-AAAA", token: testutil.SigningInput(vtHED, vtClaimsJSON(t, now)) + ".AAAA", keys: vtEdKey(t, jwtx.EdDSA), wantErr: jwtx.ErrSignature},
	})
}

// TestVerifyKeyConfusion covers A3: HS* MACs keyed with every public form of
// the configured RSA, EC and Ed25519 keys.
func TestVerifyKeyConfusion(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(t, now, "sub", `"admin"`)

	spki := vtSPKIPEM(t, &f.rs.RSA().PublicKey)
	spkiDER, err := x509.MarshalPKIXPublicKey(&f.rs.RSA().PublicKey)
	if err != nil {
		t.Fatalf("SPKI: %v", err)
	}
	libJWKJSON, err := vtRSKey(t).PublicJWK()
	if err != nil {
		t.Fatalf("PublicJWK: %v", err)
	}
	handJWK := vtRSAJWK(&f.rs.RSA().PublicKey, vtKidRS)
	rsForms := []struct{ name, secret string }{
		{"spki-pem", spki},
		{"spki-pem-no-newline", strings.TrimSuffix(spki, "\n")},
		{"pkcs1-pem", vtPEM("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&f.rs.RSA().PublicKey))},
		{"spki-der", string(spkiDER)},
		{"jwk-json", handJWK},
		{"jwk-json-as-served", string(libJWKJSON)},
		{"jwks-document", `{"keys":[` + handJWK + `]}`},
		{"modulus", string(f.rs.RSA().N.Bytes())},
		{"certificate-pem", vtPEM("CERTIFICATE", vtSelfSignedCert(t, f.rs.RSA(), "issuer.test"))},
	}
	ecdhPub, err := f.es.ECDSA().PublicKey.ECDH()
	if err != nil {
		t.Fatalf("ECDH: %v", err)
	}
	edPub := f.ed.Ed25519().Public().(ed25519.PublicKey)
	type family struct {
		name, kid string
		keys      jwtx.VerificationKeys
		forms     []struct{ name, secret string }
	}
	families := []family{
		{name: "RS256", kid: vtKidRS, keys: vtRSKey(t), forms: rsForms},
		{name: "ES256", kid: vtKidES, keys: vtESKey(t), forms: []struct{ name, secret string }{
			{"uncompressed-point", string(ecdhPub.Bytes())},
			{"spki-pem", vtSPKIPEM(t, &f.es.ECDSA().PublicKey)},
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
					vtCase{name: name, token: testutil.SignHMAC(t, jwtx.Algorithm(alg), []byte(form.secret), h, pAdmin), keys: fam.keys, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
					vtCase{name: name + "/no-kid", token: testutil.SignHMAC(t, jwtx.Algorithm(alg), []byte(form.secret), hNoKID, pAdmin), keys: fam.keys, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
					vtCase{name: name + "/key-set", token: testutil.SignHMAC(t, jwtx.Algorithm(alg), []byte(form.secret), h, pAdmin), keys: set, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
					vtCase{name: name + "/key-set/no-kid", token: testutil.SignHMAC(t, jwtx.Algorithm(alg), []byte(form.secret), hNoKID, pAdmin), keys: set, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
				)
			}
		}
	}
	vtRunAll(t, cases)
}

// TestVerifyAlgorithmSubstitution covers A4: valid signatures by the
// issuer's own key under another algorithm than the key's.
func TestVerifyAlgorithmSubstitution(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
	hdr := func(alg, kid string) string { return `{"alg":"` + alg + `","typ":"at+jwt","kid":"` + kid + `"}` }
	vtRunAll(t, []vtCase{
		{name: "A4/PS256-with-K_rs", token: testutil.SignAs(t, f.rs, jwtx.PS256, hdr("PS256", vtKidRS), c0), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/PS384-with-K_rs", token: testutil.SignAs(t, f.rs, jwtx.PS384, hdr("PS384", vtKidRS), c0), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/RS384-with-K_rs", token: testutil.SignAs(t, f.rs, jwtx.RS384, hdr("RS384", vtKidRS), c0), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/RS512-with-K_rs", token: testutil.SignAs(t, f.rs, jwtx.RS512, hdr("RS512", vtKidRS), c0), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/RS256-header-PS256-signature", token: testutil.SignAs(t, f.rs, jwtx.PS256, vtH0, c0), wantErr: jwtx.ErrSignature},
		{name: "A4/RS256-header-RS512-signature", token: testutil.SignAs(t, f.rs, jwtx.RS512, vtH0, c0), wantErr: jwtx.ErrSignature},
		{name: "A4/RS256-key-as-PS256-verifier", token: testutil.Sign(t, f.rs, hdr("RS256", vtKidRS), c0), keys: vtKey(t, jwtx.PS256, &f.rs.RSA().PublicKey, vtKidRS), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		// ES384 and ES512 over P-256: ECDSA truncates the longer hash.
		{name: "A4/ES384-on-P-256", token: testutil.SignAs(t, f.es, jwtx.ES384, hdr("ES384", vtKidES), c0), keys: vtESKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/ES512-on-P-256", token: testutil.SignAs(t, f.es, jwtx.ES512, hdr("ES512", vtKidES), c0), keys: vtESKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		{name: "A4/ES256-header-ES384-signature", token: testutil.SignAs(t, f.es, jwtx.ES384, vtHES, c0), keys: vtESKey(t), wantErr: jwtx.ErrSignature},
		{name: "A4/WithAlgorithms-narrows", token: testutil.Sign(t, f.rs, vtH0, c0), opts: []jwtx.VerifierOption{jwtx.WithAlgorithms(jwtx.RS256, jwtx.PS256)}},
		{name: "A4/WithAlgorithms-excludes-header-alg", token: testutil.SignAs(t, f.rs, jwtx.PS256, hdr("PS256", vtKidRS), c0), keys: vtSet(t, vtRSKey(t), vtKey(t, jwtx.PS256, &f.rs2.RSA().PublicKey, "ps-1")), opts: []jwtx.VerifierOption{jwtx.WithAlgorithms(jwtx.RS256)}, wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
	})
}

// TestVerifyHeaderAlgExact covers A5: headers whose alg is not exactly the
// configured HS256, all MACed correctly with K_hs.
func TestVerifyHeaderAlgExact(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
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
			vtRun(t, vtCase{token: testutil.Sign(t, f.hs, tc.header, c0), keys: hs, wantErr: tc.wantErr, wantParam: tc.wantParam})
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
	c0 := vtClaimsJSON(t, vtNow())
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
			tok := testutil.Sign(t, f.ed, h, c0) // an Ed25519 signature, whatever the name
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
	pAdmin := vtClaimsJSON(t, vtNow(), "sub", `"admin"`)
	kHS := f.hs.Secret()
	var cases []vtCase
	for _, s := range []struct{ name, secret string }{
		{"empty", ""},
		{"NUL", "\x00"},
		{"secret", "secret"},
		{"your-256-bit-secret", "your-256-bit-secret"},
		{"password", "password"},
		{"A_hs", string(f.ahs.Secret())},
		{"K_hs-truncated", string(kHS[:31])},
		{"K_hs-last-bit-flipped", string(kHS[:31]) + string(kHS[31]^1)},
	} {
		cases = append(cases,
			vtCase{name: "A6/" + s.name, token: testutil.SignHMAC(t, jwtx.HS256, []byte(s.secret), vtHHS, pAdmin), keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
			vtCase{name: "A6/" + s.name + "/no-kid", token: testutil.SignHMAC(t, jwtx.HS256, []byte(s.secret), `{"alg":"HS256","typ":"at+jwt"}`, pAdmin), keys: vtHSKey(t), wantErr: jwtx.ErrSignature},
		)
	}
	vtRunAll(t, cases)
}
