package testutil

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// CSRFHeader is the request header httpx reads the CSRF value from unless
// httpx.WithCSRFHeader says otherwise.
const CSRFHeader = httpx.DefaultCSRFHeader

// newRequest returns an incoming server request, as httptest.NewRequest
// makes it, for method and target with no body. A method or target that
// httptest.NewRequest refuses fails the test instead of panicking.
func newRequest(tb testing.TB, method, target string) (r *http.Request) {
	tb.Helper()
	defer func() {
		if p := recover(); p != nil {
			tb.Fatalf("testutil: request %s %q: %v", method, target, p)
		}
	}()
	return httptest.NewRequest(method, target, nil)
}

// BearerRequest returns a request for method and target, as
// httptest.NewRequest makes it, with the header
// "Authorization: Bearer <token>". A method or target that
// httptest.NewRequest refuses fails the test.
func BearerRequest(tb testing.TB, method, target, token string) *http.Request {
	tb.Helper()
	r := newRequest(tb, method, target)
	SetBearer(r, token)
	return r
}

// SetBearer sets the header "Authorization: Bearer <token>" on r, replacing
// any Authorization header it had.
func SetBearer(r *http.Request, token string) {
	r.Header.Set("Authorization", "Bearer "+token)
}

// CookieRequest returns a request for method and target, as
// httptest.NewRequest makes it, that carries tokens in the cookies of the
// zero httpx.Cookies, as [AddTokenCookies] adds them. The Auth that serves it needs
// httpx.WithLocations with httpx.FromCookie.
func CookieRequest(tb testing.TB, method, target string, tokens ...jwtx.Token) *http.Request {
	tb.Helper()
	r := newRequest(tb, method, target)
	AddTokenCookies(tb, r, httpx.Cookies{}, tokens...)
	return r
}

// AddTokenCookies adds to r what a browser sends for the cookies an Auth
// configured with httpx.WithCookies(cookies) set: each access or refresh
// token in its cookie, with its csrf claim (when it has one) in the
// matching CSRF cookie; and, as the application's JavaScript would, the
// csrf claim in the [CSRFHeader] header. The header takes the access
// token's csrf when an access token has one, else the refresh token's, so
// pass only the refresh token for a request to the refresh endpoint. The
// names come from cookies.Resolve(); names it refuses, and tokens whose Type
// is neither jwtx.Access nor jwtx.Refresh, fail the test.
func AddTokenCookies(tb testing.TB, r *http.Request, cookies httpx.Cookies, tokens ...jwtx.Token) {
	tb.Helper()
	c, err := cookies.Resolve()
	if err != nil {
		tb.Fatalf("testutil: cookies: %v", err)
	}
	var accessCSRF, refreshCSRF string
	for _, t := range tokens {
		name, csrfName, csrf := c.AccessName, c.AccessCSRFName, &accessCSRF
		switch t.Type {
		case jwtx.Access:
		case jwtx.Refresh:
			name, csrfName, csrf = c.RefreshName, c.RefreshCSRFName, &refreshCSRF
		default:
			tb.Fatalf("testutil: token of type %q is neither access nor refresh", t.Type)
		}
		r.AddCookie(&http.Cookie{Name: name, Value: t.Raw})
		if t.CSRF != "" {
			r.AddCookie(&http.Cookie{Name: csrfName, Value: t.CSRF})
			if *csrf == "" {
				*csrf = t.CSRF
			}
		}
	}
	switch {
	case accessCSRF != "":
		r.Header.Set(CSRFHeader, accessCSRF)
	case refreshCSRF != "":
		r.Header.Set(CSRFHeader, refreshCSRF)
	}
}

// ResponseCookie returns the cookie called name that the response recorded
// by rec sets. A response that sets no such cookie, or several, fails the
// test.
func ResponseCookie(tb testing.TB, rec *httptest.ResponseRecorder, name string) *http.Cookie {
	tb.Helper()
	var found []*http.Cookie
	var names []string
	for _, c := range rec.Result().Cookies() {
		names = append(names, c.Name)
		if c.Name == name {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		tb.Fatalf("testutil: response sets no cookie %q (it sets [%s])", name, strings.Join(names, " "))
	case 1:
		return found[0]
	}
	tb.Fatalf("testutil: response sets cookie %q %d times", name, len(found))
	return nil
}
