package jwtx_test

// Verifier tests, one table per entry of the attack catalogue (see
// SECURITY.md), sections A, B and C. Every malicious token is built byte
// for byte with testutil and the fixture of catalogue_test.go, and every
// subtest name starts with the catalogue id ("A1/none/…", "B5/…").
//
// For every rejected token vtRun checks the sentinel (errors.Is), the
// typed detail where the table gives one (*jwtx.HeaderError Param,
// *jwtx.ClaimError Claim), that the claims are the zero value, and that the
// error text carries neither the payload nor the signature segment.

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
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
func vtRSKey(tb testing.TB) *jwtx.Key { return fixture(tb).rs.Public() }

func vtHSKey(tb testing.TB) *jwtx.Key { return fixture(tb).hs.Public() }

func vtESKey(tb testing.TB) *jwtx.Key { return fixture(tb).es.Public() }

// vtEdKey is K_ed bound to alg, EdDSA or Ed25519.
func vtEdKey(tb testing.TB, alg jwtx.Algorithm) *jwtx.Key {
	tb.Helper()
	return testutil.NewKey(tb, alg, testutil.WithSeed(seedED), testutil.WithKeyID(vtKidED)).Public()
}

// vtPolicyV is the verifier policy V of the catalogue, with a clock fixed at now.
func vtPolicyV(now time.Time) []jwtx.VerifierOption {
	return []jwtx.VerifierOption{
		jwtx.WithIssuer(vtIssuer),
		jwtx.WithAudience(vtAudience),
		jwtx.WithLeeway(vtLeeway),
		jwtx.WithClock(testutil.NewClock(now)),
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
	opts := []jwtx.VerifierOption{jwtx.WithClock(testutil.NewClock(now))}
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

// vtRunAll runs each case with vtRun, in parallel subtests named after the
// cases.
func vtRunAll(t *testing.T, cases []vtCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
		})
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
	parts := strings.Split(token, ".")
	leaks := map[string]string{"token": token}
	if len(parts) > 1 {
		leaks["payload segment"] = parts[1]
	}
	if len(parts) > 2 {
		leaks["signature segment"] = parts[2]
	}
	f := fixture(t)
	for name, secret := range map[string][]byte{"K_hs": f.hs.Secret(), "A_hs": f.ahs.Secret()} {
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
