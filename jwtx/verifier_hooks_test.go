package jwtx_test

// Verifier tests for revocation (C9), the application's own checks, user
// loading and construction errors.

import (
	"context"
	"crypto/elliptic"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

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
	c0 := vtClaimsJSON(t, now)
	sig := f.es.Sign(t, []byte(testutil.SigningInput(vtHES, c0)))
	signed := testutil.Compact(vtHES, c0, sig)
	n := elliptic.P256().Params().N
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	malleated := testutil.Compact(vtHES, c0, testutil.ECDSASignature(elliptic.P256(), r, new(big.Int).Sub(n, s)))
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
		{name: "C9/not-revoked", token: signed, wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/revoked", token: signed, revoked: []string{vtJTI}, wantErr: jwtx.ErrRevoked, wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/revoked-malleated-signature", token: malleated, revoked: []string{vtJTI}, wantErr: jwtx.ErrRevoked, wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/other-jti-revoked", token: signed, revoked: []string{"other"}, wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/store-unavailable", token: signed, storeErr: errStoreDown, wantErr: jwtx.ErrRevocationUnavailable, wantCalls: []jwtx.TokenInfo{info}},
		{name: "C9/no-jti", token: testutil.Sign(t, f.es, vtHES, vtClaimsJSON(t, now, "jti", "")), wantErr: jwtx.ErrMissingClaim, wantClaim: "jti"},
		{name: "C9/empty-jti", token: testutil.Sign(t, f.es, vtHES, vtClaimsJSON(t, now, "jti", `""`)), wantErr: jwtx.ErrMissingClaim, wantClaim: "jti"},
		{name: "C9/bad-signature-not-looked-up", token: testutil.Sign(t, f.aes, vtHES, c0), revoked: []string{vtJTI}, wantErr: jwtx.ErrSignature},
		{name: "C9/expired-not-looked-up", token: testutil.Sign(t, f.es, vtHES, vtClaimsJSON(t, now, "exp", vtUnix(now.Add(-time.Hour)))), wantErr: jwtx.ErrExpired, wantClaim: "exp"},
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
		_, _, err = v.Verify(context.Background(), signed)
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
		return testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "role", `"`+role+`"`))
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
		{name: "check/bad-signature-skips-checks", token: testutil.Sign(t, f.ars, vtH0, vtClaimsJSON(t, now, "role", `"banned"`)), wantIs: []error{jwtx.ErrSignature}, wantNot: []error{jwtx.ErrClaims}},
		{name: "check/expired-skips-checks", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "role", `"banned"`, "exp", vtUnix(now.Add(-time.Hour)))), wantIs: []error{jwtx.ErrExpired}, wantNot: []error{jwtx.ErrClaims}},
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
	t0 := testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now))
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
		{name: "user/bad-signature-not-loaded", token: testutil.Sign(t, f.ars, vtH0, vtClaimsJSON(t, now)), wantIs: []error{jwtx.ErrSignature}, wantNot: []error{jwtx.ErrUserNotFound, jwtx.ErrUserLoad}},
		{name: "user/expired-not-loaded", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "exp", vtUnix(now.Add(-time.Hour)))), wantIs: []error{jwtx.ErrExpired}},
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
			v, err := jwtx.NewClaimsVerifier[vtClaims](keys, append([]jwtx.VerifierOption{jwtx.WithClock(testutil.NewClock(now))}, opts...)...)
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
				v, err := jwtx.NewVerifier[vtUser, vtClaims](vtRSKey(t), jwtx.WithClock(testutil.NewClock(now)))
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/loader-for-other-user-type", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewVerifier[vtOtherUser, vtClaims](vtRSKey(t), jwtx.WithClock(testutil.NewClock(now)), userLoader)
				return vtVerifierErr(v, err)
			}
		}, wantErr: jwtx.ErrConfig},
		{name: "config/loader-ok", build: func(t *testing.T) func() error {
			return func() error {
				v, err := jwtx.NewVerifier[vtUser, vtClaims](vtRSKey(t), jwtx.WithClock(testutil.NewClock(now)), userLoader)
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
