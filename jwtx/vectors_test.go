package jwtx_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestRFCVectors runs every published vector of testdata/rfc_vectors.json
// through a strict Verifier. None is an access token of this library (they
// lack the type claim and the at+jwt header, most are not even JWTs), so
// each must be refused, and for the reason that comes first in the order
// of checks: structure, header, key, signature, type, claims.
func TestRFCVectors(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/rfc_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct {
			Name  string          `json:"name"`
			Alg   string          `json:"alg"`
			JWK   json.RawMessage `json:"jwk"`
			Token string          `json:"token"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	want := map[string]error{
		"rfc7515-A.1-HS256":                         jwtx.ErrTokenType,   // typ "JWT"
		"rfc7515-A.2-RS256":                         jwtx.ErrTokenType,   // no typ
		"rfc7515-A.3-ES256":                         jwtx.ErrTokenType,   // no typ
		"rfc7515-A.4-ES512":                         jwtx.ErrTokenType,   // no typ (payload "Payload" is no JSON either)
		"rfc7515-A.5-none":                          jwtx.ErrAlgorithm,   // alg none
		"rfc7515-A.6-general-json":                  jwtx.ErrMalformed,   // JSON serialization
		"rfc7515-A.7-flattened-json":                jwtx.ErrMalformed,   // JSON serialization
		"rfc7520-4.1-RS256":                         jwtx.ErrTokenType,   // no typ
		"rfc7520-4.2-PS384":                         jwtx.ErrTokenType,   // no typ
		"rfc7520-4.3-ES512":                         jwtx.ErrTokenType,   // no typ
		"rfc7520-4.4-HS256":                         jwtx.ErrTokenType,   // no typ
		"rfc7520-4.5-HS256-detached":                jwtx.ErrMalformed,   // empty payload segment
		"rfc7520-4.7-content-only-json":             jwtx.ErrMalformed,   // JSON serialization
		"rfc7520-6-PS256-inner-JWT":                 jwtx.ErrTokenType,   // no typ
		"rfc7520-6-nested-JWE-outer":                jwtx.ErrUnsupported, // JWE
		"rfc7797-4.1-HS256-b64-true":                jwtx.ErrTokenType,   // no typ, and no b64 header either
		"rfc7797-4.2-HS256-b64-false-detached":      jwtx.ErrMalformed,   // empty payload segment
		"rfc8037-A.4-EdDSA-Ed25519":                 jwtx.ErrTokenType,   // no typ
		"golang-jwt-basic-ps256":                    jwtx.ErrSignature,   // salt length is not the hash size
		"golang-jwt-basic-ps384":                    jwtx.ErrSignature,
		"golang-jwt-basic-ps512":                    jwtx.ErrSignature,
		"golang-jwt-basic-ps256-invalid-foo-to-bar": jwtx.ErrMalformed, // the altered last character sets unused bits
		"golang-jwt-ed25519-alg-ED25519":            jwtx.ErrAlgorithm, // alg "ED25519"
	}
	if len(file.Vectors) != len(want) {
		t.Fatalf("%d vectors, %d expectations", len(file.Vectors), len(want))
	}
	// Before every exp in the file, so that expiry is not what refuses them.
	clock := jwtx.WithClock(testutil.NewClock(time.Unix(1300819300, 0)))
	for _, v := range file.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			wantErr, ok := want[v.Name]
			if !ok {
				t.Fatalf("no expectation for %s", v.Name)
			}
			key, err := jwtx.ParseJWK(v.JWK, jwtx.Algorithm(v.Alg))
			if err != nil {
				t.Fatalf("ParseJWK: %v", err)
			}
			ver, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](key, clock)
			if err != nil {
				t.Fatal(err)
			}
			claims, raw, err := ver.VerifyClaims(context.Background(), v.Token, jwtx.ExpectAccess)
			if !errors.Is(err, wantErr) {
				t.Errorf("VerifyClaims error = %v, want %v", err, wantErr)
			}
			if diff := cmp.Diff(jwtx.RegisteredClaims{}, claims); diff != "" || raw != nil {
				t.Errorf("claims returned with the error (-want +got):\n%s", diff)
			}
		})
	}
}
