package testutil

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Auth returns an httpx.Auth on the environment's Verifier, configured by
// opts, for tests of handlers the Auth guards:
//
//	env := testutil.NewEnv[string, Claims](t)
//	mux := http.NewServeMux()
//	mux.Handle("GET /me", env.Auth(t).Required(me))
//	rec := testutil.Serve(mux, testutil.BearerRequest(t, "GET", "/me", env.Access(t, "alice").Raw))
//
// A configuration httpx refuses fails the test. Each call returns a new
// Auth; like the Env, it is safe for concurrent use.
func (e *Env[U, C]) Auth(tb testing.TB, opts ...httpx.Option) *httpx.Auth[U, C] {
	tb.Helper()
	a, err := httpx.New(e.Verifier, opts...)
	if err != nil {
		tb.Fatalf("testutil: httpx.New: %v", err)
	}
	return a
}

// Serve runs r through h, as a server would, and returns the recorded
// response.
func Serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// AddRawCookie appends name=value to the Cookie header of r byte for byte,
// without the checks and quoting of http.Request.AddCookie. It builds what
// a browser would not send, or what an attacker makes one send: values
// with spaces, quotes or non-ASCII bytes, and several cookies of one name
// (cookie tossing). The server side parses the header as usual, so a value
// net/http finds invalid reaches the handler as no cookie at all.
func AddRawCookie(r *http.Request, name, value string) {
	pair := name + "=" + value
	if c := r.Header.Get("Cookie"); c != "" {
		pair = c + "; " + pair
	}
	r.Header.Set("Cookie", pair)
}

// Browser is an HTTP client that keeps cookies as a browser does, talking
// to a handler served over TLS by an httptest.Server: a response's
// Set-Cookie lines land in the client's jar, which sends each cookie back
// only where its Domain, Path and Secure attributes allow. End-to-end tests
// of cookie sessions (login, a CSRF-protected call, refresh, logout) see
// exactly the cookies a browser would present. A Browser is safe for
// concurrent use; its requests share one jar.
type Browser struct {
	// Server serves the handler; it is closed when the test ends.
	Server *httptest.Server
	// Client trusts the server's certificate and keeps cookies in Jar.
	Client *http.Client
	// Jar holds the cookies the server set.
	Jar http.CookieJar
}

// NewBrowser serves h over TLS on a loopback httptest.Server, closed when
// the test ends, and returns a Browser for it with an empty cookie jar.
func NewBrowser(tb testing.TB, h http.Handler) *Browser {
	tb.Helper()
	srv := httptest.NewTLSServer(h)
	tb.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatalf("testutil: cookie jar: %v", err)
	}
	client := srv.Client()
	client.Jar = jar
	return &Browser{Server: srv, Client: client, Jar: jar}
}

// Do sends a request for method and path (such as "/me?x=1") with header
// and the cookies of the jar, and returns the response. Its body is closed
// when the test ends, if the test has not closed it. A request that cannot
// be built or sent fails the test.
func (b *Browser) Do(tb testing.TB, method, path string, header http.Header) *http.Response {
	tb.Helper()
	r, err := http.NewRequestWithContext(tb.Context(), method, b.Server.URL+path, nil)
	if err != nil {
		tb.Fatalf("testutil: request %s %q: %v", method, path, err)
	}
	for name, values := range header {
		for _, v := range values {
			r.Header.Add(name, v)
		}
	}
	resp, err := b.Client.Do(r)
	if err != nil {
		tb.Fatalf("testutil: %s %s: %v", method, path, err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

// Cookies returns, by name, the values of the cookies the browser would
// send with a request to path. A path that is not a valid URL path fails
// the test.
func (b *Browser) Cookies(tb testing.TB, path string) map[string]string {
	tb.Helper()
	r, err := http.NewRequest(http.MethodGet, b.Server.URL+path, nil)
	if err != nil {
		tb.Fatalf("testutil: cookies for %q: %v", path, err)
	}
	m := map[string]string{}
	for _, c := range b.Jar.Cookies(r.URL) {
		m[c.Name] = c.Value
	}
	return m
}
