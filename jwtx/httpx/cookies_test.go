package httpx_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// cookieAttrs is what a test asserts about a Set-Cookie.
type cookieAttrs struct {
	Name     string
	Path     string
	Domain   string
	MaxAge   int
	Secure   bool
	HTTPOnly bool
	SameSite http.SameSite
}

func attrsOf(cookies []*http.Cookie) []cookieAttrs {
	var out []cookieAttrs
	for _, c := range cookies {
		out = append(out, cookieAttrs{Name: c.Name, Path: c.Path, Domain: c.Domain, MaxAge: c.MaxAge, Secure: c.Secure, HTTPOnly: c.HttpOnly, SameSite: c.SameSite})
	}
	return out
}

// byName sorts cookies by name: the order of Set-Cookie lines carries no
// meaning.
func byName() cmp.Option {
	return cmpopts.SortSlices(func(a, b cookieAttrs) bool { return a.Name < b.Name })
}

// valuesOf maps cookie names to values.
func valuesOf(cookies []*http.Cookie) map[string]string {
	m := map[string]string{}
	for _, c := range cookies {
		m[c.Name] = c.Value
	}
	return m
}

const (
	accessAge  = int(jwtx.DefaultAccessTTL / time.Second)
	refreshAge = int(jwtx.DefaultRefreshTTL / time.Second)
)

// secureCookies are the cookies SetCookies(access, refresh) sets by default.
func secureCookies() []cookieAttrs {
	lax := http.SameSiteLaxMode
	return []cookieAttrs{
		{Name: accessCookie, Path: "/", MaxAge: accessAge, Secure: true, HTTPOnly: true, SameSite: lax},
		{Name: accessCSRFCookie, Path: "/", MaxAge: accessAge, Secure: true, SameSite: lax},
		{Name: refreshCookie, Path: "/refresh", MaxAge: refreshAge, Secure: true, HTTPOnly: true, SameSite: lax},
		{Name: refreshCSRFCookie, Path: "/", MaxAge: refreshAge, Secure: true, SameSite: lax},
	}
}

func TestSetCookies(t *testing.T) {
	t.Parallel()
	lax, strict := http.SameSiteLaxMode, http.SameSiteStrictMode
	for _, tc := range []struct {
		name   string
		opts   []httpx.Option
		tokens func(tb testing.TB, e *appEnv) []jwtx.Token
		want   []cookieAttrs
	}{
		{name: "default", tokens: pairFor, want: secureCookies()},
		{
			name: "insecure", opts: []httpx.Option{httpx.WithCookies(httpx.Cookies{Insecure: true})}, tokens: pairFor,
			want: []cookieAttrs{
				{Name: "access_token", Path: "/", MaxAge: accessAge, HTTPOnly: true, SameSite: lax},
				{Name: "csrf_access_token", Path: "/", MaxAge: accessAge, SameSite: lax},
				{Name: "refresh_token", Path: "/refresh", MaxAge: refreshAge, HTTPOnly: true, SameSite: lax},
				{Name: "csrf_refresh_token", Path: "/", MaxAge: refreshAge, SameSite: lax},
			},
		},
		{
			name: "custom",
			opts: []httpx.Option{httpx.WithCookies(httpx.Cookies{
				AccessName: "at", RefreshName: "__Secure-rt", AccessCSRFName: "csrf_at", RefreshCSRFName: "csrf_rt",
				Domain: "example.com", Path: "/api", RefreshPath: "/api/refresh", SameSite: strict,
			})},
			tokens: pairFor,
			want: []cookieAttrs{
				{Name: "at", Path: "/api", Domain: "example.com", MaxAge: accessAge, Secure: true, HTTPOnly: true, SameSite: strict},
				{Name: "csrf_at", Path: "/", Domain: "example.com", MaxAge: accessAge, Secure: true, SameSite: strict},
				{Name: "__Secure-rt", Path: "/api/refresh", Domain: "example.com", MaxAge: refreshAge, Secure: true, HTTPOnly: true, SameSite: strict},
				{Name: "csrf_rt", Path: "/", Domain: "example.com", MaxAge: refreshAge, Secure: true, SameSite: strict},
			},
		},
		{
			name: "no csrf claim, no CSRF cookie",
			tokens: func(tb testing.TB, e *appEnv) []jwtx.Token {
				return []jwtx.Token{e.access(tb, "alice", jwtx.WithTokenCSRF(false))}
			},
			want: secureCookies()[:1],
		},
		{
			name: "Max-Age follows the token's lifetime",
			tokens: func(tb testing.TB, e *appEnv) []jwtx.Token {
				return []jwtx.Token{e.access(tb, "alice", jwtx.ExpiresIn(90*time.Second))}
			},
			want: []cookieAttrs{
				{Name: accessCookie, Path: "/", MaxAge: 90, Secure: true, HTTPOnly: true, SameSite: lax},
				{Name: accessCSRFCookie, Path: "/", MaxAge: 90, Secure: true, SameSite: lax},
			},
		},
		{
			name: "expired token deletes",
			tokens: func(tb testing.TB, e *appEnv) []jwtx.Token {
				e.Clock.Advance(-time.Hour)
				defer e.Clock.Advance(time.Hour)
				return []jwtx.Token{e.access(tb, "alice")}
			},
			want: []cookieAttrs{
				{Name: accessCookie, Path: "/", MaxAge: -1, Secure: true, HTTPOnly: true, SameSite: lax},
				{Name: accessCSRFCookie, Path: "/", MaxAge: -1, Secure: true, SameSite: lax},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tokens := tc.tokens(t, e)
			a := e.Auth(t, tc.opts...)
			rec := httptest.NewRecorder()
			a.SetCookies(rec, tokens...)
			got := rec.Result().Cookies()
			if diff := cmp.Diff(tc.want, attrsOf(got), byName()); diff != "" {
				t.Errorf("Set-Cookie (-want +got):\n%s", diff)
			}
			for _, tok := range tokens {
				if !slices.ContainsFunc(got, func(c *http.Cookie) bool { return c.Value == tok.Raw && c.HttpOnly }) {
					t.Errorf("no HttpOnly cookie carries the %s token", tok.Type)
				}
			}
		})
	}
}

func pairFor(tb testing.TB, e *appEnv) []jwtx.Token {
	return []jwtx.Token{e.access(tb, "alice"), e.refresh(tb, "alice")}
}

func TestUnsetCookies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := httptest.NewRecorder()
	e.Auth(t).UnsetCookies(rec)
	want := secureCookies()
	for i := range want {
		want[i].MaxAge = -1
	}
	if diff := cmp.Diff(want, attrsOf(rec.Result().Cookies()), byName()); diff != "" {
		t.Errorf("Set-Cookie (-want +got):\n%s", diff)
	}
	for _, line := range rec.Header().Values("Set-Cookie") {
		if !strings.Contains(line, "Max-Age=0") {
			t.Errorf("Set-Cookie %q lacks Max-Age=0", line)
		}
	}
}

func TestCookiesResolve(t *testing.T) {
	t.Parallel()
	secure := httpx.Cookies{
		AccessName: accessCookie, RefreshName: refreshCookie, AccessCSRFName: accessCSRFCookie, RefreshCSRFName: refreshCSRFCookie,
		Path: "/", RefreshPath: "/refresh", SameSite: http.SameSiteLaxMode,
	}
	for _, tc := range []struct {
		name    string
		in      httpx.Cookies
		want    httpx.Cookies
		wantErr error
	}{
		{name: "zero", in: httpx.Cookies{}, want: secure},
		{
			name: "insecure drops the prefixes", in: httpx.Cookies{Insecure: true},
			want: httpx.Cookies{
				AccessName: "access_token", RefreshName: "refresh_token", AccessCSRFName: "csrf_access_token", RefreshCSRFName: "csrf_refresh_token",
				Path: "/", RefreshPath: "/refresh", SameSite: http.SameSiteLaxMode, Insecure: true,
			},
		},
		{
			name: "SameSite=None with Secure", in: httpx.Cookies{SameSite: http.SameSiteNoneMode},
			want: func() httpx.Cookies { c := secure; c.SameSite = http.SameSiteNoneMode; return c }(),
		},
		{name: "__Host- with Domain", in: httpx.Cookies{Domain: "example.com"}, wantErr: jwtx.ErrConfig},
		{name: "__Host- access with a path", in: httpx.Cookies{Path: "/api"}, wantErr: jwtx.ErrConfig},
		{name: "__Host- refresh on the refresh path", in: httpx.Cookies{RefreshName: "__Host-refresh"}, wantErr: jwtx.ErrConfig},
		{name: "insecure with __Host-", in: httpx.Cookies{Insecure: true, AccessName: "__Host-access"}, wantErr: jwtx.ErrConfig},
		{name: "insecure with __Host- CSRF", in: httpx.Cookies{Insecure: true, AccessCSRFName: "__Host-csrf"}, wantErr: jwtx.ErrConfig},
		{name: "insecure with __Secure-", in: httpx.Cookies{Insecure: true, RefreshName: "__Secure-refresh"}, wantErr: jwtx.ErrConfig},
		{name: "SameSite=None insecure", in: httpx.Cookies{Insecure: true, SameSite: http.SameSiteNoneMode}, wantErr: jwtx.ErrConfig},
		{name: "name with a space", in: httpx.Cookies{Insecure: true, AccessName: "access token"}, wantErr: jwtx.ErrConfig},
		{name: "name with a semicolon", in: httpx.Cookies{Insecure: true, RefreshName: "a;b"}, wantErr: jwtx.ErrConfig},
		{name: "name with an equals sign", in: httpx.Cookies{Insecure: true, AccessCSRFName: "a=b"}, wantErr: jwtx.ErrConfig},
		{name: "non-ASCII name", in: httpx.Cookies{Insecure: true, RefreshCSRFName: "jéton"}, wantErr: jwtx.ErrConfig},
		// One name for two cookies: the CSRF cookie would overwrite the
		// token cookie, or both would reach the server and be refused.
		{name: "access and its CSRF cookie share a name", in: httpx.Cookies{AccessCSRFName: accessCookie}, wantErr: jwtx.ErrConfig},
		{name: "access and refresh share a name", in: httpx.Cookies{Insecure: true, AccessName: "token", RefreshName: "token"}, wantErr: jwtx.ErrConfig},
		{name: "the CSRF cookies share a name", in: httpx.Cookies{AccessCSRFName: "__Host-csrf", RefreshCSRFName: "__Host-csrf"}, wantErr: jwtx.ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.in.Resolve()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Resolve() error = %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resolve() (-want +got):\n%s", diff)
			}
			_, err = httpx.New(newEnv(t).Verifier, httpx.WithCookies(tc.in))
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("New(WithCookies) error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// loginServer is a TLS server with cookie login, a protected POST,
// refresh and logout, and a browser that keeps its cookies.
type loginServer struct {
	*testutil.Browser
	mu   sync.Mutex
	pair jwtx.TokenPair // the pair of the last login
}

func newLoginServer(tb testing.TB, e *appEnv, opts ...httpx.Option) *loginServer {
	tb.Helper()
	a := e.Auth(tb, append([]httpx.Option{httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)}, opts...)...)
	ls := &loginServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		pair, err := e.Issuer.Pair(r.Context(), userOf("alice"), jwtx.AsFresh(true))
		if err != nil {
			httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
			return
		}
		ls.mu.Lock()
		ls.pair = pair
		ls.mu.Unlock()
		a.SetCookies(w, pair.Access, pair.Refresh)
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"msg": "logged in"})
	})
	mux.Handle("POST /transfer", a.Required(http.HandlerFunc(whoami)))
	mux.Handle("POST /refresh", a.RefreshHandler(e.Issuer))
	mux.Handle("POST /logout", a.LogoutHandler())
	ls.Browser = testutil.NewBrowser(tb, mux)
	return ls
}

func (ls *loginServer) lastPair() jwtx.TokenPair {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.pair
}

// post sends a POST with an optional CSRF header and returns the response
// and its result.
func (ls *loginServer) post(tb testing.TB, path, csrf string) (*http.Response, result) {
	tb.Helper()
	var h http.Header
	if csrf != "" {
		h = http.Header{"X-Csrf-Token": {csrf}}
	}
	resp := ls.Do(tb, http.MethodPost, path, h)
	return resp, resultOf(tb, resp)
}

// TestCookieSession runs a browser-like session against a TLS server:
// login, a protected POST with the CSRF header, refresh, logout.
func TestCookieSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ls := newLoginServer(t, e)

	// Login sets four cookies with the secure attributes.
	resp, res := ls.post(t, "/login", "")
	if diff := cmp.Diff(result{Status: http.StatusOK, Body: msg("logged in")}, res); diff != "" {
		t.Fatalf("login (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(secureCookies(), attrsOf(resp.Cookies()), byName()); diff != "" {
		t.Errorf("login Set-Cookie (-want +got):\n%s", diff)
	}
	pair := ls.lastPair()
	wantValues := map[string]string{
		accessCookie: pair.Access.Raw, accessCSRFCookie: pair.Access.CSRF,
		refreshCookie: pair.Refresh.Raw, refreshCSRFCookie: pair.Refresh.CSRF,
	}
	if diff := cmp.Diff(wantValues, valuesOf(resp.Cookies())); diff != "" {
		t.Errorf("login cookie values (-want +got):\n%s", diff)
	}

	// The refresh token goes only to the refresh path.
	if _, ok := ls.Cookies(t, "/transfer")[refreshCookie]; ok {
		t.Errorf("the jar sends the refresh cookie to /transfer")
	}
	if _, ok := ls.Cookies(t, "/refresh")[refreshCookie]; !ok {
		t.Errorf("the jar does not send the refresh cookie to /refresh")
	}

	// A protected POST needs the CSRF value the page reads from its cookie.
	if _, res := ls.post(t, "/transfer", ""); !cmp.Equal(refusedCSRF(), res) {
		t.Errorf("POST /transfer without CSRF header = %+v, want 403", res)
	}
	csrf := ls.Cookies(t, "/transfer")[accessCSRFCookie]
	if _, res := ls.post(t, "/transfer", csrf); !cmp.Equal(okAs("alice", "Alice"), res) {
		t.Errorf("POST /transfer with CSRF header = %+v, want 200", res)
	}

	// Refresh, ten minutes later, with the refresh cookie and its CSRF value.
	e.Clock.Advance(10 * time.Minute)
	if _, res := ls.post(t, "/refresh", ""); !cmp.Equal(refusedCSRF(), res) {
		t.Errorf("POST /refresh without CSRF header = %+v, want 403", res)
	}
	resp, res = ls.post(t, "/refresh", ls.Cookies(t, "/refresh")[refreshCSRFCookie])
	if diff := cmp.Diff(result{Status: http.StatusOK, Body: msg("refreshed")}, res); diff != "" {
		t.Fatalf("refresh (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(secureCookies()[:2], attrsOf(resp.Cookies()), byName()); diff != "" {
		t.Errorf("refresh Set-Cookie (-want +got):\n%s", diff)
	}
	newAccess := ls.Cookies(t, "/transfer")[accessCookie]
	if newAccess == "" || newAccess == pair.Access.Raw {
		t.Errorf("refresh did not replace the access cookie")
	}
	claims, _, err := e.Verifier.Verify(t.Context(), newAccess)
	if err != nil {
		t.Fatalf("the new access token does not verify: %v", err)
	}
	if claims.Subject != "alice" || claims.Fresh.At(e.Clock.Now()) {
		t.Errorf("new access token: sub %q, fresh %v; want alice, not fresh", claims.Subject, claims.Fresh.At(e.Clock.Now()))
	}
	if _, res := ls.post(t, "/transfer", csrf); !cmp.Equal(refusedCSRF(), res) {
		t.Errorf("POST /transfer with the old CSRF value = %+v, want 403", res)
	}
	csrf = ls.Cookies(t, "/transfer")[accessCSRFCookie]
	if _, res := ls.post(t, "/transfer", csrf); !cmp.Equal(okAs("alice", "Alice"), res) {
		t.Errorf("POST /transfer with the new CSRF value = %+v, want 200", res)
	}

	// Logout deletes all four cookies.
	resp, res = ls.post(t, "/logout", csrf)
	if diff := cmp.Diff(result{Status: http.StatusOK, Body: msg("logged out")}, res); diff != "" {
		t.Fatalf("logout (-want +got):\n%s", diff)
	}
	deleted := secureCookies()
	for i := range deleted {
		deleted[i].MaxAge = -1
	}
	if diff := cmp.Diff(deleted, attrsOf(resp.Cookies()), byName()); diff != "" {
		t.Errorf("logout Set-Cookie (-want +got):\n%s", diff)
	}
	for _, line := range resp.Header.Values("Set-Cookie") {
		if !strings.Contains(line, "Max-Age=0") {
			t.Errorf("logout Set-Cookie %q lacks Max-Age=0", line)
		}
	}
	for _, path := range []string{"/transfer", "/refresh"} {
		if got := ls.Cookies(t, path); len(got) != 0 {
			t.Errorf("after logout the jar still sends %v to %s", got, path)
		}
	}
	if _, res := ls.post(t, "/transfer", csrf); !cmp.Equal(refusedMissing(), res) {
		t.Errorf("POST /transfer after logout = %+v, want 401 missing", res)
	}
}
