package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// errNotAdmin is the error of the isAdmin authorization check.
var errNotAdmin = errors.New("not an admin")

// isAdmin is an Authorize check on both the claims and the user.
func isAdmin(_ context.Context, c Claims, u User) error {
	if !slices.Contains(c.Roles, "admin") || !slices.Contains(u.Roles, "admin") {
		return errNotAdmin
	}
	return nil
}

// modesMux routes one path per protection mode, each answering whoami.
func modesMux(a *httpx.Auth[User, Claims]) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /required", a.Required(http.HandlerFunc(whoami)))
	mux.Handle("GET /optional", a.Optional(http.HandlerFunc(whoami)))
	mux.Handle("GET /fresh", a.Fresh(http.HandlerFunc(whoami)))
	mux.Handle("GET /refresh-only", a.RequireRefresh(http.HandlerFunc(whoami)))
	mux.Handle("GET /admin", a.Authorize(isAdmin)(http.HandlerFunc(whoami)))
	mux.Handle("GET /typed", a.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, c Claims, u User) {
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"sub": c.Subject, "user": u.Name})
	}))
	return mux
}

// A token builder issues the token of a test case with the env's clock at
// epoch; "" means no token.
type tokenFunc func(tb testing.TB, e *env) string

func noToken(testing.TB, *env) string { return "" }

func accessFor(id string, opts ...jwtx.IssueOption) tokenFunc {
	return func(tb testing.TB, e *env) string { return e.access(tb, id, opts...).Raw }
}

func refreshFor(id string) tokenFunc {
	return func(tb testing.TB, e *env) string { return e.refresh(tb, id).Raw }
}

// forged is an access token for alice signed with a key the verifier does
// not trust, under the trusted kid.
func forged(tb testing.TB, _ *env) string {
	return newEnvSecret(tb, attackerSecret).access(tb, "alice").Raw
}

func TestModes(t *testing.T) {
	t.Parallel()
	const ttl = jwtx.DefaultAccessTTL
	for _, tc := range []struct {
		name  string
		path  string
		token tokenFunc
		after time.Duration // request time after issue
		want  result
	}{
		{name: "required/no token", path: "/required", token: noToken, want: refusedMissing()},
		{name: "required/access", path: "/required", token: accessFor("alice"), want: okAs("alice", "Alice")},
		{name: "required/exp-1s", path: "/required", token: accessFor("alice"), after: ttl - time.Second, want: okAs("alice", "Alice")},
		{name: "required/exp", path: "/required", token: accessFor("alice"), after: ttl, want: refusedToken("token expired")},
		{name: "required/refresh token", path: "/required", token: refreshFor("alice"), want: refusedToken("wrong token type")},
		{name: "required/forged", path: "/required", token: forged, want: refusedToken("invalid token")},

		{name: "optional/no token", path: "/optional", token: noToken, want: anonymous()},
		{name: "optional/access", path: "/optional", token: accessFor("bob"), want: okAs("bob", "Bob")},
		{name: "optional/expired", path: "/optional", token: accessFor("bob"), after: ttl, want: refusedToken("token expired")},
		{name: "optional/forged", path: "/optional", token: forged, want: refusedToken("invalid token")},
		{name: "optional/refresh token", path: "/optional", token: refreshFor("bob"), want: refusedToken("wrong token type")},

		{name: "fresh/AsFresh(true)", path: "/fresh", token: accessFor("alice", jwtx.AsFresh(true)), want: okAs("alice", "Alice")},
		{name: "fresh/not fresh", path: "/fresh", token: accessFor("alice"), want: refusedToken("fresh token required")},
		{name: "fresh/AsFresh(false)", path: "/fresh", token: accessFor("alice", jwtx.AsFresh(false)), want: refusedToken("fresh token required")},
		{name: "fresh/FreshFor until-1s", path: "/fresh", token: accessFor("alice", jwtx.FreshFor(10*time.Minute)), after: 10*time.Minute - time.Second, want: okAs("alice", "Alice")},
		{name: "fresh/FreshFor until", path: "/fresh", token: accessFor("alice", jwtx.FreshFor(10*time.Minute)), after: 10 * time.Minute, want: refusedToken("fresh token required")},
		{name: "fresh/no token", path: "/fresh", token: noToken, want: refusedMissing()},
		{name: "fresh/refresh token", path: "/fresh", token: refreshFor("alice"), want: refusedToken("wrong token type")},

		{name: "refresh/refresh token", path: "/refresh-only", token: refreshFor("alice"), want: okAs("alice", "Alice")},
		{name: "refresh/access token", path: "/refresh-only", token: accessFor("alice", jwtx.AsFresh(true)), want: refusedToken("wrong token type")},
		{name: "refresh/expired", path: "/refresh-only", token: refreshFor("alice"), after: jwtx.DefaultRefreshTTL, want: refusedToken("token expired")},
		{name: "refresh/no token", path: "/refresh-only", token: noToken, want: refusedMissing()},

		{name: "authorize/admin", path: "/admin", token: accessFor("alice"), want: okAs("alice", "Alice")},
		{name: "authorize/not admin", path: "/admin", token: accessFor("bob"), want: refusedForbidden()},
		{name: "authorize/no token", path: "/admin", token: noToken, want: refusedMissing()},
		{name: "authorize/expired", path: "/admin", token: accessFor("alice"), after: ttl, want: refusedToken("token expired")},
		{name: "authorize/unknown user", path: "/admin", token: accessFor(ghostSubject), want: refusedToken("user not found")},

		{name: "handlerfunc/access", path: "/typed", token: accessFor("bob"), want: okAs("bob", "Bob")},
		{name: "handlerfunc/no token", path: "/typed", token: noToken, want: refusedMissing()},
		{name: "handlerfunc/refresh token", path: "/typed", token: refreshFor("bob"), want: refusedToken("wrong token type")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := tc.token(t, e)
			e.at(epoch().Add(tc.after))
			var opts []reqOption
			if tok != "" {
				opts = append(opts, bearer(tok))
			}
			rec := serve(modesMux(e.auth(t)), newRequest(http.MethodGet, tc.path, nil, opts...))
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("GET %s (-want +got):\n%s", tc.path, diff)
			}
			if tok != "" && tc.want.Status != http.StatusOK {
				checkNoLeak(t, rec, tok)
			}
		})
	}
}

// seen is what a handler found in its request context.
type seen struct {
	Claims    Claims
	HasClaims bool
	User      User
	HasUser   bool
	Raw       string
	HasRaw    bool
}

func seenIn(ctx context.Context) seen {
	var s seen
	s.Claims, s.HasClaims = jwtx.From[Claims](ctx)
	s.User, s.HasUser = jwtx.UserFrom[User](ctx)
	raw, ok := jwtx.RawFrom(ctx)
	s.Raw, s.HasRaw = string(raw), ok
	return s
}

func TestContextValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		guard   func(a *httpx.Auth[User, Claims], h http.Handler) http.Handler
		refresh bool // present a refresh token
		noToken bool
	}{
		{name: "Required", guard: (*httpx.Auth[User, Claims]).Required},
		{name: "Optional", guard: (*httpx.Auth[User, Claims]).Optional},
		{name: "Optional without token", guard: (*httpx.Auth[User, Claims]).Optional, noToken: true},
		{name: "Fresh", guard: (*httpx.Auth[User, Claims]).Fresh},
		{name: "RequireRefresh", guard: (*httpx.Auth[User, Claims]).RequireRefresh, refresh: true},
		{name: "Authorize", guard: func(a *httpx.Auth[User, Claims], h http.Handler) http.Handler { return a.Authorize(isAdmin)(h) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			want := jwtx.ExpectFresh
			tok := e.access(t, "alice", jwtx.AsFresh(true))
			if tc.refresh {
				want, tok = jwtx.ExpectRefresh, e.refresh(t, "alice")
			}
			var got seen
			mux := http.NewServeMux()
			mux.Handle("GET /me", tc.guard(e.auth(t), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = seenIn(r.Context())
				w.WriteHeader(http.StatusNoContent)
			})))
			r := newRequest(http.MethodGet, "/me", nil)
			var wantSeen seen
			if !tc.noToken {
				r.Header.Set("Authorization", "Bearer "+tok.Raw)
				claims, raw, err := e.ver.VerifyClaims(context.Background(), tok.Raw, want)
				if err != nil {
					t.Fatalf("VerifyClaims: %v", err)
				}
				wantSeen = seen{Claims: claims, HasClaims: true, User: testUsers()["alice"], HasUser: true, Raw: string(raw), HasRaw: true}
			}
			if rec := serve(mux, r); rec.Code != http.StatusNoContent {
				t.Fatalf("status %d, want %d; body %s", rec.Code, http.StatusNoContent, rec.Body)
			}
			if diff := cmp.Diff(wantSeen, got); diff != "" {
				t.Errorf("context values (-want +got):\n%s", diff)
			}
			if !tc.noToken && got.Raw != string(payload(t, tok.Raw)) {
				t.Errorf("RawFrom = %s, want the token's payload %s", got.Raw, payload(t, tok.Raw))
			}
		})
	}
}

func TestHandlerFuncArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.access(t, "alice")
	type args struct {
		Claims Claims
		User   User
		FromCx seen
	}
	var got args
	calls := 0
	mux := http.NewServeMux()
	mux.Handle("GET /me", e.auth(t).HandlerFunc(func(w http.ResponseWriter, r *http.Request, c Claims, u User) {
		calls++
		got = args{Claims: c, User: u, FromCx: seenIn(r.Context())}
		w.WriteHeader(http.StatusNoContent)
	}))
	serve(mux, newRequest(http.MethodGet, "/me", nil, bearer(tok.Raw)))
	claims, raw, err := e.ver.VerifyClaims(context.Background(), tok.Raw, jwtx.ExpectAccess)
	if err != nil {
		t.Fatalf("VerifyClaims: %v", err)
	}
	alice := testUsers()["alice"]
	want := args{Claims: claims, User: alice, FromCx: seen{Claims: claims, HasClaims: true, User: alice, HasUser: true, Raw: string(raw), HasRaw: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HandlerFunc arguments (-want +got):\n%s", diff)
	}
	if calls != 1 {
		t.Errorf("handler called %d times, want 1", calls)
	}
}

func TestAuthorizeError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var got error
	a := e.auth(t, httpx.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		httpx.DefaultErrors("api")(w, r, err)
	}))
	mux := http.NewServeMux()
	mux.Handle("GET /admin", a.Authorize(isAdmin)(http.HandlerFunc(whoami)))
	res := do(t, mux, newRequest(http.MethodGet, "/admin", nil, bearer(e.access(t, "bob").Raw)))
	if diff := cmp.Diff(refusedForbidden(), res); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	for _, target := range []error{httpx.ErrForbidden, errNotAdmin} {
		if !errors.Is(got, target) {
			t.Errorf("error %v does not wrap %v", got, target)
		}
	}
}

// respCase is a refusal and what must come of it.
type respCase struct {
	name       string
	token      func(tb testing.TB, e *env) jwtx.Token // issued at epoch
	after      time.Duration
	store      func(s *memStore, tok jwtx.Token)
	want       result
	retryAfter string
}

func TestFailureResponses(t *testing.T) {
	t.Parallel()
	raw := func(s string) func(testing.TB, *env) jwtx.Token {
		return func(testing.TB, *env) jwtx.Token { return jwtx.Token{Raw: s} }
	}
	alice := func(opts ...jwtx.IssueOption) func(testing.TB, *env) jwtx.Token {
		return func(tb testing.TB, e *env) jwtx.Token { return e.access(tb, "alice", opts...) }
	}
	for _, tc := range []respCase{
		{name: "expired", token: alice(), after: time.Hour, want: refusedToken("token expired")},
		{name: "expired and wrong audience", token: alice(jwtx.ForAudience("billing")), after: time.Hour, want: refusedToken("invalid token")},
		{
			// C10: a forged token is not "expired", whatever its exp says.
			name: "expired with a bad signature",
			token: func(tb testing.TB, _ *env) jwtx.Token {
				return newEnvSecret(tb, attackerSecret).access(tb, "alice")
			},
			after: time.Hour, want: refusedToken("invalid token"),
		},
		{
			// C11: the payload changed, the signature kept.
			name: "tampered payload",
			token: func(tb testing.TB, e *env) jwtx.Token {
				tok := e.access(tb, "bob")
				tok.Raw = withPayload(tok.Raw, []byte(strings.Replace(string(payload(tb, tok.Raw)), `"sub":"bob"`, `"sub":"alice"`, 1)))
				return tok
			},
			want: refusedToken("invalid token"),
		},
		{
			name: "unknown kid",
			token: func(tb testing.TB, _ *env) jwtx.Token {
				key, err := jwtx.NewKey(jwtx.HS256, []byte(attackerSecret), jwtx.WithKeyID("k2"))
				if err != nil {
					tb.Fatal(err)
				}
				iss, err := jwtx.NewIssuer[string, Claims](key, jwtx.WithClock(jwtx.ClockFunc(epoch)))
				if err != nil {
					tb.Fatal(err)
				}
				tok, err := iss.Access(context.Background(), "alice")
				if err != nil {
					tb.Fatal(err)
				}
				return tok
			},
			want: refusedToken("invalid token"),
		},
		{
			name: "not yet valid",
			token: func(tb testing.TB, e *env) jwtx.Token {
				defer e.at(epoch())
				return e.at(epoch().Add(time.Hour)).access(tb, "alice")
			},
			want: refusedToken("invalid token"),
		},
		{name: "malformed", token: raw("bm90.YQ.c2lnbmF0dXJl"), want: refusedToken("invalid token")},
		{name: "too large", token: raw(strings.Repeat("A", jwtx.DefaultMaxTokenSize+1)), want: refusedToken("invalid token")},
		{name: "refresh token on an access route", token: func(tb testing.TB, e *env) jwtx.Token { return e.refresh(tb, "alice") }, want: refusedToken("wrong token type")},
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
		{name: "user not found", token: func(tb testing.TB, e *env) jwtx.Token { return e.access(tb, ghostSubject) }, want: refusedToken("user not found")},
		{name: "user store fails", token: func(tb testing.TB, e *env) jwtx.Token { return e.access(tb, brokenSubject) }, want: refusedInternal()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := newMemStore()
			e := newEnv(t, jwtx.WithRevocation(store))
			tok := tc.token(t, e)
			if tc.store != nil {
				tc.store(store, tok)
			}
			e.at(epoch().Add(tc.after))
			called := false
			mux := http.NewServeMux()
			mux.Handle("GET /me", e.auth(t).Required(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })))
			rec := serve(mux, newRequest(http.MethodGet, "/me", nil, bearer(tok.Raw)))
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
	a := e.auth(t, httpx.WithReasonHandler(httpx.ReasonUserMissing, func(w http.ResponseWriter, _ *http.Request, err error) {
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
			e.at(epoch().Add(time.Second))
			var got error
			a := e.auth(t, httpx.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
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

func TestPreflight(t *testing.T) {
	t.Parallel()
	preflight := []reqOption{header("Origin", "https://app.example"), header("Access-Control-Request-Method", "POST")}
	for _, tc := range []struct {
		name string
		opts []httpx.Option
		req  []reqOption
		want result
	}{
		{name: "passes by default", req: preflight, want: anonymous()},
		{name: "refused with WithPreflight(false)", opts: []httpx.Option{httpx.WithPreflight(false)}, req: preflight, want: refusedMissing()},
		{name: "OPTIONS without Origin is no preflight", req: preflight[1:], want: refusedMissing()},
		{name: "OPTIONS without request method is no preflight", req: preflight[:1], want: refusedMissing()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			mux := http.NewServeMux()
			mux.Handle("/api", e.auth(t, tc.opts...).Required(http.HandlerFunc(whoami)))
			res := do(t, mux, newRequest(http.MethodOptions, "/api", nil, tc.req...))
			if diff := cmp.Diff(tc.want, res); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	otherUser, err := jwtx.NewIssuer[string, Claims](mustKey(t))
	if err != nil {
		t.Fatal(err)
	}
	type OtherClaims struct{ jwtx.RegisteredClaims }
	otherClaims, err := jwtx.NewIssuer[User, OtherClaims](mustKey(t), jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }))
	if err != nil {
		t.Fatal(err)
	}
	noop := func(http.ResponseWriter, *http.Request, error) {}
	for _, tc := range []struct {
		name string
		opt  httpx.Option
	}{
		{name: "nil option", opt: nil},
		{name: "empty realm", opt: httpx.WithRealm("")},
		{name: "realm with a quote", opt: httpx.WithRealm(`a"b`)},
		{name: "realm with a backslash", opt: httpx.WithRealm(`a\b`)},
		{name: "realm with a newline", opt: httpx.WithRealm("a\r\nb")},
		{name: "no locations", opt: httpx.WithLocations()},
		{name: "duplicate location", opt: httpx.WithLocations(httpx.FromHeader, httpx.FromHeader)},
		{name: "location zero", opt: httpx.WithLocations(httpx.Location(0))},
		{name: "unknown location", opt: httpx.WithLocations(httpx.FromBody + 1)},
		{name: "empty header name", opt: httpx.WithAuthorizationHeader("", "Bearer")},
		{name: "empty scheme", opt: httpx.WithAuthorizationHeader("Authorization", "")},
		{name: "scheme with a space", opt: httpx.WithAuthorizationHeader("Authorization", "Bearer x")},
		{name: "scheme with a tab", opt: httpx.WithAuthorizationHeader("Authorization", "Bearer\t")},
		{name: "empty query parameter", opt: httpx.WithQueryParam("")},
		{name: "empty access body field", opt: httpx.WithBodyFields("", "refresh_token")},
		{name: "empty refresh body field", opt: httpx.WithBodyFields("access_token", "")},
		{name: "zero body size", opt: httpx.WithMaxBodySize(0)},
		{name: "negative body size", opt: httpx.WithMaxBodySize(-1)},
		{name: "bad cookies", opt: httpx.WithCookies(httpx.Cookies{Domain: "example.com"})},
		{name: "empty CSRF header", opt: httpx.WithCSRFHeader("")},
		{name: "empty CSRF form field", opt: httpx.WithCSRFFormField("")},
		{name: "CSRF method GET", opt: httpx.WithCSRFMethods(http.MethodPost, http.MethodGet)},
		{name: "CSRF method HEAD", opt: httpx.WithCSRFMethods(http.MethodHead)},
		{name: "CSRF method OPTIONS", opt: httpx.WithCSRFMethods(http.MethodOptions)},
		{name: "CSRF method TRACE", opt: httpx.WithCSRFMethods(http.MethodTrace)},
		{name: "CSRF method get", opt: httpx.WithCSRFMethods("get")},
		{name: "nil error handler", opt: httpx.WithErrorHandler(nil)},
		{name: "nil reason handler", opt: httpx.WithReasonHandler(httpx.ReasonCSRF, nil)},
		{name: "nil event function", opt: httpx.WithEvents(nil)},
		{name: "implicit refresh without issuer", opt: httpx.WithImplicitRefresh((*jwtx.Issuer[User, Claims])(nil), time.Minute)},
		{name: "implicit refresh zero window", opt: httpx.WithImplicitRefresh(e.iss, 0)},
		{name: "implicit refresh negative window", opt: httpx.WithImplicitRefresh(e.iss, -time.Minute)},
		{name: "implicit refresh with another user type", opt: httpx.WithImplicitRefresh(otherUser, time.Minute)},
		{name: "implicit refresh with another claims type", opt: httpx.WithImplicitRefresh(otherClaims, time.Minute)},
		{name: "nil revoker", opt: httpx.WithRevoker(nil)},
		{name: "nil rotation store", opt: httpx.WithRotation(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := httpx.New(e.ver, tc.opt)
			if !errors.Is(err, jwtx.ErrConfig) {
				t.Errorf("New() error = %v, want one wrapping jwtx.ErrConfig", err)
			}
			if a != nil {
				t.Errorf("New() = %v, want nil on error", a)
			}
		})
	}
	t.Run("nil verifier", func(t *testing.T) {
		t.Parallel()
		if _, err := httpx.New[User, Claims](nil); !errors.Is(err, jwtx.ErrConfig) {
			t.Errorf("New(nil) error = %v, want one wrapping jwtx.ErrConfig", err)
		}
	})
	t.Run("every valid option", func(t *testing.T) {
		t.Parallel()
		_, err := httpx.New(e.ver,
			httpx.WithRealm("my api"),
			httpx.WithLocations(httpx.FromBody, httpx.FromQuery, httpx.FromCookie, httpx.FromHeader),
			httpx.WithAuthorizationHeader("X-Token", "Token"),
			httpx.WithQueryParam("access_token"),
			httpx.WithBodyFields("at", "rt"),
			httpx.WithMaxBodySize(1),
			httpx.WithCookies(httpx.Cookies{Insecure: true}),
			httpx.WithCSRF(false),
			httpx.WithCSRFHeader("X-XSRF-Token"),
			httpx.WithCSRFFormField("csrf"),
			httpx.WithCSRFMethods("POST", "PURGE"),
			httpx.WithErrorHandler(noop),
			httpx.WithReasonHandler(httpx.ReasonCSRF, noop),
			httpx.WithEvents(func(context.Context, httpx.Event) {}),
			httpx.WithPreflight(false),
			httpx.WithLazyUser(true),
			httpx.WithImplicitRefresh(e.iss, time.Minute),
			httpx.WithRevoker(newMemStore()),
		)
		if err != nil {
			t.Errorf("New() error = %v", err)
		}
	})
}

// mustKey returns an HS256 key on the test secret.
func mustKey(tb testing.TB) *jwtx.Key {
	tb.Helper()
	key, err := jwtx.NewKey(jwtx.HS256, []byte(testSecret))
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

func TestRealm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mux := http.NewServeMux()
	mux.Handle("GET /me", e.auth(t, httpx.WithRealm("billing api")).Required(http.HandlerFunc(whoami)))
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
			rec := serve(mux, newRequest(http.MethodGet, "/me", nil, tc.opts...))
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
		{name: "custom check", err: fmt.Errorf("%w: %w", jwtx.ErrClaims, errors.New("tenant")), want: httpx.ReasonInvalid},
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
		token  func(tb testing.TB, e *env) string
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
		{name: "malformed", token: func(testing.TB, *env) string { return "a.b" }, want: httpx.ReasonInvalid},
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
			e.at(epoch().Add(tc.after))
			ctx := context.Background()
			var err error
			switch tc.expect {
			case jwtx.ExpectFresh:
				_, _, err = e.ver.VerifyFresh(ctx, tok)
			case jwtx.ExpectRefresh:
				_, _, err = e.ver.VerifyRefresh(ctx, tok)
			default:
				_, _, err = e.ver.Verify(ctx, tok)
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
			rec := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

func TestLazyUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		lazy       bool
		path       string
		sub        string
		want       result
		wantLoads  int64
		wantCalled bool
	}{
		{name: "lazy, claims only", lazy: true, path: "/claims", sub: "alice", want: result{Status: http.StatusOK, Body: map[string]any{"sub": "alice"}}, wantLoads: 0, wantCalled: true},
		{name: "lazy, user read twice", lazy: true, path: "/user-twice", sub: "alice", want: okAs("alice", "Alice"), wantLoads: 1, wantCalled: true},
		{name: "lazy, unknown user read", lazy: true, path: "/user-twice", sub: ghostSubject, want: result{Status: http.StatusNotFound, Body: msg("no user ghost")}, wantLoads: 1, wantCalled: true},
		{name: "lazy, unknown user not read", lazy: true, path: "/claims", sub: ghostSubject, want: result{Status: http.StatusOK, Body: map[string]any{"sub": ghostSubject}}, wantLoads: 0, wantCalled: true},
		{name: "lazy, authorize loads first", lazy: true, path: "/admin", sub: "alice", want: okAs("alice", "Alice"), wantLoads: 1, wantCalled: true},
		{name: "lazy, HandlerFunc", lazy: true, path: "/typed", sub: "alice", want: okAs("alice", "Alice"), wantLoads: 1, wantCalled: true},
		{name: "lazy, HandlerFunc, unknown user", lazy: true, path: "/typed", sub: ghostSubject, want: refusedToken("user not found"), wantLoads: 1},
		{name: "lazy, HandlerFunc, user store fails", lazy: true, path: "/typed", sub: brokenSubject, want: refusedInternal(), wantLoads: 1},
		{name: "eager, claims only", path: "/claims", sub: "alice", want: result{Status: http.StatusOK, Body: map[string]any{"sub": "alice"}}, wantLoads: 1, wantCalled: true},
		{name: "eager, user read twice", path: "/user-twice", sub: "alice", want: okAs("alice", "Alice"), wantLoads: 1, wantCalled: true},
		{name: "eager, unknown user", path: "/claims", sub: ghostSubject, want: refusedToken("user not found"), wantLoads: 1},
		{name: "eager, user store fails", path: "/claims", sub: brokenSubject, want: refusedInternal(), wantLoads: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			a := e.auth(t, httpx.WithLazyUser(tc.lazy))
			called := false
			claimsOnly := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				c, _ := jwtx.From[Claims](r.Context())
				httpx.WriteJSON(w, http.StatusOK, map[string]any{"sub": c.Subject})
			})
			userTwice := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				u1, err1 := jwtx.UserFromContext[User](r.Context())
				u2, err2 := jwtx.UserFromContext[User](r.Context())
				if !cmp.Equal(u1, u2) || !errors.Is(err2, err1) {
					t.Errorf("second UserFromContext = %v, %v; first %v, %v", u2, err2, u1, err1)
				}
				var ue *jwtx.UserError
				if errors.As(err1, &ue) && errors.Is(err1, jwtx.ErrUserNotFound) {
					httpx.WriteJSON(w, http.StatusNotFound, map[string]any{"msg": "no user " + ue.Subject})
					return
				}
				c, _ := jwtx.From[Claims](r.Context())
				httpx.WriteJSON(w, http.StatusOK, map[string]any{"sub": c.Subject, "user": u1.Name})
			})
			mux := http.NewServeMux()
			mux.Handle("GET /claims", a.Required(claimsOnly))
			mux.Handle("GET /user-twice", a.Required(userTwice))
			mux.Handle("GET /admin", a.Authorize(func(ctx context.Context, c Claims, u User) error {
				if e.loads.Load() != 1 {
					t.Errorf("authorization check ran after %d loads, want 1", e.loads.Load())
				}
				return isAdmin(ctx, c, u)
			})(userTwice))
			mux.Handle("GET /typed", a.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, c Claims, u User) {
				called = true
				httpx.WriteJSON(w, http.StatusOK, map[string]any{"sub": c.Subject, "user": u.Name})
			}))
			res := do(t, mux, newRequest(http.MethodGet, tc.path, nil, bearer(e.access(t, tc.sub).Raw)))
			if diff := cmp.Diff(tc.want, res); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if got := e.loads.Load(); got != tc.wantLoads {
				t.Errorf("user loaded %d times, want %d", got, tc.wantLoads)
			}
			if called != tc.wantCalled {
				t.Errorf("handler called: %v, want %v", called, tc.wantCalled)
			}
		})
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		lazy       bool
		failing    bool // RefreshHandler's Issuer fails
		method     string
		path       string
		token      tokenFunc
		location   httpx.Location // where the token goes
		authHeader string         // an Authorization header instead of a token
		preflight  bool
		after      time.Duration
		want       httpx.Event // Method and Path are filled in; TokenID is the token's when Subject is set
	}{
		{name: "missing", method: http.MethodGet, path: "/required", token: noToken, want: httpx.Event{Reason: httpx.ReasonMissing, Err: httpx.ErrNoToken}},
		{name: "authenticated", method: http.MethodGet, path: "/required", token: accessFor("alice"), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonAuthenticated, Location: httpx.FromHeader, Subject: "alice"}},
		{name: "authenticated by cookie", method: http.MethodGet, path: "/required", token: accessFor("alice"), location: httpx.FromCookie, want: httpx.Event{Reason: httpx.ReasonAuthenticated, Location: httpx.FromCookie, Subject: "alice"}},
		{name: "anonymous", method: http.MethodGet, path: "/optional", token: noToken, want: httpx.Event{Reason: httpx.ReasonAnonymous}},
		{name: "preflight", method: http.MethodOptions, path: "/required", token: noToken, preflight: true, want: httpx.Event{Reason: httpx.ReasonPreflight}},
		{name: "bad request", method: http.MethodGet, path: "/required", token: noToken, authHeader: "Bearer", want: httpx.Event{Reason: httpx.ReasonBadRequest, Location: httpx.FromHeader, Err: httpx.ErrBadRequest}},
		{name: "forged", method: http.MethodGet, path: "/required", token: forged, location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonSignature, Location: httpx.FromHeader, Err: jwtx.ErrSignature}},
		{
			name: "tampered sub", method: http.MethodGet, path: "/required", location: httpx.FromHeader,
			token: func(tb testing.TB, e *env) string {
				tok := e.access(tb, "bob").Raw
				return withPayload(tok, []byte(strings.Replace(string(payload(tb, tok)), `"sub":"bob"`, `"sub":"alice"`, 1)))
			},
			want: httpx.Event{Reason: httpx.ReasonSignature, Location: httpx.FromHeader, Err: jwtx.ErrSignature},
		},
		{name: "expired", method: http.MethodGet, path: "/required", token: accessFor("alice"), location: httpx.FromHeader, after: time.Hour, want: httpx.Event{Reason: httpx.ReasonExpired, Location: httpx.FromHeader, Err: jwtx.ErrExpired}},
		{name: "csrf", method: http.MethodPost, path: "/required", token: accessFor("alice"), location: httpx.FromCookie, want: httpx.Event{Reason: httpx.ReasonCSRF, Location: httpx.FromCookie, Subject: "alice", Err: httpx.ErrCSRF}},
		{name: "forbidden", method: http.MethodGet, path: "/admin", token: accessFor("bob"), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonForbidden, Location: httpx.FromHeader, Subject: "bob", Err: errNotAdmin}},
		{name: "user missing", method: http.MethodGet, path: "/required", token: accessFor(ghostSubject), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonUserMissing, Location: httpx.FromHeader, Subject: ghostSubject, Err: jwtx.ErrUserNotFound}},
		{name: "user store fails", method: http.MethodGet, path: "/required", token: accessFor(brokenSubject), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonUserLoad, Location: httpx.FromHeader, Subject: brokenSubject, Err: jwtx.ErrUserLoad}},
		{name: "refresh", method: http.MethodPost, path: "/refresh", token: refreshFor("alice"), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonAuthenticated, Location: httpx.FromHeader, Subject: "alice"}},
		{name: "refresh, issuer fails", failing: true, method: http.MethodPost, path: "/refresh", token: refreshFor("alice"), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonInternal, Location: httpx.FromHeader, Subject: "alice"}},
		{name: "refresh, lazy, user missing", lazy: true, method: http.MethodPost, path: "/refresh", token: refreshFor(ghostSubject), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonUserMissing, Location: httpx.FromHeader, Subject: ghostSubject, Err: jwtx.ErrUserNotFound}},
		{name: "lazy, user missing, not read", lazy: true, method: http.MethodGet, path: "/required", token: accessFor(ghostSubject), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonAuthenticated, Location: httpx.FromHeader, Subject: ghostSubject}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var log eventLog
			a := e.auth(t, httpx.WithEvents(log.record), httpx.WithLazyUser(tc.lazy), httpx.WithLocations(httpx.FromHeader, httpx.FromCookie))
			mux := http.NewServeMux()
			mux.Handle("/required", a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, _ := jwtx.From[Claims](r.Context())
				httpx.WriteJSON(w, http.StatusOK, map[string]string{"sub": c.Subject})
			})))
			mux.Handle("/optional", a.Optional(http.HandlerFunc(whoami)))
			mux.Handle("/admin", a.Authorize(isAdmin)(http.HandlerFunc(whoami)))
			iss := e.iss
			if tc.failing {
				iss = e.failingIssuer(t)
			}
			mux.Handle("/refresh", a.RefreshHandler(iss))
			tok := tc.token(t, e)
			e.at(epoch().Add(tc.after))
			r := newRequest(tc.method, tc.path, nil)
			switch {
			case tc.authHeader != "":
				r.Header.Set("Authorization", tc.authHeader)
			case tc.preflight:
				r.Header.Set("Origin", "https://app.example")
				r.Header.Set("Access-Control-Request-Method", http.MethodDelete)
			case tc.location == httpx.FromHeader:
				r.Header.Set("Authorization", "Bearer "+tok)
			case tc.location == httpx.FromCookie:
				cookie(accessCookie, tok)(r)
			}
			serve(mux, r)
			want := tc.want
			want.Method, want.Path = tc.method, tc.path
			if want.Subject != "" {
				want.TokenID = jtiOf(t, tok)
			}
			opts := []cmp.Option{cmpopts.EquateErrors()}
			if tc.failing {
				// The issuer's error has no sentinel to match.
				opts = append(opts, cmpopts.IgnoreFields(httpx.Event{}, "Err"))
			}
			if diff := cmp.Diff([]httpx.Event{want}, log.all(), opts...); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSlogEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	a := e.auth(t, httpx.WithEvents(httpx.SlogEvents(logger)), httpx.WithLocations(httpx.FromHeader, httpx.FromCookie))
	mux := http.NewServeMux()
	mux.Handle("/me", a.Required(http.HandlerFunc(whoami)))
	mux.Handle("/feed", a.Optional(http.HandlerFunc(whoami)))

	alice := e.access(t, "alice")
	forgedTok := forged(t, e)
	tampered := withPayload(alice.Raw, []byte(strings.Replace(string(payload(t, alice.Raw)), `"alice"`, `"admin"`, 1)))
	broken := e.access(t, brokenSubject)
	tokens := []string{alice.Raw, forgedTok, tampered, broken.Raw}
	for _, r := range []*http.Request{
		newRequest(http.MethodGet, "/me", nil, bearer(alice.Raw)),
		newRequest(http.MethodGet, "/feed", nil),
		newRequest(http.MethodGet, "/me", nil, bearer(forgedTok)),
		newRequest(http.MethodGet, "/me", nil, bearer(tampered)),
		newRequest(http.MethodGet, "/me", nil, header("Authorization", "Bearer "+alice.Raw+" "+alice.Raw)),
		newRequest(http.MethodPost, "/me", nil, cookie(accessCookie, alice.Raw)),
		newRequest(http.MethodGet, "/me", nil, bearer(broken.Raw)),
	} {
		serve(mux, r)
	}

	type line struct {
		Level    string `json:"level"`
		Msg      string `json:"msg"`
		Reason   string `json:"reason"`
		Method   string `json:"method"`
		Path     string `json:"path"`
		Location string `json:"location"`
		Sub      string `json:"sub"`
		JTI      string `json:"jti"`
		HasError bool   `json:"-"`
	}
	var got []line
	for _, s := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var l line
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("log line %q: %v", s, err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		_, l.HasError = m["error"]
		got = append(got, l)
	}
	want := []line{
		{Level: "INFO", Msg: "jwt auth", Reason: "authenticated", Method: "GET", Path: "/me", Location: "header", Sub: "alice", JTI: alice.ID},
		{Level: "INFO", Msg: "jwt auth", Reason: "anonymous", Method: "GET", Path: "/feed"},
		{Level: "WARN", Msg: "jwt auth", Reason: "signature", Method: "GET", Path: "/me", Location: "header", HasError: true},
		{Level: "WARN", Msg: "jwt auth", Reason: "signature", Method: "GET", Path: "/me", Location: "header", HasError: true},
		{Level: "WARN", Msg: "jwt auth", Reason: "bad_request", Method: "GET", Path: "/me", Location: "header", HasError: true},
		{Level: "WARN", Msg: "jwt auth", Reason: "csrf", Method: "POST", Path: "/me", Location: "cookie", Sub: "alice", JTI: alice.ID, HasError: true},
		{Level: "ERROR", Msg: "jwt auth", Reason: "user_load", Method: "GET", Path: "/me", Location: "header", Sub: brokenSubject, JTI: broken.ID, HasError: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
	for _, tok := range tokens {
		for _, s := range []string{tok, signature(tok)} {
			if strings.Contains(buf.String(), s) {
				t.Errorf("the log carries a token: %s", buf.String())
			}
		}
	}
}
