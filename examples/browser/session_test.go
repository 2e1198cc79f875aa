package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// testStart returns the time the test clocks start at.
func testStart() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC) }

// newTestServer starts the application over HTTPS with the certificate it
// makes for itself, a test key and clock.
func newTestServer(t *testing.T, clock jwtx.Clock) *httptest.Server {
	t.Helper()
	users, err := demoUsers(testIterations)
	if err != nil {
		t.Fatalf("demoUsers: %v", err)
	}
	h, err := newServer(testutil.NewKey(t, jwtx.HS256).Private(), clock, users)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	// The browser checks the certificate against its own clock, not the
	// test clock.
	cert, err := selfSignedCert(time.Now(), time.Hour)
	if err != nil {
		t.Fatalf("selfSignedCert: %v", err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	srv.StartTLS() // its Client trusts cert
	t.Cleanup(srv.Close)
	return srv
}

// client is a driver without a browser: an HTTP client with a cookie jar
// that sends what the page's script sends.
type client struct {
	base  string
	hc    *http.Client
	jar   *cookiejar.Jar
	saved []*http.Cookie
}

func newClient(t *testing.T, srv *httptest.Server) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := srv.Client()
	hc.Jar = jar
	return &client{base: srv.URL, hc: hc, jar: jar}
}

func (c *client) url(t *testing.T, path string) *url.URL {
	t.Helper()
	u, err := url.Parse(c.base + path)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// cookie returns the value of the cookie called name that the page's
// script could read (they all have Path=/), or "".
func (c *client) cookie(t *testing.T, name string) string {
	t.Helper()
	for _, ck := range c.jar.Cookies(c.url(t, "/")) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// request is what the page's script sends for an action.
func (c *client) request(t *testing.T, a action) (method, path string, body any, csrfCookie string) {
	t.Helper()
	switch a.op {
	case opLogin:
		return http.MethodPost, "/api/login", map[string]string{"username": a.username, "password": a.password}, ""
	case opMe:
		return http.MethodGet, "/api/me", nil, ""
	case opNotes:
		return http.MethodGet, "/api/notes", nil, ""
	case opAddNote:
		return http.MethodPost, "/api/notes", map[string]string{"text": a.note}, accessCSRFCookie
	case opAddNoteNoCSRF:
		return http.MethodPost, "/api/notes", map[string]string{"text": a.note}, ""
	case opRefresh:
		return http.MethodPost, refreshPath, nil, refreshCSRFCookie
	case opChangePassword:
		return http.MethodPost, "/api/password", map[string]string{"new_password": a.password}, accessCSRFCookie
	case opLogout:
		return http.MethodPost, "/api/logout", nil, accessCSRFCookie
	}
	t.Fatalf("unknown op %d", a.op)
	return "", "", nil, ""
}

func (c *client) do(t *testing.T, a action) result {
	t.Helper()
	if a.op == opLogout && c.cookie(t, accessCSRFCookie) == "" && c.cookie(t, refreshCSRFCookie) != "" {
		c.send(t, action{op: opRefresh}) // as the page does: see its logout
	}
	return c.send(t, a)
}

// send sends the request of a and returns the answer.
func (c *client) send(t *testing.T, a action) result {
	t.Helper()
	method, path, body, csrfCookie := c.request(t, a)
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if csrfCookie != "" {
		req.Header.Set("X-CSRF-Token", c.cookie(t, csrfCookie))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	r := result{Status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&r.Body); err != nil {
		t.Fatalf("%s %s: body: %v", method, path, err)
	}
	return r
}

// held returns the cookies the jar holds for the application: those on
// Path=/ and those only on the refresh path, with those paths.
func (c *client) held(t *testing.T) []*http.Cookie {
	t.Helper()
	var out []*http.Cookie
	seen := map[string]bool{}
	for _, path := range []string{"/", refreshPath} {
		for _, ck := range c.jar.Cookies(c.url(t, path)) {
			if !seen[ck.Name] {
				seen[ck.Name] = true
				out = append(out, &http.Cookie{Name: ck.Name, Value: ck.Value, Path: path, Secure: true})
			}
		}
	}
	return out
}

func (c *client) cookieNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, ck := range c.held(t) {
		names = append(names, ck.Name)
	}
	slices.Sort(names)
	return names
}

func (c *client) saveCookies(t *testing.T) { c.saved = c.held(t) }

func (c *client) restoreCookies(t *testing.T) { c.jar.SetCookies(c.url(t, "/"), c.saved) }

// expireAccessCookies deletes the access cookies. The jar cannot see them
// expire: it runs on the real clock, the tokens on the test clock.
func (c *client) expireAccessCookies(t *testing.T) {
	c.jar.SetCookies(c.url(t, "/"), []*http.Cookie{
		{Name: accessCookie, Path: "/", MaxAge: -1},
		{Name: accessCSRFCookie, Path: "/", MaxAge: -1},
	})
}

// TestSession runs the session scenario without a browser.
func TestSession(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, testutil.NewClock(testStart()))
	sessionScenario(t, newClient(t, srv), nil)
}

// TestFreshness checks the edge of the fresh window of a login.
func TestFreshness(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		after time.Duration // since login
		want  result
	}{
		{name: "just logged in", want: msg(http.StatusOK, "password changed")},
		{name: "last fresh second", after: freshFor - time.Second, want: msg(http.StatusOK, "password changed")},
		{name: "fresh window over", after: freshFor, want: msg(http.StatusUnauthorized, "fresh token required")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := testutil.NewClock(testStart())
			c := newClient(t, newTestServer(t, clock))
			runSteps(t, c, []step{{"login", action{op: opLogin, username: "bob", password: "builder"}, result{http.StatusOK, map[string]any{"user": map[string]any{"id": "u-1002", "name": "bob"}}}}})
			clock.Advance(tc.after)
			runSteps(t, c, []step{{"change password", action{op: opChangePassword, password: "a new secret"}, tc.want}})
		})
	}
}

// TestRefresh checks refresh-token rotation: an expired access token is
// renewed, and a refresh token used twice ends the session.
func TestRefresh(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(testStart())
	c := newClient(t, newTestServer(t, clock))
	runSteps(t, c, []step{
		{"login", action{op: opLogin, username: "alice", password: "wonderland"}, result{http.StatusOK, map[string]any{"user": alice()}}},
	})
	clock.Advance(jwtx.DefaultAccessTTL) // the jar keeps the cookie: its Max-Age runs on the real clock
	first := c.held(t)
	runSteps(t, c, []step{
		{"expired access token", action{op: opMe}, msg(http.StatusUnauthorized, "token expired")},
		{"refresh", action{op: opRefresh}, msg(http.StatusOK, "refreshed")},
		{"renewed access token", action{op: opMe}, result{http.StatusOK, alice()}},
	})
	second := c.held(t)
	c.jar.SetCookies(c.url(t, "/"), first) // the refresh token that just rotated, replayed
	runSteps(t, c, []step{
		{"reused refresh token", action{op: opRefresh}, msg(http.StatusUnauthorized, "refresh token reused; log in again")},
	})
	// The reuse revoked the whole family, the tokens of the legitimate
	// refresh included.
	c.jar.SetCookies(c.url(t, "/"), second)
	runSteps(t, c, []step{
		{"access token of the family", action{op: opMe}, msg(http.StatusUnauthorized, "token revoked")},
		{"refresh token of the family", action{op: opRefresh}, msg(http.StatusUnauthorized, "token revoked")},
		{"login again", action{op: opLogin, username: "alice", password: "wonderland"}, result{http.StatusOK, map[string]any{"user": alice()}}},
		{"new session", action{op: opMe}, result{http.StatusOK, alice()}},
	})
}

// TestLogin checks the answers of POST /api/login, and that a token never
// appears in the body.
func TestLogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		body        string
		wantStatus  int
		wantBody    string
		wantCookies int
	}{
		{name: "alice", body: `{"username":"alice","password":"wonderland"}`, wantStatus: http.StatusOK,
			wantBody: `{"user":{"id":"u-1001","name":"alice"}}`, wantCookies: 4},
		{name: "wrong password", body: `{"username":"alice","password":"wonder"}`, wantStatus: http.StatusUnauthorized,
			wantBody: `{"msg":"bad username or password"}`},
		{name: "unknown user", body: `{"username":"mallory","password":"x"}`, wantStatus: http.StatusUnauthorized,
			wantBody: `{"msg":"bad username or password"}`},
		{name: "not JSON", body: `username=alice`, wantStatus: http.StatusBadRequest, wantBody: `{"msg":"bad request"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, testutil.NewClock(testStart()))
			resp, err := srv.Client().Post(srv.URL+"/api/login", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus || strings.TrimSpace(string(body)) != tc.wantBody {
				t.Errorf("POST /api/login = %d %s, want %d %s", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			cookies := resp.Cookies()
			if len(cookies) != tc.wantCookies {
				t.Errorf("POST /api/login set %d cookies, want %d", len(cookies), tc.wantCookies)
			}
			for _, ck := range cookies {
				if strings.Contains(string(body), ck.Value) {
					t.Errorf("the body holds the value of cookie %s", ck.Name)
				}
			}
		})
	}
}

// TestCrossOrigin checks that a browser's cross-site POST is refused before
// any handler, login and logout included.
func TestCrossOrigin(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, testutil.NewClock(testStart()))
	for _, path := range []string{"/api/login", "/api/logout", "/api/notes", refreshPath} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+path, strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s = %d, want 403", path, resp.StatusCode)
		}
	}
}

// TestPage checks the page: the CSRF cookie names it reads, and a
// Content-Security-Policy whose nonce is the one its script and style carry.
func TestPage(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, testutil.NewClock(testStart()))
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	m := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]+)'`).FindStringSubmatch(csp)
	if m == nil {
		t.Fatalf("Content-Security-Policy %q has no script nonce", csp)
	}
	for _, want := range []string{
		`<script nonce="` + m[1] + `">`,
		`<style nonce="` + m[1] + `">`,
		`data-access-csrf="` + accessCSRFCookie + `"`,
		`data-refresh-csrf="` + refreshCSRFCookie + `"`,
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if diff := cmp.Diff("nosniff", resp.Header.Get("X-Content-Type-Options")); diff != "" {
		t.Errorf("X-Content-Type-Options (-want +got):\n%s", diff)
	}
}
