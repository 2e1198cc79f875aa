package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
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
// its start; "" means no token.
type tokenFunc func(tb testing.TB, e *appEnv) string

func noToken(testing.TB, *appEnv) string { return "" }

func accessFor(id string, opts ...jwtx.IssueOption) tokenFunc {
	return func(tb testing.TB, e *appEnv) string { return e.access(tb, id, opts...).Raw }
}

func refreshFor(id string) tokenFunc {
	return func(tb testing.TB, e *appEnv) string { return e.refresh(tb, id).Raw }
}

// forged is an access token signed with a key the verifier does not trust,
// under the trusted kid.
func forged(tb testing.TB, e *appEnv) string { return e.Forger.Bad(tb, testutil.ForeignKey) }

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
			e.Clock.Advance(tc.after)
			var opts []reqOption
			if tok != "" {
				opts = append(opts, bearer(tok))
			}
			rec := testutil.Serve(modesMux(e.Auth(t)), newRequest(http.MethodGet, tc.path, nil, opts...))
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
			mux.Handle("GET /me", tc.guard(e.Auth(t), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = seenIn(r.Context())
				w.WriteHeader(http.StatusNoContent)
			})))
			r := newRequest(http.MethodGet, "/me", nil)
			var wantSeen seen
			if !tc.noToken {
				r.Header.Set("Authorization", "Bearer "+tok.Raw)
				claims, raw, err := e.Verifier.VerifyClaims(context.Background(), tok.Raw, want)
				if err != nil {
					t.Fatalf("VerifyClaims: %v", err)
				}
				wantSeen = seen{Claims: claims, HasClaims: true, User: testUsers()["alice"], HasUser: true, Raw: string(raw), HasRaw: true}
			}
			if rec := testutil.Serve(mux, r); rec.Code != http.StatusNoContent {
				t.Fatalf("status %d, want %d; body %s", rec.Code, http.StatusNoContent, rec.Body)
			}
			if diff := cmp.Diff(wantSeen, got); diff != "" {
				t.Errorf("context values (-want +got):\n%s", diff)
			}
			if !tc.noToken && got.Raw != string(testutil.Payload(t, tok.Raw)) {
				t.Errorf("RawFrom = %s, want the token's payload %s", got.Raw, testutil.Payload(t, tok.Raw))
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
	mux.Handle("GET /me", e.Auth(t).HandlerFunc(func(w http.ResponseWriter, r *http.Request, c Claims, u User) {
		calls++
		got = args{Claims: c, User: u, FromCx: seenIn(r.Context())}
		w.WriteHeader(http.StatusNoContent)
	}))
	testutil.Serve(mux, newRequest(http.MethodGet, "/me", nil, bearer(tok.Raw)))
	claims, raw, err := e.Verifier.VerifyClaims(context.Background(), tok.Raw, jwtx.ExpectAccess)
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
	a := e.Auth(t, httpx.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
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
			a := e.Auth(t, httpx.WithLazyUser(tc.lazy))
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

// TestPreflightRunsGuardedHandlersUnauthenticated: a CORS preflight
// (OPTIONS with Origin and Access-Control-Request-Method) is authenticated
// like any other request. On routes registered without a method, an
// anonymous or forged preflight must not run a guarded handler nor reach
// the refresh endpoint; answering preflights is a CORS middleware's job,
// in front of the guard (see ExampleAuth_Required_cors).
func TestPreflightRunsGuardedHandlersUnauthenticated(t *testing.T) {
	t.Parallel()
	type outcome struct {
		Status int
		Msg    string
		Ran    string // "" (not run), "anonymous" or the subject the handler saw
	}
	sub := testutil.DefaultSubject
	missing := outcome{Status: http.StatusUnauthorized, Msg: "missing token"}
	invalid := outcome{Status: http.StatusUnauthorized, Msg: "invalid token"}
	for _, tc := range []struct {
		name  string
		path  string
		token string // "none", "forged", "access" or "refresh"
		want  outcome
	}{
		{name: "Required, no token", path: "/required", token: "none", want: missing},
		{name: "Required, forged", path: "/required", token: "forged", want: invalid},
		{name: "Optional, forged", path: "/optional", token: "forged", want: invalid},
		{name: "Fresh, no token", path: "/fresh", token: "none", want: missing},
		{name: "Fresh, forged", path: "/fresh", token: "forged", want: invalid},
		{name: "Authorize, no token", path: "/admin", token: "none", want: missing},
		{name: "Authorize, forged", path: "/admin", token: "forged", want: invalid},
		{name: "HandlerFunc, no token", path: "/typed", token: "none", want: missing},
		{name: "HandlerFunc, forged", path: "/typed", token: "forged", want: invalid},
		{name: "RequireRefresh, no token", path: "/refresh-only", token: "none", want: missing},
		{name: "RefreshHandler, no token", path: "/refresh", token: "none", want: missing},
		{name: "RefreshHandler, forged", path: "/refresh", token: "forged", want: invalid},
		{name: "Optional, no token, runs anonymously as for any method", path: "/optional", token: "none", want: outcome{Status: http.StatusOK, Ran: "anonymous"}},
		{name: "Required, valid token", path: "/required", token: "access", want: outcome{Status: http.StatusOK, Ran: sub}},
		{name: "Authorize, valid token", path: "/admin", token: "access", want: outcome{Status: http.StatusOK, Ran: sub}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := testutil.NewEnv[string, jwtx.RegisteredClaims](t)
			a := e.Auth(t)
			var ran string
			record := func(sub string) {
				if sub == "" {
					sub = "anonymous"
				}
				ran = sub
			}
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, _ := jwtx.From[jwtx.RegisteredClaims](r.Context())
				record(c.Subject)
				httpx.WriteJSON(w, http.StatusOK, map[string]string{})
			})
			onlyDefault := func(_ context.Context, _ jwtx.RegisteredClaims, user string) error {
				if user != sub {
					return errNotAdmin
				}
				return nil
			}
			mux := http.NewServeMux()
			mux.Handle("/required", a.Required(h))
			mux.Handle("/optional", a.Optional(h))
			mux.Handle("/fresh", a.Fresh(h))
			mux.Handle("/admin", a.Authorize(onlyDefault)(h))
			mux.Handle("/refresh-only", a.RequireRefresh(h))
			mux.Handle("/typed", a.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, c jwtx.RegisteredClaims, _ string) {
				record(c.Subject)
				httpx.WriteJSON(w, http.StatusOK, map[string]string{})
			}))
			mux.Handle("/refresh", a.RefreshHandler(e.Issuer))

			r := newRequest(http.MethodOptions, tc.path, nil, header("Origin", "https://evil.example"),
				header("Access-Control-Request-Method", http.MethodDelete), header("Access-Control-Request-Headers", "authorization"))
			switch tc.token {
			case "forged":
				testutil.SetBearer(r, e.Forger.Bad(t, testutil.ForeignKey))
			case "access":
				testutil.SetBearer(r, e.Access(t, sub).Raw)
			}
			rec := testutil.Serve(mux, r)
			got := outcome{Status: rec.Code, Ran: ran}
			if msg, ok := resultOf(t, rec.Result()).Body["msg"].(string); ok {
				got.Msg = msg
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("preflight to %s (-want +got):\n%s", tc.path, diff)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Errorf("preflight set cookies: %v", attrsOf(rec.Result().Cookies()))
			}
		})
	}
}
