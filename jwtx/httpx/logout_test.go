package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// logoutFixture is an Auth reading the header first, then cookies, over a
// memory store.
type logoutFixture struct {
	iss   *jwtx.Issuer[string, jwtx.RegisteredClaims]
	ver   *jwtx.Verifier[string, jwtx.RegisteredClaims]
	auth  *httpx.Auth[string, jwtx.RegisteredClaims]
	names httpx.Cookies
}

func newLogoutFixture(t *testing.T) *logoutFixture {
	t.Helper()
	now := time.Date(2026, 8, 4, 9, 0, 0, 0, time.UTC)
	clock := jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return now }))
	key, err := jwtx.NewKey(jwtx.HS256, []byte("logout-fixture-secret-of-32-bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := jwtx.NewMemoryStore(0, 30*24*time.Hour, jwtx.ClockFunc(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	f := &logoutFixture{}
	if f.iss, err = jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, clock, jwtx.WithCSRF(true)); err != nil {
		t.Fatal(err)
	}
	if f.ver, err = jwtx.NewVerifier[string, jwtx.RegisteredClaims](key, clock, jwtx.WithRevocation(store)); err != nil {
		t.Fatal(err)
	}
	if f.auth, err = httpx.New(f.ver, httpx.WithRevoker(store), httpx.WithLocations(httpx.FromHeader, httpx.FromCookie)); err != nil {
		t.Fatal(err)
	}
	f.names = f.auth.Cookies()
	return f
}

func (f *logoutFixture) logout(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.auth.LogoutHandler().ServeHTTP(rec, req)
	return rec
}

// TestLogoutFromAnotherSite: a cross-site form carries no SameSite=Lax
// token cookie, only what the browser still sends; without the CSRF value
// it must not end the session.
func TestLogoutFromAnotherSite(t *testing.T) {
	t.Parallel()
	f := newLogoutFixture(t)
	pair, err := f.iss.Pair(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		header  string
		want    int
		cleared bool
	}{
		{name: "no CSRF value", want: http.StatusForbidden},
		{name: "a wrong CSRF value", header: "forged", want: http.StatusForbidden},
		{name: "the CSRF cookie's value", header: pair.Refresh.CSRF, want: http.StatusOK, cleared: true},
	} {
		req := httptest.NewRequest("POST", "/logout", nil)
		req.AddCookie(&http.Cookie{Name: f.names.RefreshCSRFName, Value: pair.Refresh.CSRF})
		if tc.header != "" {
			req.Header.Set(httpx.DefaultCSRFHeader, tc.header)
		}
		rec := f.logout(req)
		if diff := cmp.Diff([]any{tc.want, tc.cleared}, []any{rec.Code, len(rec.Result().Cookies()) == 4}); diff != "" {
			t.Errorf("%s: [status, cookies cleared] (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestLogoutRevokesEveryPresentedToken: a header access token does not hide
// the refresh cookie.
func TestLogoutRevokesEveryPresentedToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLogoutFixture(t)
	pair, err := f.iss.Pair(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/logout", nil)
	req.Header.Set("Authorization", "Bearer "+pair.Access.Raw)
	req.AddCookie(&http.Cookie{Name: f.names.RefreshName, Value: pair.Refresh.Raw})
	req.Header.Set(httpx.DefaultCSRFHeader, pair.Refresh.CSRF)
	if rec := f.logout(req); rec.Code != http.StatusOK {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	if _, _, err := f.ver.Verify(ctx, pair.Access.Raw); !errors.Is(err, jwtx.ErrRevoked) {
		t.Errorf("access token after logout: %v, want ErrRevoked", err)
	}
	if _, _, err := f.ver.VerifyRefresh(ctx, pair.Refresh.Raw); !errors.Is(err, jwtx.ErrRevoked) {
		t.Errorf("refresh cookie after logout: %v, want ErrRevoked", err)
	}
}
