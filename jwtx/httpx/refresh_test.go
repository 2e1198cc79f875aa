package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// refreshResponse is the JSON answer of RefreshHandler.
type refreshResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

func TestRefreshHandlerJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     []httpx.Option
		issue    []jwtx.IssueOption // for the refresh token
		request  func(tok string) []reqOption
		body     func(tok string) string
		wantCSRF bool // the new access token carries a csrf claim
	}{
		{name: "header", request: func(tok string) []reqOption { return []reqOption{bearer(tok)} }, wantCSRF: true},
		{name: "header, token without csrf", issue: []jwtx.IssueOption{jwtx.WithTokenCSRF(false)}, request: func(tok string) []reqOption { return []reqOption{bearer(tok)} }},
		{
			name:    "body",
			opts:    []httpx.Option{httpx.WithLocations(httpx.FromBody)},
			request: func(string) []reqOption { return []reqOption{header("Content-Type", "application/json")} },
			body:    func(tok string) string { return `{"refresh_token":"` + tok + `"}` }, wantCSRF: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			refresh := e.refresh(t, "alice", tc.issue...)
			e.Clock.Advance(time.Hour)
			mux := http.NewServeMux()
			mux.Handle("POST /refresh", e.Auth(t, tc.opts...).RefreshHandler(e.Issuer))
			var body string
			if tc.body != nil {
				body = tc.body(refresh.Raw)
			}
			rec := testutil.Serve(mux, newRequest(http.MethodPost, "/refresh", strings.NewReader(body), tc.request(refresh.Raw)...))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200; body %s", rec.Code, rec.Body)
			}
			var got refreshResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %s: %v", rec.Body, err)
			}
			want := refreshResponse{TokenType: "Bearer", ExpiresIn: int(jwtx.DefaultAccessTTL / time.Second)}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(refreshResponse{}, "AccessToken")); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Errorf("a JSON refresh set cookies: %v", rec.Result().Cookies())
			}
			claims, user, err := e.Verifier.Verify(context.Background(), got.AccessToken)
			if err != nil {
				t.Fatalf("the new access token does not verify: %v", err)
			}
			if claims.Subject != "alice" || user.Name != "Alice" || claims.Fresh.At(e.Clock.Now()) || !claims.IssuedAt.Equal(e.Clock.Now()) {
				t.Errorf("new access token: sub %q user %q fresh %v iat %v; want alice, Alice, not fresh, now",
					claims.Subject, user.Name, claims.Fresh.At(e.Clock.Now()), claims.IssuedAt)
			}
			if (claims.CSRF != "") != tc.wantCSRF {
				t.Errorf("new access token csrf claim %q, want one: %v", claims.CSRF, tc.wantCSRF)
			}
		})
	}
}

func TestRefreshHandlerRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		token  tokenFunc
		cookie bool // in the refresh cookie, else the header
		csrf   bool // with the token's CSRF value
		after  time.Duration
		want   result
	}{
		{name: "no token", token: noToken, want: refusedMissing()},
		{name: "access token", token: accessFor("alice", jwtx.AsFresh(true)), want: refusedToken("wrong token type")},
		{name: "access token in the refresh cookie", token: accessFor("alice"), cookie: true, csrf: true, want: refusedToken("wrong token type")},
		{name: "expired", token: refreshFor("alice"), after: jwtx.DefaultRefreshTTL, want: refusedToken("token expired")},
		{name: "forged", token: func(tb testing.TB, e *appEnv) string { return e.attacker(tb, "k1").refresh(tb, "alice").Raw }, want: refusedToken("invalid token")},
		{name: "unknown user", token: refreshFor(ghostSubject), want: refusedToken("user not found")},
		{name: "user store fails", token: refreshFor(brokenSubject), want: refusedInternal()},
		{name: "cookie without CSRF", token: refreshFor("alice"), cookie: true, want: refusedCSRF()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := tc.token(t, e)
			e.Clock.Advance(tc.after)
			var opts []reqOption
			switch {
			case tok == "":
			case tc.cookie:
				opts = append(opts, cookie(refreshCookie, tok))
			default:
				opts = append(opts, bearer(tok))
			}
			if tc.csrf {
				var c struct {
					CSRF string `json:"csrf"`
				}
				if err := json.Unmarshal(testutil.Payload(t, tok), &c); err != nil {
					t.Fatal(err)
				}
				opts = append(opts, header("X-CSRF-Token", c.CSRF))
			}
			mux := http.NewServeMux()
			mux.Handle("POST /refresh", e.Auth(t, httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)).RefreshHandler(e.Issuer))
			rec := testutil.Serve(mux, newRequest(http.MethodPost, "/refresh", nil, opts...))
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Errorf("a refused refresh set cookies: %v", rec.Result().Cookies())
			}
			if tok != "" {
				checkNoLeak(t, rec, tok)
			}
		})
	}
}

func TestRefreshHandlerCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	refresh := e.refresh(t, "alice")
	e.Clock.Advance(time.Hour)
	mux := http.NewServeMux()
	mux.Handle("POST /refresh", e.Auth(t, httpx.WithLocations(httpx.FromCookie)).RefreshHandler(e.Issuer))
	rec := testutil.Serve(mux, newRequest(http.MethodPost, "/refresh", nil, cookie(refreshCookie, refresh.Raw), header("X-CSRF-Token", refresh.CSRF)))
	if diff := cmp.Diff(result{Status: http.StatusOK, Body: msg("refreshed")}, resultOf(t, rec.Result())); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	cookies := rec.Result().Cookies()
	if diff := cmp.Diff(secureCookies()[:2], attrsOf(cookies), byName()); diff != "" {
		t.Errorf("Set-Cookie (-want +got):\n%s", diff)
	}
	values := valuesOf(cookies)
	claims, _, err := e.Verifier.Verify(context.Background(), values[accessCookie])
	if err != nil {
		t.Fatalf("the access cookie does not verify: %v", err)
	}
	if claims.Subject != "alice" || claims.CSRF == "" || claims.CSRF != values[accessCSRFCookie] {
		t.Errorf("access cookie: sub %q, csrf %q, CSRF cookie %q", claims.Subject, claims.CSRF, values[accessCSRFCookie])
	}
	if strings.Contains(rec.Body.String(), values[accessCookie]) {
		t.Errorf("a cookie refresh put the token in the body")
	}
}

func TestImplicitRefresh(t *testing.T) {
	t.Parallel()
	const window = 5 * time.Minute
	ttl := jwtx.DefaultAccessTTL
	for _, tc := range []struct {
		name      string
		method    string
		path      string
		inCookie  bool
		refresh   bool // a refresh token
		after     time.Duration
		wantRenew bool
	}{
		{name: "cookie, inside the window", method: http.MethodGet, path: "/me", inCookie: true, after: ttl - window + time.Second, wantRenew: true},
		{name: "cookie, at the window", method: http.MethodGet, path: "/me", inCookie: true, after: ttl - window, wantRenew: true},
		{name: "cookie, a second before the window", method: http.MethodGet, path: "/me", inCookie: true, after: ttl - window - time.Second},
		{name: "cookie, just issued", method: http.MethodGet, path: "/me", inCookie: true},
		{name: "cookie, POST with CSRF", method: http.MethodPost, path: "/me", inCookie: true, after: ttl - time.Second, wantRenew: true},
		{name: "header, inside the window", method: http.MethodGet, path: "/me", after: ttl - time.Second},
		{name: "refresh cookie", method: http.MethodGet, path: "/refresh-only", inCookie: true, refresh: true, after: jwtx.DefaultRefreshTTL - time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := e.access(t, "alice", jwtx.AsFresh(true))
			name, csrfName := accessCookie, accessCSRFCookie
			if tc.refresh {
				tok, name, csrfName = e.refresh(t, "alice"), refreshCookie, refreshCSRFCookie
			}
			e.Clock.Advance(tc.after)
			a := e.Auth(t, httpx.WithLocations(httpx.FromCookie, httpx.FromHeader), httpx.WithImplicitRefresh(e.Issuer, window))
			var handlerJTI string
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, _ := jwtx.From[Claims](r.Context())
				handlerJTI = c.ID
				whoami(w, r)
			})
			mux := http.NewServeMux()
			mux.Handle("/me", a.Required(h))
			mux.Handle("/refresh-only", a.RequireRefresh(h))
			opts := []reqOption{bearer(tok.Raw)}
			if tc.inCookie {
				opts = []reqOption{cookie(name, tok.Raw), header("X-CSRF-Token", tok.CSRF), cookie(csrfName, tok.CSRF)}
			}
			rec := testutil.Serve(mux, newRequest(tc.method, tc.path, nil, opts...))
			if diff := cmp.Diff(okAs("alice", "Alice"), resultOf(t, rec.Result())); diff != "" {
				t.Fatalf("response (-want +got):\n%s", diff)
			}
			if handlerJTI != tok.ID {
				t.Errorf("handler saw jti %q, want the presented token's %q", handlerJTI, tok.ID)
			}
			cookies := rec.Result().Cookies()
			if !tc.wantRenew {
				if len(cookies) != 0 {
					t.Errorf("Set-Cookie %v, want none", attrsOf(cookies))
				}
				return
			}
			if diff := cmp.Diff(secureCookies()[:2], attrsOf(cookies), byName()); diff != "" {
				t.Errorf("Set-Cookie (-want +got):\n%s", diff)
			}
			values := valuesOf(cookies)
			claims, _, err := e.Verifier.Verify(context.Background(), values[accessCookie])
			if err != nil {
				t.Fatalf("the renewed token does not verify: %v", err)
			}
			now := e.Clock.Now()
			if claims.Subject != "alice" || claims.ID == tok.ID || !claims.ExpiresAt.Equal(now.Add(ttl)) || claims.Fresh.At(now) {
				t.Errorf("renewed token: sub %q jti %q exp %v fresh %v; want alice, a new jti, %v, not fresh",
					claims.Subject, claims.ID, claims.ExpiresAt, claims.Fresh.At(now), now.Add(ttl))
			}
			if claims.CSRF == "" || claims.CSRF != values[accessCSRFCookie] {
				t.Errorf("renewed token csrf %q, CSRF cookie %q", claims.CSRF, values[accessCSRFCookie])
			}
		})
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		noRevoker   bool
		revokeErr   error
		checkErr    error // the store cannot tell whether a token is revoked
		request     func(access, refresh jwtx.Token) []reqOption
		want        result
		wantRevoked []string // "access", "refresh"
	}{
		{
			name:    "header access token",
			request: func(a, _ jwtx.Token) []reqOption { return []reqOption{bearer(a.Raw)} },
			want:    result{Status: http.StatusOK, Body: msg("logged out")}, wantRevoked: []string{"access"},
		},
		{
			name:    "header refresh token",
			request: func(_, r jwtx.Token) []reqOption { return []reqOption{bearer(r.Raw)} },
			want:    result{Status: http.StatusOK, Body: msg("logged out")}, wantRevoked: []string{"refresh"},
		},
		{
			name: "cookie with CSRF",
			request: func(a, _ jwtx.Token) []reqOption {
				return []reqOption{cookie(accessCookie, a.Raw), header("X-CSRF-Token", a.CSRF)}
			},
			want: result{Status: http.StatusOK, Body: msg("logged out")}, wantRevoked: []string{"access"},
		},
		{
			name:    "cookie without CSRF",
			request: func(a, _ jwtx.Token) []reqOption { return []reqOption{cookie(accessCookie, a.Raw)} },
			want:    refusedCSRF(),
		},
		{
			name: "cookie with another session's CSRF",
			request: func(a, r jwtx.Token) []reqOption {
				return []reqOption{cookie(accessCookie, a.Raw), header("X-CSRF-Token", r.CSRF)}
			},
			want: refusedCSRF(),
		},
		{
			name:    "no token",
			request: func(jwtx.Token, jwtx.Token) []reqOption { return nil },
			want:    result{Status: http.StatusOK, Body: msg("logged out")},
		},
		{
			name:    "forged token is left alone",
			request: func(jwtx.Token, jwtx.Token) []reqOption { return []reqOption{bearer("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")} },
			want:    result{Status: http.StatusOK, Body: msg("logged out")},
		},
		{
			name:      "without revoker",
			noRevoker: true,
			request:   func(a, _ jwtx.Token) []reqOption { return []reqOption{bearer(a.Raw)} },
			want:      result{Status: http.StatusOK, Body: msg("logged out")},
		},
		{
			// Logout must not report success when it could not revoke:
			// the token stays valid once the store is back.
			name:     "revocation store down",
			checkErr: errors.New("redis: connection refused"),
			request:  func(a, _ jwtx.Token) []reqOption { return []reqOption{bearer(a.Raw)} },
			want:     result{Status: http.StatusServiceUnavailable, Body: msg("try again later")},
		},
		{
			name:      "revoker fails",
			revokeErr: errors.New("redis: " + loaderFailure),
			request:   func(a, _ jwtx.Token) []reqOption { return []reqOption{bearer(a.Raw)} },
			want:      refusedUnavailable(),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := newMemStore()
			store.revokeErr = tc.revokeErr
			e := newEnv(t, jwtx.WithRevocation(store))
			opts := []httpx.Option{httpx.WithLocations(httpx.FromHeader, httpx.FromCookie)}
			if !tc.noRevoker {
				opts = append(opts, httpx.WithRevoker(store))
			}
			a := e.Auth(t, opts...)
			mux := http.NewServeMux()
			mux.Handle("POST /logout", a.LogoutHandler())
			mux.Handle("GET /me", a.Required(http.HandlerFunc(whoami)))
			mux.Handle("POST /refresh", a.RefreshHandler(e.Issuer))
			access, refresh := e.access(t, "alice"), e.refresh(t, "alice")

			store.checkErr = tc.checkErr
			rec := testutil.Serve(mux, newRequest(http.MethodPost, "/logout", nil, tc.request(access, refresh)...))
			store.checkErr = nil
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("logout (-want +got):\n%s", diff)
			}
			if strings.Contains(rec.Body.String(), "redis") {
				t.Errorf("logout body %q carries the store's error", rec.Body)
			}
			var revoked []string
			if store.has(access.ID) {
				revoked = append(revoked, "access")
			}
			if store.has(refresh.ID) {
				revoked = append(revoked, "refresh")
			}
			if diff := cmp.Diff(tc.wantRevoked, revoked); diff != "" {
				t.Errorf("revoked tokens (-want +got):\n%s", diff)
			}

			// The old tokens, presented in the header, are refused once
			// revoked and still work otherwise.
			wantAccess := okAs("alice", "Alice")
			if store.has(access.ID) {
				wantAccess = refusedToken("token revoked")
			}
			if diff := cmp.Diff(wantAccess, do(t, mux, newRequest(http.MethodGet, "/me", nil, bearer(access.Raw)))); diff != "" {
				t.Errorf("access token after logout (-want +got):\n%s", diff)
			}
			if store.has(refresh.ID) {
				if diff := cmp.Diff(refusedToken("token revoked"), do(t, mux, newRequest(http.MethodPost, "/refresh", nil, bearer(refresh.Raw)))); diff != "" {
					t.Errorf("refresh token after logout (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestLogoutCookies: logout deletes the cookies it was asked to, whatever
// the token.
func TestLogoutCookies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.Auth(t, httpx.WithLocations(httpx.FromCookie))
	access := e.access(t, "alice")
	rec := testutil.Serve(a.LogoutHandler(), newRequest(http.MethodPost, "/logout", nil, cookie(accessCookie, access.Raw), header("X-CSRF-Token", access.CSRF)))
	if diff := cmp.Diff(result{Status: http.StatusOK, Body: msg("logged out")}, resultOf(t, rec.Result())); diff != "" {
		t.Errorf("logout (-want +got):\n%s", diff)
	}
	deleted := secureCookies()
	for i := range deleted {
		deleted[i].MaxAge = -1
	}
	if diff := cmp.Diff(deleted, attrsOf(rec.Result().Cookies()), byName()); diff != "" {
		t.Errorf("Set-Cookie (-want +got):\n%s", diff)
	}
}

// TestCookieLogoutRevokesBoth: a browser session logs out at a path under
// the refresh cookie's, so it presents both cookies and the one CSRF value
// the page has (the access token's). Logout must succeed and revoke both
// tokens (C9.4): the refresh token must not outlive the session.
func TestCookieLogoutRevokesBoth(t *testing.T) {
	t.Parallel()
	store := newMemStore()
	e := newEnv(t, jwtx.WithRevocation(store))
	a := e.Auth(t, httpx.WithLocations(httpx.FromCookie), httpx.WithRevoker(store))
	mux := http.NewServeMux()
	mux.Handle("POST /refresh/logout", a.LogoutHandler())
	access, refresh := e.access(t, "alice"), e.refresh(t, "alice")
	res := do(t, mux, newRequest(http.MethodPost, "/refresh/logout", nil,
		cookie(accessCookie, access.Raw), cookie(refreshCookie, refresh.Raw), header("X-CSRF-Token", access.CSRF)))
	if diff := cmp.Diff(result{Status: http.StatusOK, Body: msg("logged out")}, res); diff != "" {
		t.Errorf("logout (-want +got):\n%s", diff)
	}
	got := map[string]bool{"access": store.has(access.ID), "refresh": store.has(refresh.ID)}
	if diff := cmp.Diff(map[string]bool{"access": true, "refresh": true}, got); diff != "" {
		t.Errorf("revoked (-want +got):\n%s", diff)
	}
}

func TestRefreshFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		implicit bool // implicit refresh of an access cookie, else RefreshHandler
		lazy     bool
		sub      string
		failing  bool // the Issuer fails
		want     result
	}{
		{name: "handler, issuer fails", sub: "alice", failing: true, want: refusedInternal()},
		{name: "handler, lazy, user store fails", lazy: true, sub: brokenSubject, want: refusedInternal()},
		{name: "implicit, issuer fails", implicit: true, sub: "alice", failing: true, want: refusedInternal()},
		{name: "implicit, lazy, unknown user", implicit: true, lazy: true, sub: ghostSubject, want: refusedToken("user not found")},
		{name: "implicit, lazy, user store fails", implicit: true, lazy: true, sub: brokenSubject, want: refusedInternal()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			iss := e.Issuer
			if tc.failing {
				iss = e.failingIssuer(t)
			}
			opts := []httpx.Option{httpx.WithLazyUser(tc.lazy), httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)}
			var r *http.Request
			var tok jwtx.Token
			if tc.implicit {
				tok = e.access(t, tc.sub)
				opts = append(opts, httpx.WithImplicitRefresh(iss, time.Hour))
				r = newRequest(http.MethodGet, "/me", nil, cookie(accessCookie, tok.Raw))
			} else {
				tok = e.refresh(t, tc.sub)
				r = newRequest(http.MethodPost, "/refresh", nil, bearer(tok.Raw))
			}
			a := e.Auth(t, opts...)
			mux := http.NewServeMux()
			mux.Handle("GET /me", a.Required(http.HandlerFunc(whoami)))
			mux.Handle("POST /refresh", a.RefreshHandler(iss))
			rec := testutil.Serve(mux, r)
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Errorf("a failed refresh set cookies: %v", attrsOf(rec.Result().Cookies()))
			}
			if strings.Contains(rec.Body.String(), loaderFailure) {
				t.Errorf("body %q carries the error text", rec.Body)
			}
			checkNoLeak(t, rec, tok.Raw)
		})
	}
}
