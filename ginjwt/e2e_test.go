package ginjwt_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/ginjwt"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// newGinServer serves the test routes through ginjwt on loopback.
func newGinServer(tb testing.TB, env *testutil.Env[User, Claims], opts ...httpx.Option) *httptest.Server {
	tb.Helper()
	auth, err := ginjwt.New(env.Verifier, opts...)
	if err != nil {
		tb.Fatalf("ginjwt.New: %v", err)
	}
	who := func(c *gin.Context) {
		var w whoami
		if claims, ok := ginjwt.From[Claims](c); ok {
			w.Sub = claims.Subject
		}
		if user, ok := ginjwt.UserFrom[User](c); ok {
			w.User = user.Name
		}
		c.JSON(http.StatusOK, w)
	}
	r := gin.New()
	r.GET("/required", auth.Required(), who)
	r.POST("/required", auth.Required(), who)
	r.GET("/optional", auth.Optional(), who)
	r.GET("/fresh", auth.Fresh(), who)
	r.GET("/refresh-only", auth.RequireRefresh(), who)
	r.GET("/admin", auth.Authorize(isAdmin), who)
	r.GET("/typed", auth.HandlerFunc(func(c *gin.Context, claims Claims, user User) {
		c.JSON(http.StatusOK, whoami{Sub: claims.Subject, User: user.Name})
	}))
	r.POST("/refresh", auth.RefreshHandler(env.Issuer))
	r.POST("/logout", auth.LogoutHandler())
	srv := httptest.NewServer(r)
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

// TestModes drives every guard of ginjwt over loopback with http.Client,
// through the main refusals, and checks each answer, and the events, against
// the same route served by httpx on net/http.
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
				var ginEvents, refEvents eventLog
				opts := []httpx.Option{httpx.WithLocations(httpx.FromHeader, httpx.FromCookie), httpx.WithLazyUser(lazy)}
				ginSrv := newGinServer(t, env, append(opts, httpx.WithEvents(ginEvents.record))...)
				refSrv := newReferenceServer(t, env, append(opts, httpx.WithEvents(refEvents.record))...)
				var tok jwtx.Token
				if tc.token != nil {
					tok = tc.token(t, env)
				}
				env.Clock.Advance(tc.after)
				got := send(t, ginSrv, tc.method, tc.path, tc.cred, tok)
				want := tc.want
				if lazy && tc.lazy != nil {
					want = *tc.lazy
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("gin: %s %s (-want +got):\n%s", tc.method, tc.path, diff)
				}
				if diff := cmp.Diff(send(t, refSrv, tc.method, tc.path, tc.cred, tok), got); diff != "" {
					t.Errorf("gin differs from net/http (-net/http +gin):\n%s", diff)
				}
				if diff := cmp.Diff(refEvents.all(), ginEvents.all(), cmpopts.IgnoreFields(httpx.Event{}, "Err")); diff != "" {
					t.Errorf("events (-net/http +gin):\n%s", diff)
				}
			})
		}
	}
}

// TestContextWithFallback: ginjwt.From reads the claims from the
// *gin.Context whatever the engine's ContextWithFallback says, while
// jwtx.From with the *gin.Context as the context finds them only with it.
func TestContextWithFallback(t *testing.T) {
	t.Parallel()
	type found struct{ GinJWT, JWTXOnGinContext, JWTXOnRequest bool }
	for _, tc := range []struct {
		fallback bool
		want     found
	}{
		{fallback: false, want: found{GinJWT: true, JWTXOnGinContext: false, JWTXOnRequest: true}},
		{fallback: true, want: found{GinJWT: true, JWTXOnGinContext: true, JWTXOnRequest: true}},
	} {
		t.Run(map[bool]string{false: "without", true: "with"}[tc.fallback], func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			auth, err := ginjwt.New(env.Verifier)
			if err != nil {
				t.Fatal(err)
			}
			var got found
			r := gin.New()
			r.ContextWithFallback = tc.fallback
			r.GET("/me", auth.Required(), func(c *gin.Context) {
				_, got.GinJWT = ginjwt.From[Claims](c)
				_, got.JWTXOnGinContext = jwtx.From[Claims](c)
				_, got.JWTXOnRequest = jwtx.From[Claims](c.Request.Context())
				c.Status(http.StatusNoContent)
			})
			srv := httptest.NewServer(r)
			defer srv.Close()
			if res := send(t, srv, "GET", "/me", header, env.Access(t, users["alice"])); res.Status != http.StatusNoContent {
				t.Fatalf("GET /me: %d", res.Status)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("claims found (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAbort: a refused request stops the chain, and its error is in
// c.Errors for gin's loggers.
func TestAbort(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	auth, err := ginjwt.New(env.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []httpx.Reason
	handlerRan := false
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Next()
		for _, e := range c.Errors {
			reasons = append(reasons, httpx.ReasonOf(e.Err))
		}
	})
	r.GET("/me", auth.Required(), func(c *gin.Context) { handlerRan = true })
	srv := httptest.NewServer(r)
	defer srv.Close()
	res := send(t, srv, "GET", "/me", none, jwtx.Token{})
	if res.Status != http.StatusUnauthorized || handlerRan {
		t.Errorf("GET /me without a token: %d, handler ran %v; want 401, false", res.Status, handlerRan)
	}
	if diff := cmp.Diff([]httpx.Reason{httpx.ReasonMissing}, reasons); diff != "" {
		t.Errorf("c.Errors reasons (-want +got):\n%s", diff)
	}
}

func TestNewRefusesNil(t *testing.T) {
	t.Parallel()
	if _, err := ginjwt.New[User, Claims](nil); err == nil {
		t.Error("ginjwt.New(nil) succeeded")
	}
}
