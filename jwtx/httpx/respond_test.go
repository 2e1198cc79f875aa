package httpx_test

// Responses: the default error answers, reasons and custom handlers.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestFailureResponses(t *testing.T) {
	t.Parallel()
	raw := func(s string) func(testing.TB, *appEnv) jwtx.Token {
		return func(testing.TB, *appEnv) jwtx.Token { return jwtx.Token{Raw: s} }
	}
	alice := func(opts ...jwtx.IssueOption) func(testing.TB, *appEnv) jwtx.Token {
		return func(tb testing.TB, e *appEnv) jwtx.Token { return e.access(tb, "alice", opts...) }
	}
	for _, tc := range []struct {
		name       string
		token      func(tb testing.TB, e *appEnv) jwtx.Token // issued at the env's start
		after      time.Duration
		store      func(s *memStore, tok jwtx.Token)
		want       result
		retryAfter string
	}{
		{name: "expired", token: alice(), after: time.Hour, want: refusedToken("token expired")},
		{name: "expired and wrong audience", token: alice(jwtx.ForAudience("billing")), after: time.Hour, want: refusedToken("invalid token")},
		{
			// C10: a forged token is not "expired", whatever its exp says.
			name: "expired with a bad signature",
			token: func(tb testing.TB, e *appEnv) jwtx.Token {
				return e.attacker(tb, "k1").access(tb, "alice")
			},
			after: time.Hour, want: refusedToken("invalid token"),
		},
		{
			// C11: the payload changed, the signature kept.
			name: "tampered payload",
			token: func(tb testing.TB, e *appEnv) jwtx.Token {
				tok := e.access(tb, "bob")
				tok.Raw = testutil.Tamper(tb, tok.Raw, `"sub":"bob"`, `"sub":"alice"`)
				return tok
			},
			want: refusedToken("invalid token"),
		},
		{
			name: "unknown kid",
			token: func(tb testing.TB, e *appEnv) jwtx.Token {
				return e.attacker(tb, "k2").access(tb, "alice")
			},
			want: refusedToken("invalid token"),
		},
		{
			name: "not yet valid",
			token: func(tb testing.TB, e *appEnv) jwtx.Token {
				e.Clock.Advance(time.Hour)
				defer e.Clock.Advance(-time.Hour)
				return e.access(tb, "alice")
			},
			want: refusedToken("invalid token"),
		},
		{name: "malformed", token: raw("bm90.YQ.c2lnbmF0dXJl"), want: refusedToken("invalid token")},
		{name: "too large", token: raw(strings.Repeat("A", jwtx.DefaultMaxTokenSize+1)), want: refusedToken("invalid token")},
		{name: "refresh token on an access route", token: func(tb testing.TB, e *appEnv) jwtx.Token { return e.refresh(tb, "alice") }, want: refusedToken("wrong token type")},
		{
			name: "revoked", token: alice(),
			store: func(s *memStore, tok jwtx.Token) { s.revoked[tok.ID] = jwtx.TokenInfo{ID: tok.ID} },
			want:  refusedToken("token revoked"),
		},
		{
			name: "revocation store down", token: alice(),
			store:      func(s *memStore, _ jwtx.Token) { s.checkErr = errors.New("redis: connection refused") },
			want:       result{Status: http.StatusServiceUnavailable, Body: msg("try again later")},
			retryAfter: "1",
		},
		{name: "user not found", token: func(tb testing.TB, e *appEnv) jwtx.Token { return e.access(tb, ghostSubject) }, want: refusedToken("user not found")},
		{name: "user store fails", token: func(tb testing.TB, e *appEnv) jwtx.Token { return e.access(tb, brokenSubject) }, want: refusedInternal()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := newMemStore()
			e := newEnv(t, jwtx.WithRevocation(store))
			tok := tc.token(t, e)
			if tc.store != nil {
				tc.store(store, tok)
			}
			e.Clock.Advance(tc.after)
			called := false
			mux := http.NewServeMux()
			mux.Handle("GET /me", e.Auth(t).Required(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })))
			rec := testutil.Serve(mux, newRequest(http.MethodGet, "/me", nil, bearer(tok.Raw)))
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if got := rec.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
			if called {
				t.Error("the handler ran")
			}
			checkNoLeak(t, rec, tok.Raw)
			for _, s := range []string{loaderFailure, "redis", "jwtx:"} {
				if strings.Contains(rec.Body.String(), s) {
					t.Errorf("body %q carries error text %q", rec.Body, s)
				}
			}
		})
	}
}

func TestReasonHandler(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.Auth(t, httpx.WithReasonHandler(httpx.ReasonUserMissing, func(w http.ResponseWriter, _ *http.Request, err error) {
		var ue *jwtx.UserError
		if !errors.As(err, &ue) {
			httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "no UserError"})
			return
		}
		httpx.WriteJSON(w, http.StatusNotFound, map[string]string{"msg": "User " + ue.Subject + " not found"})
	}))
	mux := http.NewServeMux()
	mux.Handle("GET /me", a.Required(http.HandlerFunc(whoami)))
	for _, tc := range []struct {
		name string
		sub  string
		want result
	}{
		{name: "the reason handled", sub: ghostSubject, want: result{Status: http.StatusNotFound, Body: msg("User ghost not found")}},
		{name: "other reasons unchanged", sub: brokenSubject, want: refusedInternal()},
		{name: "success unchanged", sub: "alice", want: okAs("alice", "Alice")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := do(t, mux, newRequest(http.MethodGet, "/me", nil, bearer(e.access(t, tc.sub).Raw)))
			if diff := cmp.Diff(tc.want, res); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorHandlerReplacesAll(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		header  string // the Authorization header, if any
		token   tokenFunc
		wantErr error
	}{
		{name: "missing", token: noToken, wantErr: httpx.ErrNoToken},
		{name: "bad request", header: "Bearer", token: noToken, wantErr: httpx.ErrBadRequest},
		{name: "malformed", header: "Bearer x.y.z", token: noToken, wantErr: jwtx.ErrMalformed},
		{name: "expired", token: accessFor("alice", jwtx.ExpiresIn(time.Second)), wantErr: jwtx.ErrExpired},
		{name: "unknown user", token: accessFor(ghostSubject), wantErr: jwtx.ErrUserNotFound},
		{name: "user store fails", token: accessFor(brokenSubject), wantErr: jwtx.ErrUserLoad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			r := newRequest(http.MethodGet, "/me", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			if tok := tc.token(t, e); tok != "" {
				r.Header.Set("Authorization", "Bearer "+tok)
			}
			e.Clock.Advance(time.Second)
			var got error
			a := e.Auth(t, httpx.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
				got = err
				httpx.WriteJSON(w, http.StatusTeapot, map[string]string{"msg": "custom"})
			}))
			mux := http.NewServeMux()
			mux.Handle("GET /me", a.Required(http.HandlerFunc(whoami)))
			res := do(t, mux, r)
			if diff := cmp.Diff(result{Status: http.StatusTeapot, Body: msg("custom")}, res); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantErr, got, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("error given to the handler (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRealm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mux := http.NewServeMux()
	mux.Handle("GET /me", e.Auth(t, httpx.WithRealm("billing api")).Required(http.HandlerFunc(whoami)))
	for _, tc := range []struct {
		name string
		opts []reqOption
		want string
	}{
		{name: "missing", want: `Bearer realm="billing api"`},
		{name: "invalid", opts: []reqOption{bearer("a.b.c")}, want: `Bearer realm="billing api", error="invalid_token", error_description="invalid token"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := testutil.Serve(mux, newRequest(http.MethodGet, "/me", nil, tc.opts...))
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.want {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReasonOf(t *testing.T) {
	t.Parallel()
	claim := func(name string, err error) error { return &jwtx.ClaimError{Claim: name, Err: err} }
	hdr := func(name string, err error) error { return &jwtx.HeaderError{Param: name, Err: err} }
	for _, tc := range []struct {
		name string
		err  error
		want httpx.Reason
	}{
		{name: "nil", err: nil, want: httpx.ReasonAuthenticated},
		{name: "no token", err: httpx.ErrNoToken, want: httpx.ReasonMissing},
		{name: "bad request", err: fmt.Errorf("%w: 2 headers", httpx.ErrBadRequest), want: httpx.ReasonBadRequest},
		{name: "csrf", err: httpx.ErrCSRF, want: httpx.ReasonCSRF},
		{name: "forbidden", err: fmt.Errorf("%w: %w", httpx.ErrForbidden, errNotAdmin), want: httpx.ReasonForbidden},
		{name: "revocation unavailable", err: fmt.Errorf("%w: %w", jwtx.ErrRevocationUnavailable, context.DeadlineExceeded), want: httpx.ReasonUnavailable},
		{name: "user load", err: &jwtx.UserError{Subject: "x", Err: fmt.Errorf("%w: %w", jwtx.ErrUserLoad, errors.New("db"))}, want: httpx.ReasonUserLoad},
		{name: "user not found", err: &jwtx.UserError{Subject: "x", Err: jwtx.ErrUserNotFound}, want: httpx.ReasonUserMissing},
		{name: "signature", err: jwtx.ErrSignature, want: httpx.ReasonSignature},
		{name: "unknown kid", err: hdr("kid", jwtx.ErrKeyNotFound), want: httpx.ReasonSignature},
		{name: "wrong alg", err: hdr("alg", jwtx.ErrAlgorithm), want: httpx.ReasonSignature},
		{name: "revoked", err: jwtx.ErrRevoked, want: httpx.ReasonRevoked},
		{name: "reused", err: jwtx.ErrReused, want: httpx.ReasonReused},
		{name: "reused and revoked", err: errors.Join(jwtx.ErrRevoked, jwtx.ErrReused), want: httpx.ReasonReused},
		{name: "header typ", err: hdr("typ", jwtx.ErrTokenType), want: httpx.ReasonWrongType},
		{name: "type claim", err: claim("type", jwtx.ErrTokenType), want: httpx.ReasonWrongType},
		{name: "malformed", err: fmt.Errorf("%w: 2 segments", jwtx.ErrMalformed), want: httpx.ReasonInvalid},
		{name: "too large", err: jwtx.ErrTooLarge, want: httpx.ReasonInvalid},
		{name: "unsupported", err: hdr("crit", jwtx.ErrUnsupported), want: httpx.ReasonInvalid},
		{name: "issuer", err: claim("iss", jwtx.ErrIssuer), want: httpx.ReasonInvalid},
		{name: "audience", err: claim("aud", jwtx.ErrAudience), want: httpx.ReasonInvalid},
		{name: "not yet valid", err: claim("nbf", jwtx.ErrNotYetValid), want: httpx.ReasonInvalid},
		{name: "issued at", err: claim("iat", jwtx.ErrIssuedAt), want: httpx.ReasonInvalid},
		{name: "missing claim", err: claim("sub", jwtx.ErrMissingClaim), want: httpx.ReasonInvalid},
		{name: "custom check", err: fmt.Errorf("%w: %w", jwtx.ErrClaims, errors.New("tenant")), want: httpx.ReasonClaims},
		{name: "not fresh", err: claim("fresh", jwtx.ErrNotFresh), want: httpx.ReasonNotFresh},
		{name: "expired", err: claim("exp", jwtx.ErrExpired), want: httpx.ReasonExpired},
		{name: "expired and audience", err: errors.Join(claim("exp", jwtx.ErrExpired), claim("aud", jwtx.ErrAudience)), want: httpx.ReasonInvalid},
		{name: "expired and issuer", err: errors.Join(claim("exp", jwtx.ErrExpired), claim("iss", jwtx.ErrIssuer)), want: httpx.ReasonInvalid},
		{name: "expired and wrong type", err: errors.Join(claim("type", jwtx.ErrTokenType), claim("exp", jwtx.ErrExpired)), want: httpx.ReasonWrongType},
		{name: "expired and not fresh", err: errors.Join(claim("exp", jwtx.ErrExpired), claim("fresh", jwtx.ErrNotFresh)), want: httpx.ReasonNotFresh},
		{name: "no user in context", err: jwtx.ErrNoUser, want: httpx.ReasonInternal},
		{name: "config", err: jwtx.ErrConfig, want: httpx.ReasonInternal},
		{name: "unknown", err: errors.New("boom"), want: httpx.ReasonInternal},
		{name: "canceled", err: context.Canceled, want: httpx.ReasonInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := httpx.ReasonOf(tc.err); got != tc.want {
				t.Errorf("ReasonOf(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}

// TestReasonOfVerifierErrors classifies the errors the real Verifier returns.
func TestReasonOfVerifierErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		token  func(tb testing.TB, e *appEnv) string
		after  time.Duration
		expect jwtx.Expect
		store  func(s *memStore, jti string)
		want   httpx.Reason
	}{
		{name: "valid", token: accessFor("alice"), want: httpx.ReasonAuthenticated},
		{name: "expired", token: accessFor("alice"), after: time.Hour, want: httpx.ReasonExpired},
		{name: "expired and wrong audience", token: accessFor("alice", jwtx.ForAudience("billing")), after: time.Hour, want: httpx.ReasonInvalid},
		{name: "forged", token: forged, want: httpx.ReasonSignature},
		{name: "forged and expired", token: forged, after: time.Hour, want: httpx.ReasonSignature},
		{name: "refresh as access", token: refreshFor("alice"), want: httpx.ReasonWrongType},
		{name: "access as refresh", token: accessFor("alice"), expect: jwtx.ExpectRefresh, want: httpx.ReasonWrongType},
		{name: "not fresh", token: accessFor("alice"), expect: jwtx.ExpectFresh, want: httpx.ReasonNotFresh},
		{name: "user not found", token: accessFor(ghostSubject), want: httpx.ReasonUserMissing},
		{name: "user load", token: accessFor(brokenSubject), want: httpx.ReasonUserLoad},
		{name: "malformed", token: func(testing.TB, *appEnv) string { return "a.b" }, want: httpx.ReasonInvalid},
		{name: "revoked", token: accessFor("alice"), store: func(s *memStore, jti string) { s.revoked[jti] = jwtx.TokenInfo{ID: jti} }, want: httpx.ReasonRevoked},
		{name: "revocation down", token: accessFor("alice"), store: func(s *memStore, _ string) { s.checkErr = errors.New("down") }, want: httpx.ReasonUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := newMemStore()
			e := newEnv(t, jwtx.WithRevocation(store))
			tok := tc.token(t, e)
			if tc.store != nil {
				tc.store(store, jtiOf(t, tok))
			}
			e.Clock.Advance(tc.after)
			ctx := context.Background()
			var err error
			switch tc.expect {
			case jwtx.ExpectFresh:
				_, _, err = e.Verifier.VerifyFresh(ctx, tok)
			case jwtx.ExpectRefresh:
				_, _, err = e.Verifier.VerifyRefresh(ctx, tok)
			default:
				_, _, err = e.Verifier.Verify(ctx, tok)
			}
			if got := httpx.ReasonOf(err); got != tc.want {
				t.Errorf("ReasonOf(%v) = %q, want %q", err, got, tc.want)
			}
		})
	}
}

func TestDefaultErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		reason     httpx.Reason
		err        error
		want       result
		retryAfter string
	}{
		{reason: httpx.ReasonMissing, err: httpx.ErrNoToken, want: refusedMissing()},
		{reason: httpx.ReasonBadRequest, err: httpx.ErrBadRequest, want: refusedBadRequest()},
		{reason: httpx.ReasonInvalid, err: jwtx.ErrMalformed, want: refusedToken("invalid token")},
		{reason: httpx.ReasonSignature, err: jwtx.ErrSignature, want: refusedToken("invalid token")},
		{reason: httpx.ReasonExpired, err: jwtx.ErrExpired, want: refusedToken("token expired")},
		{reason: httpx.ReasonWrongType, err: jwtx.ErrTokenType, want: refusedToken("wrong token type")},
		{reason: httpx.ReasonNotFresh, err: jwtx.ErrNotFresh, want: refusedToken("fresh token required")},
		{reason: httpx.ReasonRevoked, err: jwtx.ErrRevoked, want: refusedToken("token revoked")},
		{reason: httpx.ReasonReused, err: jwtx.ErrReused, want: refusedToken("refresh token reused; log in again")},
		{reason: httpx.ReasonUnavailable, err: jwtx.ErrRevocationUnavailable, want: result{Status: http.StatusServiceUnavailable, Body: msg("try again later")}, retryAfter: "1"},
		{reason: httpx.ReasonCSRF, err: httpx.ErrCSRF, want: refusedCSRF()},
		{reason: httpx.ReasonUserMissing, err: jwtx.ErrUserNotFound, want: refusedToken("user not found")},
		{reason: httpx.ReasonUserLoad, err: jwtx.ErrUserLoad, want: refusedInternal()},
		{reason: httpx.ReasonForbidden, err: httpx.ErrForbidden, want: refusedForbidden()},
		{reason: httpx.ReasonInternal, err: errors.New("secret internal detail"), want: refusedInternal()},
	} {
		t.Run(string(tc.reason), func(t *testing.T) {
			t.Parallel()
			if got := httpx.ReasonOf(tc.err); got != tc.reason {
				t.Fatalf("ReasonOf(%v) = %q, want %q", tc.err, got, tc.reason)
			}
			rec := testutil.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				httpx.DefaultErrors("api")(w, r, tc.err)
			}), newRequest(http.MethodGet, "/", nil))
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			wantHeaders := map[string]string{
				"Content-Type":  "application/json; charset=utf-8",
				"Cache-Control": "no-store",
				"Retry-After":   tc.retryAfter,
			}
			gotHeaders := map[string]string{}
			for name := range wantHeaders {
				gotHeaders[name] = rec.Header().Get(name)
			}
			if diff := cmp.Diff(wantHeaders, gotHeaders); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if strings.Contains(rec.Body.String(), tc.err.Error()) {
				t.Errorf("body %q carries the error text", rec.Body)
			}
		})
	}
}
