package httpx_test

// Tokens minted from a token of a refresh-token family stay in it, so that
// logout and reuse detection, which revoke the family, reach them too.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// familyMux serves GET /me (the subject), POST /refresh and the logout
// route under the refresh cookie's path.
func familyMux(a *httpx.Auth[string, jwtx.RegisteredClaims], iss *jwtx.Issuer[string, jwtx.RegisteredClaims]) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /me", a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtx.UserFrom[string](r.Context())
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"user": u})
	})))
	mux.Handle("POST /refresh", a.RefreshHandler(iss))
	mux.Handle("POST /refresh/logout", a.LogoutHandler())
	return mux
}

// TestImplicitRefreshEscapesLogout: a thief presents a stolen access
// cookie once inside the implicit-refresh window and keeps the renewed
// cookie. When the victim logs out, which revokes the login's family, the
// renewed token must be refused too, and so must any token renewed from
// it.
func TestImplicitRefreshEscapesLogout(t *testing.T) {
	t.Parallel()
	const window = 5 * time.Minute
	fe := newStoreEnv(t, jwtx.WithFamilies(true))
	a := fe.auth(t, httpx.WithLocations(httpx.FromCookie), httpx.WithImplicitRefresh(fe.Issuer, window))
	mux := familyMux(a, fe.Issuer)
	names := a.Cookies()
	login := fe.Pair(t, "alice")

	// The thief, inside the window, with the stolen access cookie only.
	fe.Clock.Advance(jwtx.DefaultAccessTTL - window + time.Minute)
	rec := testutil.Serve(mux, testutil.CookieRequest(t, http.MethodGet, "/me", login.Access))
	if rec.Code != http.StatusOK {
		t.Fatalf("stolen cookie inside the window: %d %s", rec.Code, rec.Body)
	}
	renewed := testutil.ResponseCookie(t, rec, names.AccessName).Value
	claims, _, err := fe.Verifier.Verify(context.Background(), renewed)
	if err != nil {
		t.Fatalf("the renewed token does not verify: %v", err)
	}
	if diff := cmp.Diff(login.Access.Family, claims.Family); diff != "" {
		t.Errorf("family of the renewed token (-want +got):\n%s", diff)
	}

	// The victim logs out with the cookies of the login.
	rec = testutil.Serve(mux, testutil.CookieRequest(t, http.MethodPost, "/refresh/logout", login.Access, login.Refresh))
	if diff := cmp.Diff(statusAndMsg{http.StatusOK, "logged out"}, statusAndMsgOf(t, rec)); diff != "" {
		t.Fatalf("logout (-want +got):\n%s", diff)
	}

	// The thief's renewed cookie, inside its own window so that it would
	// be renewed again.
	fe.Clock.Advance(jwtx.DefaultAccessTTL - window + time.Minute)
	r := httptest.NewRequest(http.MethodGet, "/me", nil)
	r.AddCookie(&http.Cookie{Name: names.AccessName, Value: renewed})
	rec = testutil.Serve(mux, r)
	if diff := cmp.Diff(statusAndMsg{http.StatusUnauthorized, "token revoked"}, statusAndMsgOf(t, rec)); diff != "" {
		t.Errorf("renewed cookie after the victim's logout (-want +got):\n%s", diff)
	}
	if n := len(rec.Result().Cookies()); n != 0 {
		t.Errorf("a refused request renewed the session: %d cookies set", n)
	}
}

// TestRefreshHandlerEscapesLogout: RefreshHandler without WithRotation
// mints an access token from a refresh token of a family; the victim's
// logout, which revokes the family, must reach it, whether the refresh
// token came from the header (JSON answer) or from the cookie (cookie
// answer).
func TestRefreshHandlerEscapesLogout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		loc  httpx.Location
	}{
		{name: "header", loc: httpx.FromHeader},
		{name: "cookie", loc: httpx.FromCookie},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fe := newStoreEnv(t, jwtx.WithFamilies(true))
			a := fe.auth(t, httpx.WithLocations(httpx.FromHeader, httpx.FromCookie))
			mux := familyMux(a, fe.Issuer)
			names := a.Cookies()
			login := fe.Pair(t, "alice")

			var r *http.Request
			if tc.loc == httpx.FromCookie {
				r = testutil.CookieRequest(t, http.MethodPost, "/refresh", login.Refresh)
			} else {
				r = testutil.BearerRequest(t, http.MethodPost, "/refresh", login.Refresh.Raw)
			}
			rec := testutil.Serve(mux, r)
			if rec.Code != http.StatusOK {
				t.Fatalf("refresh: %d %s", rec.Code, rec.Body)
			}
			var minted string
			if tc.loc == httpx.FromCookie {
				minted = testutil.ResponseCookie(t, rec, names.AccessName).Value
			} else {
				var body struct {
					AccessToken string `json:"access_token"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatalf("refresh body %q: %v", rec.Body, err)
				}
				minted = body.AccessToken
			}
			claims, _, err := fe.Verifier.Verify(context.Background(), minted)
			if err != nil {
				t.Fatalf("the new access token does not verify: %v", err)
			}
			if diff := cmp.Diff(login.Refresh.Family, claims.Family); diff != "" {
				t.Errorf("family of the new access token (-want +got):\n%s", diff)
			}

			rec = testutil.Serve(mux, testutil.CookieRequest(t, http.MethodPost, "/refresh/logout", login.Access, login.Refresh))
			if diff := cmp.Diff(statusAndMsg{http.StatusOK, "logged out"}, statusAndMsgOf(t, rec)); diff != "" {
				t.Fatalf("logout (-want +got):\n%s", diff)
			}
			rec = testutil.Serve(mux, testutil.BearerRequest(t, http.MethodGet, "/me", minted))
			if diff := cmp.Diff(statusAndMsg{http.StatusUnauthorized, "token revoked"}, statusAndMsgOf(t, rec)); diff != "" {
				t.Errorf("new access token after the victim's logout (-want +got):\n%s", diff)
			}
		})
	}
}
