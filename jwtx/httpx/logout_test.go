package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// logoutHandler is the LogoutHandler of an Auth on se reading the header
// first, then cookies, and the cookie names it uses.
func logoutHandler(tb testing.TB, se *storeEnv) (http.Handler, httpx.Cookies) {
	tb.Helper()
	a := se.auth(tb, httpx.WithLocations(httpx.FromHeader, httpx.FromCookie))
	return a.LogoutHandler(), a.Cookies()
}

// TestLogoutFromAnotherSite: a cross-site form carries no SameSite=Lax
// token cookie, only what the browser still sends; without the CSRF value
// it must not end the session.
func TestLogoutFromAnotherSite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		header  func(pair jwtx.TokenPair) string
		want    int
		cleared bool
	}{
		{name: "no CSRF value", header: func(jwtx.TokenPair) string { return "" }, want: http.StatusForbidden},
		{name: "a wrong CSRF value", header: func(jwtx.TokenPair) string { return "forged" }, want: http.StatusForbidden},
		{name: "the CSRF cookie's value", header: func(p jwtx.TokenPair) string { return p.Refresh.CSRF }, want: http.StatusOK, cleared: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			se := newStoreEnv(t)
			logout, names := logoutHandler(t, se)
			pair := se.Pair(t, "alice")
			req := httptest.NewRequest("POST", "/logout", nil)
			req.AddCookie(&http.Cookie{Name: names.RefreshCSRFName, Value: pair.Refresh.CSRF})
			if h := tc.header(pair); h != "" {
				req.Header.Set(httpx.DefaultCSRFHeader, h)
			}
			rec := testutil.Serve(logout, req)
			if diff := cmp.Diff([]any{tc.want, tc.cleared}, []any{rec.Code, len(rec.Result().Cookies()) == 4}); diff != "" {
				t.Errorf("[status, cookies cleared] (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLogoutRevokesEveryPresentedToken: a header access token does not hide
// the refresh cookie.
func TestLogoutRevokesEveryPresentedToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	se := newStoreEnv(t)
	logout, names := logoutHandler(t, se)
	pair := se.Pair(t, "alice")
	req := httptest.NewRequest("POST", "/logout", nil)
	req.Header.Set("Authorization", "Bearer "+pair.Access.Raw)
	req.AddCookie(&http.Cookie{Name: names.RefreshName, Value: pair.Refresh.Raw})
	req.Header.Set(httpx.DefaultCSRFHeader, pair.Refresh.CSRF)
	if rec := testutil.Serve(logout, req); rec.Code != http.StatusOK {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	if _, _, err := se.Verifier.Verify(ctx, pair.Access.Raw); !errors.Is(err, jwtx.ErrRevoked) {
		t.Errorf("access token after logout: %v, want ErrRevoked", err)
	}
	if _, _, err := se.Verifier.VerifyRefresh(ctx, pair.Refresh.Raw); !errors.Is(err, jwtx.ErrRevoked) {
		t.Errorf("refresh cookie after logout: %v, want ErrRevoked", err)
	}
}

// TestTossedRefreshCookieBlocksLogout: the refresh cookie cannot be a
// __Host- cookie (it has its own path), so a sibling subdomain can plant a
// second one beside the session's. Logout must still revoke every value
// that verifies and clear the cookies, with the CSRF value of the
// session; the tossed token's own CSRF value, which its planter knows,
// must not do. Authentication elsewhere still refuses the duplicate.
func TestTossedRefreshCookieBlocksLogout(t *testing.T) {
	t.Parallel()
	type outcome struct {
		Status  int
		Cleared []string        // the cookies the response deletes
		Revoked map[string]bool // by token
	}
	for _, tc := range []struct {
		name         string
		tossed       string // "attacker" (a valid token of the planter's own session) or "garbage"
		tossedFirst  bool
		accessCookie bool   // the session's access cookie is sent too
		csrf         string // the CSRF header: "access", "refresh", "tossed" or "" (none)
		wantOK       bool
	}{
		{name: "planter's token first", tossed: "attacker", tossedFirst: true, accessCookie: true, csrf: "access", wantOK: true},
		{name: "planter's token last", tossed: "attacker", accessCookie: true, csrf: "access", wantOK: true},
		{name: "garbage first", tossed: "garbage", tossedFirst: true, accessCookie: true, csrf: "access", wantOK: true},
		{name: "access cookie expired, refresh CSRF value", tossed: "attacker", tossedFirst: true, csrf: "refresh", wantOK: true},
		{name: "access cookie sent, refresh CSRF value", tossed: "attacker", accessCookie: true, csrf: "refresh", wantOK: true},
		{name: "no CSRF value", tossed: "attacker", tossedFirst: true, accessCookie: true},
		{name: "the tossed token's CSRF value", tossed: "attacker", tossedFirst: true, accessCookie: true, csrf: "tossed"},
		{name: "the tossed token's CSRF value, access cookie expired", tossed: "attacker", csrf: "tossed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			se := newStoreEnv(t)
			a := se.auth(t, httpx.WithLocations(httpx.FromCookie))
			names := a.Cookies()
			mux := http.NewServeMux()
			mux.Handle("POST /refresh", a.RefreshHandler(se.Issuer))
			mux.Handle("POST /refresh/logout", a.LogoutHandler())
			victim := se.Pair(t, testutil.DefaultSubject)
			attacker := se.Refresh(t, "mallory")
			tossed := "garbage.garbage.garbage"
			if tc.tossed == "attacker" {
				tossed = attacker.Raw
			}

			build := func(target string) *http.Request {
				r := httptest.NewRequest(http.MethodPost, target, nil)
				plant := func() { r.AddCookie(&http.Cookie{Name: names.RefreshName, Value: tossed}) }
				if tc.tossedFirst {
					plant()
				}
				session := []jwtx.Token{victim.Refresh}
				if tc.accessCookie {
					session = append(session, victim.Access)
				}
				testutil.AddTokenCookies(t, r, httpx.Cookies{}, session...)
				if !tc.tossedFirst {
					plant()
				}
				switch tc.csrf {
				case "access":
					r.Header.Set(testutil.CSRFHeader, victim.Access.CSRF)
				case "refresh":
					r.Header.Set(testutil.CSRFHeader, victim.Refresh.CSRF)
				case "tossed":
					r.Header.Set(testutil.CSRFHeader, attacker.CSRF)
				default:
					r.Header.Del(testutil.CSRFHeader)
				}
				return r
			}

			// The duplicate is still refused where it would authenticate.
			if rec := testutil.Serve(mux, build("/refresh")); rec.Code != http.StatusBadRequest || len(rec.Result().Cookies()) != 0 {
				t.Errorf("refresh with a tossed cookie: %d with %d cookies set, want 400 and none", rec.Code, len(rec.Result().Cookies()))
			}

			rec := testutil.Serve(mux, build("/refresh/logout"))
			got := outcome{Status: rec.Code, Revoked: map[string]bool{
				"session access":  se.revoked(t, victim.Access.Raw, jwtx.ExpectAccess),
				"session refresh": se.revoked(t, victim.Refresh.Raw, jwtx.ExpectRefresh),
				"tossed":          se.revoked(t, attacker.Raw, jwtx.ExpectRefresh),
			}}
			for _, c := range rec.Result().Cookies() {
				if c.MaxAge < 0 {
					got.Cleared = append(got.Cleared, c.Name)
				}
			}
			want := outcome{Status: http.StatusForbidden, Revoked: map[string]bool{"session access": false, "session refresh": false, "tossed": false}}
			if tc.wantOK {
				want = outcome{
					Status:  http.StatusOK,
					Cleared: []string{names.AccessName, names.RefreshName, names.AccessCSRFName, names.RefreshCSRFName},
					Revoked: map[string]bool{"session access": tc.accessCookie, "session refresh": true, "tossed": tc.tossed == "attacker"},
				}
			}
			if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("logout with a tossed refresh cookie (-want +got):\n%s", diff)
			}
		})
	}
}
