package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// testIterations keeps password hashing cheap in tests; the code is the
// same as with demo.PasswordIterations.
const testIterations = 1000

// loginTime is the fixed time of the tests' clocks.
func loginTime() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC) }

// response is what a test compares: the status and the decoded JSON body.
type response struct {
	Status int
	Body   map[string]any
}

// newTestServer returns the API with a test key and a fixed clock.
func newTestServer(t *testing.T) http.Handler {
	t.Helper()
	users, err := demoUsers(testIterations)
	if err != nil {
		t.Fatalf("demoUsers: %v", err)
	}
	h, err := newServer(testutil.NewKey(t, jwtx.ES256).Private(), testutil.NewClock(loginTime()), users)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	return h
}

// do serves r with h and returns the response. Values that differ on every
// login (the tokens and jti) are replaced by "<name>", so that tests can
// compare bodies as a whole.
func do(t *testing.T, h http.Handler, r *http.Request) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	resp := response{Status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp.Body); err != nil {
		t.Fatalf("%s %s: body %q is not a JSON object: %v", r.Method, r.URL, rec.Body, err)
	}
	for _, k := range []string{"access_token", "reports_token", "jti"} {
		if s, ok := resp.Body[k].(string); ok && s != "" {
			resp.Body[k] = "<" + k + ">"
		}
	}
	return resp
}

func loginRequest(username, password, promo string) *http.Request {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password, "promo": promo})
	return httptest.NewRequest(http.MethodPost, "/login", bytes.NewReader(body))
}

// tokens is a successful login's answer.
type tokens struct {
	Access  string `json:"access_token"`
	Reports string `json:"reports_token"`
}

// mustLogIn logs alice in with promo and returns her tokens.
func mustLogIn(t *testing.T, h http.Handler, promo string) tokens {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, loginRequest("alice", "wonderland", promo))
	var toks tokens
	if err := json.Unmarshal(rec.Body.Bytes(), &toks); rec.Code != http.StatusOK || err != nil || toks.Access == "" || toks.Reports == "" {
		t.Fatalf("login: status %d, body %q", rec.Code, rec.Body)
	}
	return toks
}

func TestLogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  *http.Request
		want response
	}{
		{
			name: "without promo",
			req:  loginRequest("alice", "wonderland", ""),
			want: response{http.StatusOK, map[string]any{
				"access_token": "<access_token>", "reports_token": "<reports_token>", "token_type": "Bearer", "expires_in": 900.0,
			}},
		},
		{
			name: "with promo",
			req:  loginRequest("alice", "wonderland", promoCode),
			want: response{http.StatusOK, map[string]any{
				"access_token": "<access_token>", "reports_token": "<reports_token>", "token_type": "Bearer", "expires_in": 900.0,
			}},
		},
		{
			name: "unknown promo code",
			req:  loginRequest("alice", "wonderland", "FREE-MONEY"),
			want: response{http.StatusBadRequest, map[string]any{"msg": "unknown promo code"}},
		},
		{
			name: "wrong password",
			req:  loginRequest("alice", "looking-glass", promoCode),
			want: response{http.StatusUnauthorized, map[string]any{"msg": "bad username or password"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, do(t, newTestServer(t), tc.req)); diff != "" {
				t.Errorf("POST /login mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The raw claims show how the three sources merge, and the audience
// decides which API accepts a token.
func TestClaims(t *testing.T) {
	t.Parallel()
	now := float64(loginTime().Unix())
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
	invalid := response{http.StatusUnauthorized, map[string]any{"msg": "invalid token"}}
	for _, tc := range []struct {
		name    string
		promo   string
		reports bool   // send the reports token rather than the access token
		path    string // "/claims" on this API, "/reports/claims" on the reports API
		want    response
	}{
		{
			name: "the ClaimsFunc's plan",
			path: "/claims",
			want: response{http.StatusOK, claims(nil)},
		},
		{
			name:  "the per-call plan wins the tie",
			promo: promoCode,
			path:  "/claims",
			want:  response{http.StatusOK, claims(map[string]any{"plan": "trial", "promo": promoCode})},
		},
		{
			name:    "reports token on the reports API",
			promo:   promoCode,
			reports: true,
			path:    "/reports/claims",
			want:    response{http.StatusOK, claims(map[string]any{"plan": "trial", "promo": promoCode, "aud": reportsAudience})},
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
			if diff := cmp.Diff(tc.want, do(t, h, testutil.BearerRequest(t, http.MethodGet, tc.path, tok))); diff != "" {
				t.Errorf("GET %s mismatch (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}
