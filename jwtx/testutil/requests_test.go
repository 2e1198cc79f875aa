package testutil_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// server is a real http.ServeMux behind an httpx.Auth on an Env.
type server struct {
	env *testutil.Env[string, Claims]
	mux *http.ServeMux
}

// newServer serves GET and POST /me, which answer with the subject, and
// POST /refresh, with tokens from the header and from cookies named by
// cookies.
func newServer(t *testing.T, cookies httpx.Cookies) server {
	t.Helper()
	env := testutil.NewEnv[string, Claims](t, testutil.WithIssuerOptions(jwtx.WithCSRF(true)))
	auth, err := httpx.New(env.Verifier,
		httpx.WithLocations(httpx.FromHeader, httpx.FromCookie), httpx.WithCookies(cookies))
	if err != nil {
		t.Fatalf("httpx.New: %v", err)
	}
	me := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := jwtx.From[Claims](r.Context())
		u, _ := jwtx.UserFrom[string](r.Context())
		fmt.Fprintf(w, "%s/%s", c.Subject, u)
	}))
	mux := http.NewServeMux()
	mux.Handle("GET /me", me)
	mux.Handle("POST /me", me)
	mux.Handle("POST /refresh", auth.RefreshHandler(env.Issuer))
	return server{env: env, mux: mux}
}

func (s server) serve(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, r)
	return rec
}

func TestRequestsAccepted(t *testing.T) {
	t.Parallel()
	insecure := httpx.Cookies{Insecure: true, AccessName: "at", RefreshName: "rt"}
	for _, tc := range []struct {
		name    string
		cookies httpx.Cookies
		request func(t *testing.T, p jwtx.TokenPair) *http.Request
	}{
		{
			name: "bearer GET",
			request: func(t *testing.T, p jwtx.TokenPair) *http.Request {
				return testutil.BearerRequest(t, "GET", "/me", p.Access.Raw)
			},
		},
		{
			name: "bearer POST on own request",
			request: func(t *testing.T, p jwtx.TokenPair) *http.Request {
				r := httptest.NewRequest("POST", "/me", strings.NewReader("{}"))
				testutil.SetBearer(r, "stale")
				testutil.SetBearer(r, p.Access.Raw)
				return r
			},
		},
		{
			name: "cookie GET",
			request: func(t *testing.T, p jwtx.TokenPair) *http.Request {
				return testutil.CookieRequest(t, "GET", "/me", p.Access)
			},
		},
		{
			name: "cookie POST with CSRF",
			request: func(t *testing.T, p jwtx.TokenPair) *http.Request {
				return testutil.CookieRequest(t, "POST", "/me", p.Refresh, p.Access)
			},
		},
		{
			name:    "custom cookies POST",
			cookies: insecure,
			request: func(t *testing.T, p jwtx.TokenPair) *http.Request {
				r := httptest.NewRequest("POST", "/me", nil)
				testutil.AddTokenCookies(t, r, insecure, p.Access)
				return r
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, tc.cookies)
			rec := s.serve(tc.request(t, s.env.Pair(t, "alice")))
			if rec.Code != http.StatusOK || rec.Body.String() != "alice/alice" {
				t.Errorf("response %d %q, want 200 alice/alice", rec.Code, rec.Body)
			}
		})
	}
}

func TestCookieRequestCSRF(t *testing.T) {
	t.Parallel()
	s := newServer(t, httpx.Cookies{})
	p := s.env.Pair(t, "alice")
	for _, tc := range []struct {
		name   string
		tokens []jwtx.Token
		want   string // the X-CSRF-Token header
	}{
		{name: "access", tokens: []jwtx.Token{p.Access}, want: p.Access.CSRF},
		{name: "refresh", tokens: []jwtx.Token{p.Refresh}, want: p.Refresh.CSRF},
		{name: "access wins", tokens: []jwtx.Token{p.Refresh, p.Access}, want: p.Access.CSRF},
		{name: "no csrf", tokens: []jwtx.Token{{Raw: "x", Type: jwtx.Access}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := testutil.CookieRequest(t, "POST", "/me", tc.tokens...)
			if diff := cmp.Diff([]string{tc.want}, r.Header.Values(testutil.CSRFHeader)); tc.want != "" && diff != "" {
				t.Errorf("CSRF header mismatch (-want +got):\n%s", diff)
			}
			if tc.want == "" && r.Header.Get(testutil.CSRFHeader) != "" {
				t.Errorf("CSRF header %q, want none", r.Header.Get(testutil.CSRFHeader))
			}
			for _, tok := range tc.tokens {
				name, csrfName := "__Host-access_token", "__Host-csrf_access_token"
				if tok.Type == jwtx.Refresh {
					name, csrfName = "__Secure-refresh_token", "__Host-csrf_refresh_token"
				}
				if c, err := r.Cookie(name); err != nil || c.Value != tok.Raw {
					t.Errorf("cookie %s = %v, %v; want the token", name, c, err)
				}
				if c, err := r.Cookie(csrfName); tok.CSRF != "" && (err != nil || c.Value != tok.CSRF) {
					t.Errorf("cookie %s = %v, %v; want the csrf claim", csrfName, c, err)
				}
			}
		})
	}

	// Without the header, the same cookies are refused: the header is what
	// makes CookieRequest pass the CSRF check.
	r := testutil.CookieRequest(t, "POST", "/me", p.Access)
	r.Header.Del(testutil.CSRFHeader)
	if rec := s.serve(r); rec.Code != http.StatusForbidden {
		t.Errorf("POST without CSRF header: %d, want 403", rec.Code)
	}
}

func TestRefreshCookiesRoundTrip(t *testing.T) {
	t.Parallel()
	s := newServer(t, httpx.Cookies{})
	rec := s.serve(testutil.CookieRequest(t, "POST", "/refresh", s.env.Refresh(t, "alice")))
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /refresh: %d %s, want 200", rec.Code, rec.Body)
	}
	access := testutil.ResponseCookie(t, rec, "__Host-access_token")
	csrf := testutil.ResponseCookie(t, rec, "__Host-csrf_access_token")
	if !access.HttpOnly || !access.Secure || csrf.HttpOnly {
		t.Errorf("cookies %v and %v: want an HttpOnly Secure token and a readable csrf", access, csrf)
	}
	next := testutil.CookieRequest(t, "POST", "/me", jwtx.Token{Raw: access.Value, Type: jwtx.Access, CSRF: csrf.Value})
	if rec := s.serve(next); rec.Code != http.StatusOK || rec.Body.String() != "alice/alice" {
		t.Errorf("POST /me with the new cookies: %d %q, want 200 alice/alice", rec.Code, rec.Body)
	}
}

// TestForgedTokensRefusedOverHTTP sends every flawed token through the
// middleware, in the header and in a cookie.
func TestForgedTokensRefusedOverHTTP(t *testing.T) {
	t.Parallel()
	s := newServer(t, httpx.Cookies{})
	for _, flaw := range testutil.Flaws() {
		t.Run(flaw.String(), func(t *testing.T) {
			t.Parallel()
			tok := s.env.Forger.Bad(t, flaw)
			for _, r := range []*http.Request{
				testutil.BearerRequest(t, "GET", "/me", tok),
				testutil.CookieRequest(t, "GET", "/me", jwtx.Token{Raw: tok, Type: jwtx.Access}),
			} {
				rec := s.serve(r)
				if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Header().Get("WWW-Authenticate"), "invalid_token") {
					t.Errorf("%s: %d %q, want 401 invalid_token", flaw, rec.Code, rec.Header().Get("WWW-Authenticate"))
				}
			}
		})
	}
	if rec := s.serve(testutil.BearerRequest(t, "GET", "/me", s.env.Forger.Valid(t))); rec.Code != http.StatusOK {
		t.Errorf("valid forged token: %d, want 200", rec.Code)
	}
}

func TestResponseCookie(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	http.SetCookie(rec, &http.Cookie{Name: "a", Value: "1"})
	http.SetCookie(rec, &http.Cookie{Name: "b", Value: "2"})
	http.SetCookie(rec, &http.Cookie{Name: "b", Value: "3"})
	if c := testutil.ResponseCookie(t, rec, "a"); c.Value != "1" {
		t.Errorf("ResponseCookie(a) = %v, want a=1", c)
	}
	for _, tc := range []struct{ name, want string }{
		{name: "missing", want: `no cookie "missing" (it sets [a b b])`},
		{name: "b", want: `cookie "b" 2 times`},
	} {
		if msg := mustFail(t, func(tb testing.TB) { testutil.ResponseCookie(tb, rec, tc.name) }); !strings.Contains(msg, tc.want) {
			t.Errorf("ResponseCookie(%s) failed with %q, want %q", tc.name, msg, tc.want)
		}
	}
}

func TestRequestHelperFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fn   func(tb testing.TB)
		want string
	}{
		{
			name: "bad target",
			fn:   func(tb testing.TB) { testutil.BearerRequest(tb, "GET", "/a b", "x") },
			want: `request GET "/a b"`,
		},
		{
			name: "bad cookie config",
			fn: func(tb testing.TB) {
				testutil.AddTokenCookies(tb, httptest.NewRequest("GET", "/", nil), httpx.Cookies{Domain: "example.com"})
			},
			want: "cookies:",
		},
		{
			name: "untyped token",
			fn:   func(tb testing.TB) { testutil.CookieRequest(tb, "GET", "/", jwtx.Token{Raw: "x"}) },
			want: "neither access nor refresh",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if msg := mustFail(t, tc.fn); !strings.Contains(msg, tc.want) {
				t.Errorf("failed with %q, want %q", msg, tc.want)
			}
		})
	}
}
