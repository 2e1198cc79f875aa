package demo

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
)

// claims are the claims of the tokens the tests sign.
type claims struct {
	jwtx.RegisteredClaims
}

// sign returns a token for subject, signed with key.
func sign(t *testing.T, key *jwtx.Key, subject string) string {
	t.Helper()
	iss, err := jwtx.NewIssuer[string, claims](key, jwtx.WithIdentity(func(s string) (string, error) { return s, nil }))
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	tok, err := iss.Access(t.Context(), subject)
	if err != nil {
		t.Fatalf("Access: %v", err)
	}
	return tok.Raw
}

// verify returns the error of verifying token with key.
func verify(t *testing.T, key *jwtx.Key, token string) error {
	t.Helper()
	ver, err := jwtx.NewClaimsVerifier[claims](key.Public())
	if err != nil {
		t.Fatalf("NewClaimsVerifier: %v", err)
	}
	_, _, err = ver.Verify(t.Context(), token)
	return err
}

// NewKey makes working keys of the two algorithms the examples use, a new
// one each time, and refuses others.
func TestNewKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		alg     jwtx.Algorithm
		wantErr error
	}{
		{name: "HS256", alg: jwtx.HS256},
		{name: "ES256", alg: jwtx.ES256},
		{name: "RS256", alg: jwtx.RS256, wantErr: cmpopts.AnyError},
		{name: "none", alg: "", wantErr: cmpopts.AnyError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			key, err := NewKey(tc.alg)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("NewKey(%q) error mismatch (-want +got):\n%s", tc.alg, diff)
			}
			if err != nil {
				if key != nil {
					t.Errorf("NewKey(%q) returned a key with its error", tc.alg)
				}
				return
			}
			if diff := cmp.Diff(tc.alg, key.Algorithm()); diff != "" {
				t.Errorf("NewKey(%q).Algorithm() mismatch (-want +got):\n%s", tc.alg, diff)
			}
			other, err := NewKey(tc.alg)
			if err != nil {
				t.Fatalf("NewKey(%q), second time: %v", tc.alg, err)
			}
			token := sign(t, key, "u-1001")
			got := []error{verify(t, key, token), verify(t, other, token)}
			want := []error{nil, jwtx.ErrSignature}
			if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("verifying with the key and with another new key (-want +got):\n%s", diff)
			}
		})
	}
}
