package echojwt_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/labstack/echo/v5"

	"github.com/typedjwt/typedjwt/echojwt"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// newEchoServer serves the test routes through echojwt on loopback.
func newEchoServer(tb testing.TB, env *testutil.Env[User, Claims], opts ...httpx.Option) *httptest.Server {
	tb.Helper()
	auth, err := echojwt.New(env.Verifier, opts...)
	if err != nil {
		tb.Fatalf("echojwt.New: %v", err)
	}
	who := func(c *echo.Context) error {
		var w whoami
		if claims, ok := echojwt.From[Claims](c); ok {
			w.Sub = claims.Subject
		}
		if user, ok := echojwt.UserFrom[User](c); ok {
			w.User = user.Name
		}
		return c.JSON(http.StatusOK, w)
	}
	e := echo.New()
	e.GET("/required", who, auth.Required())
	e.POST("/required", who, auth.Required())
	e.GET("/optional", who, auth.Optional())
	e.GET("/fresh", who, auth.Fresh())
	e.GET("/refresh-only", who, auth.RequireRefresh())
	e.GET("/admin", who, auth.Authorize(isAdmin))
	e.GET("/typed", auth.HandlerFunc(func(c *echo.Context, claims Claims, user User) error {
		return c.JSON(http.StatusOK, whoami{Sub: claims.Subject, User: user.Name})
	}))
	e.POST("/refresh", auth.RefreshHandler(env.Issuer))
	e.POST("/logout", auth.LogoutHandler())
	srv := httptest.NewServer(e)
	tb.Cleanup(srv.Close)
	return srv
}

// newReferenceServer serves the same routes through httpx on net/http.
func newReferenceServer(tb testing.TB, env *testutil.Env[User, Claims], opts ...httpx.Option) *httptest.Server {
	tb.Helper()
	auth, err := httpx.New(env.Verifier, opts...)
	if err != nil {
		tb.Fatalf("httpx.New: %v", err)
	}
	who := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body whoami
		if claims, ok := jwtx.From[Claims](r.Context()); ok {
			body.Sub = claims.Subject
		}
		if user, ok := jwtx.UserFrom[User](r.Context()); ok {
			body.User = user.Name
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /required", auth.Required(who))
	mux.Handle("POST /required", auth.Required(who))
	mux.Handle("GET /optional", auth.Optional(who))
	mux.Handle("GET /fresh", auth.Fresh(who))
	mux.Handle("GET /refresh-only", auth.RequireRefresh(who))
	mux.Handle("GET /admin", auth.Authorize(isAdmin)(who))
	mux.Handle("GET /typed", auth.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, claims Claims, user User) {
		_ = json.NewEncoder(w).Encode(whoami{Sub: claims.Subject, User: user.Name})
	}))
	mux.Handle("POST /refresh", auth.RefreshHandler(env.Issuer))
	mux.Handle("POST /logout", auth.LogoutHandler())
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// credential is how a test request carries its token.
type credential int

const (
	none         credential = iota
	header                  // Authorization: Bearer
	cookie                  // the token cookie, its CSRF cookie and the X-CSRF-Token header
	cookieNoCSRF            // the token cookie alone
)

// tokenOf issues the token of a test case.
type tokenOf func(tb testing.TB, env *testutil.Env[User, Claims]) jwtx.Token

func access(id string, opts ...jwtx.IssueOption) tokenOf {
	return func(tb testing.TB, env *testutil.Env[User, Claims]) jwtx.Token {
		return env.Access(tb, userOf(id), opts...)
	}
}

func refresh(id string) tokenOf {
	return func(tb testing.TB, env *testutil.Env[User, Claims]) jwtx.Token { return env.Refresh(tb, userOf(id)) }
}

// foreign is an access token for alice signed by a key the verifier does
// not trust.
func foreign(tb testing.TB, env *testutil.Env[User, Claims]) jwtx.Token {
	return jwtx.Token{Raw: env.Forger.Bad(tb, testutil.ForeignKey), Type: jwtx.Access}
}

// send sends one request to srv with a real client.
func send(tb testing.TB, srv *httptest.Server, method, path string, cred credential, tok jwtx.Token) result {
	tb.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		tb.Fatalf("NewRequest: %v", err)
	}
	switch cred {
	case header:
		testutil.SetBearer(req, tok.Raw)
	case cookie, cookieNoCSRF:
		testutil.AddTokenCookies(tb, req, httpx.Cookies{}, tok)
		if cred == cookieNoCSRF {
			req.Header.Del(testutil.CSRFHeader)
		}
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return resultOf(tb, resp)
}

// Answers the tests expect.
func ok(sub, user string) result {
	return result{Status: http.StatusOK, Who: whoami{Sub: sub, User: user}}
}

func refused(status int, challenge, msg string) result {
	return result{Status: status, WWWAuthenticate: challenge, Msg: msg}
}

func invalidToken(desc string) result {
	return refused(http.StatusUnauthorized, `Bearer realm="api", error="invalid_token", error_description="`+desc+`"`, desc)
}

// TestModes drives every guard of echojwt over loopback with http.Client,
// through the main refusals, and checks each answer, and the events, against
// the same route served by httpx on net/http: the same status, challenge
// and message (echo's default error handler calls it "message").
func TestModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		method string
		path   string
		cred   credential
		token  tokenOf
		after  time.Duration // between issue and request; access tokens live 15 minutes
		want   result
		lazy   *result // the answer with WithLazyUser, when it differs
	}{
		{name: "required, no token", method: "GET", path: "/required", want: refused(http.StatusUnauthorized, `Bearer realm="api"`, "missing token")},
		{name: "required, header", method: "GET", path: "/required", cred: header, token: access("alice"), want: ok("alice", "Alice")},
		{name: "required, a second before expiry", method: "GET", path: "/required", cred: header, token: access("alice"), after: 15*time.Minute - time.Second, want: ok("alice", "Alice")},
		{name: "required, at expiry", method: "GET", path: "/required", cred: header, token: access("alice"), after: 15 * time.Minute, want: invalidToken("token expired")},
		{name: "required, foreign key", method: "GET", path: "/required", cred: header, token: foreign, want: invalidToken("invalid token")},
		{name: "required, refresh token", method: "GET", path: "/required", cred: header, token: refresh("alice"), want: invalidToken("wrong token type")},
		{name: "required, unknown user", method: "GET", path: "/required", cred: header, token: access(ghost), want: invalidToken("user not found"), lazy: &result{Status: http.StatusOK, Who: whoami{Sub: ghost}}},
		{name: "required, cookie", method: "GET", path: "/required", cred: cookie, token: access("alice"), want: ok("alice", "Alice")},
		{name: "required, cookie, POST with CSRF", method: "POST", path: "/required", cred: cookie, token: access("alice"), want: ok("alice", "Alice")},
		{name: "required, cookie, POST without CSRF", method: "POST", path: "/required", cred: cookieNoCSRF, token: access("alice"), want: refused(http.StatusForbidden, "", "CSRF token missing or incorrect")},
		{name: "optional, no token", method: "GET", path: "/optional", want: ok("", "")},
		{name: "optional, header", method: "GET", path: "/optional", cred: header, token: access("bob"), want: ok("bob", "Bob")},
		{name: "optional, expired", method: "GET", path: "/optional", cred: header, token: access("bob"), after: time.Hour, want: invalidToken("token expired")},
		{name: "fresh, fresh token", method: "GET", path: "/fresh", cred: header, token: access("alice", jwtx.AsFresh(true)), want: ok("alice", "Alice")},
		{name: "fresh, stale token", method: "GET", path: "/fresh", cred: header, token: access("alice"), want: invalidToken("fresh token required")},
		{name: "refresh only, refresh token", method: "GET", path: "/refresh-only", cred: header, token: refresh("alice"), want: ok("alice", "Alice")},
		{name: "refresh only, access token", method: "GET", path: "/refresh-only", cred: header, token: access("alice"), want: invalidToken("wrong token type")},
		{name: "authorize, admin", method: "GET", path: "/admin", cred: header, token: access("alice"), want: ok("alice", "Alice")},
		{name: "authorize, not an admin", method: "GET", path: "/admin", cred: header, token: access("bob"), want: refused(http.StatusForbidden, `Bearer realm="api", error="insufficient_scope", error_description="forbidden"`, "forbidden")},
		{name: "typed handler", method: "GET", path: "/typed", cred: header, token: access("bob"), want: ok("bob", "Bob")},
		{name: "typed handler, unknown user", method: "GET", path: "/typed", cred: header, token: access(ghost), want: invalidToken("user not found")},
		{name: "refresh endpoint", method: "POST", path: "/refresh", cred: header, token: refresh("alice"), want: result{Status: http.StatusOK, AccessToken: true}},
		{name: "refresh endpoint, access token", method: "POST", path: "/refresh", cred: header, token: access("alice"), want: invalidToken("wrong token type")},
		{name: "logout", method: "POST", path: "/logout", cred: header, token: access("alice"), want: result{Status: http.StatusOK, Msg: "logged out"}},
	} {
		for _, lazy := range []bool{false, true} {
			name := tc.name
			if lazy {
				name += ", lazy user"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				env := newEnv(t)
				var echoEvents, refEvents eventLog
				opts := []httpx.Option{httpx.WithLocations(httpx.FromHeader, httpx.FromCookie), httpx.WithLazyUser(lazy)}
				echoSrv := newEchoServer(t, env, append(opts, httpx.WithEvents(echoEvents.record))...)
				refSrv := newReferenceServer(t, env, append(opts, httpx.WithEvents(refEvents.record))...)
				var tok jwtx.Token
				if tc.token != nil {
					tok = tc.token(t, env)
				}
				env.Clock.Advance(tc.after)
				got := send(t, echoSrv, tc.method, tc.path, tc.cred, tok)
				want := tc.want
				if lazy && tc.lazy != nil {
					want = *tc.lazy
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("echo: %s %s (-want +got):\n%s", tc.method, tc.path, diff)
				}
				if diff := cmp.Diff(send(t, refSrv, tc.method, tc.path, tc.cred, tok), got); diff != "" {
					t.Errorf("echo differs from net/http (-net/http +echo):\n%s", diff)
				}
				if diff := cmp.Diff(refEvents.all(), echoEvents.all(), cmpopts.IgnoreFields(httpx.Event{}, "Err")); diff != "" {
					t.Errorf("events (-net/http +echo):\n%s", diff)
				}
			})
		}
	}
}

// TestHTTPErrorHandler: refusals reach the application's HTTPErrorHandler
// as an *echo.HTTPError that carries the reason, with the challenge set.
func TestHTTPErrorHandler(t *testing.T) {
	t.Parallel()
	type seen struct {
		Reason  httpx.Reason
		Code    int
		Message string
	}
	for _, tc := range []struct {
		name  string
		path  string
		token tokenOf
		after time.Duration
		want  seen
	}{
		{name: "missing", path: "/me", want: seen{httpx.ReasonMissing, http.StatusUnauthorized, "missing token"}},
		{name: "expired", path: "/me", token: access("alice"), after: time.Hour, want: seen{httpx.ReasonExpired, http.StatusUnauthorized, "token expired"}},
		{name: "forbidden", path: "/admin", token: access("bob"), want: seen{httpx.ReasonForbidden, http.StatusForbidden, "forbidden"}},
		{name: "user missing", path: "/me", token: access(ghost), want: seen{httpx.ReasonUserMissing, http.StatusUnauthorized, "user not found"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			auth, err := echojwt.New(env.Verifier)
			if err != nil {
				t.Fatal(err)
			}
			var got seen
			e := echo.NewWithConfig(echo.Config{HTTPErrorHandler: func(c *echo.Context, err error) {
				var he *echo.HTTPError
				if errors.As(err, &he) {
					got.Code, got.Message = he.Code, he.Message
				}
				got.Reason = httpx.ReasonOf(err)
				_ = c.JSON(he.Code, map[string]string{"error": string(got.Reason)})
			}})
			e.GET("/me", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) }, auth.Required())
			e.GET("/admin", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) }, auth.Authorize(isAdmin))
			srv := httptest.NewServer(e)
			defer srv.Close()
			cred, tok := none, jwtx.Token{}
			if tc.token != nil {
				cred, tok = header, tc.token(t, env)
			}
			env.Clock.Advance(tc.after)
			req, err := http.NewRequest("GET", srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cred == header {
				testutil.SetBearer(req, tok.Raw)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("the error handler saw (-want +got):\n%s", diff)
			}
			if resp.StatusCode != tc.want.Code || resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("answer: %d, WWW-Authenticate %q; want %d and a challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), tc.want.Code)
			}
		})
	}
}

func TestNewRefusesNil(t *testing.T) {
	t.Parallel()
	if _, err := echojwt.New[User, Claims](nil); err == nil {
		t.Error("echojwt.New(nil) succeeded")
	}
}
