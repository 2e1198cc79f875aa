package main

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/examples/internal/demotest"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// newTestServer returns the API with a test key and a clock fixed at
// demotest.LoginTime.
func newTestServer(t *testing.T) http.Handler {
	h, _ := demotest.NewServer(t, jwtx.ES256, demoUsers, newServer)
	return h
}

// loginRequest returns POST /login with the credentials and the promotion
// code.
func loginRequest(username, password, promo string) *http.Request {
	return demotest.LoginRequest(map[string]string{"username": username, "password": password, "promo": promo})
}

// tokens is a successful login's answer.
type tokens struct {
	Access  string `json:"access_token"`
	Reports string `json:"reports_token"`
}

// mustLogIn logs alice in with promo and returns her tokens.
func mustLogIn(t *testing.T, h http.Handler, promo string) tokens {
	t.Helper()
	var toks tokens
	demotest.LogIn(t, h, loginRequest("alice", "wonderland", promo), &toks)
	if toks.Access == "" || toks.Reports == "" {
		t.Fatalf("login: access_token or reports_token missing")
	}
	return toks
}

func TestLogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  *http.Request
		want demotest.Response
	}{
		{
			name: "without promo",
			req:  loginRequest("alice", "wonderland", ""),
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{
				"access_token": "<access_token>", "reports_token": "<reports_token>", "token_type": "Bearer", "expires_in": 900.0,
			}},
		},
		{
			name: "with promo",
			req:  loginRequest("alice", "wonderland", promoCode),
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{
				"access_token": "<access_token>", "reports_token": "<reports_token>", "token_type": "Bearer", "expires_in": 900.0,
			}},
		},
		{
			name: "unknown promo code",
			req:  loginRequest("alice", "wonderland", "FREE-MONEY"),
			want: demotest.Response{Status: http.StatusBadRequest, Body: map[string]any{"msg": "unknown promo code"}},
		},
		{
			// The promo code is checked after the password, for users only.
			name: "unknown promo code, wrong password",
			req:  loginRequest("alice", "looking-glass", "FREE-MONEY"),
			want: demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "bad username or password"}},
		},
		{
			name: "wrong password",
			req:  loginRequest("alice", "looking-glass", promoCode),
			want: demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "bad username or password"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, demotest.Do(t, newTestServer(t), tc.req)); diff != "" {
				t.Errorf("POST /login mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The raw claims show how the three sources merge, and the audience
// decides which API accepts a token.
func TestClaims(t *testing.T) {
	t.Parallel()
	now := float64(demotest.LoginTime().Unix())
	// claims returns the raw claims of alice's token with the given extras.
	claims := func(extra map[string]any) map[string]any {
		m := map[string]any{
			"iss": issuerName, "sub": "u-1001", "type": "access", "fresh": false, "jti": "<jti>",
			"iat": now, "nbf": now, "exp": now + 900,
			"org": "acme", "plan": "free", // the ClaimsFunc
			"amr": []any{"pwd"}, // Modify
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	invalid := demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "invalid token"}}
	for _, tc := range []struct {
		name    string
		promo   string
		reports bool   // send the reports token rather than the access token
		path    string // "/claims" on this API, "/reports/claims" on the reports API
		want    demotest.Response
	}{
		{
			name: "the ClaimsFunc's plan",
			path: "/claims",
			want: demotest.Response{Status: http.StatusOK, Body: claims(nil)},
		},
		{
			name:  "the per-call plan wins the tie",
			promo: promoCode,
			path:  "/claims",
			want:  demotest.Response{Status: http.StatusOK, Body: claims(map[string]any{"plan": "trial", "promo": promoCode})},
		},
		{
			name:    "reports token on the reports API",
			promo:   promoCode,
			reports: true,
			path:    "/reports/claims",
			want:    demotest.Response{Status: http.StatusOK, Body: claims(map[string]any{"plan": "trial", "promo": promoCode, "aud": reportsAudience})},
		},
		{
			name:    "reports token on this API",
			reports: true,
			path:    "/claims",
			want:    invalid,
		},
		{
			name: "access token on the reports API",
			path: "/reports/claims",
			want: invalid,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newTestServer(t)
			toks := mustLogIn(t, h, tc.promo)
			tok := toks.Access
			if tc.reports {
				tok = toks.Reports
			}
			if diff := cmp.Diff(tc.want, demotest.Do(t, h, testutil.BearerRequest(t, http.MethodGet, tc.path, tok))); diff != "" {
				t.Errorf("GET %s mismatch (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}
