package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
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
func newTestServer(t *testing.T) (http.Handler, *testutil.Clock) {
	t.Helper()
	users, err := demoUsers(testIterations)
	if err != nil {
		t.Fatalf("demoUsers: %v", err)
	}
	clock := testutil.NewClock(loginTime())
	h, err := newServer(testutil.NewKey(t, jwtx.HS256).Private(), clock, users)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	return h, clock
}

// do serves r with h and returns the response. Values that differ on every
// login (the token and jti) are replaced by "<name>", so that tests can
// compare bodies as a whole.
func do(t *testing.T, h http.Handler, r *http.Request) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	resp := response{Status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp.Body); err != nil {
		t.Fatalf("%s %s: body %q is not a JSON object: %v", r.Method, r.URL, rec.Body, err)
	}
	for _, k := range []string{"access_token", "jti"} {
		if s, ok := resp.Body[k].(string); ok && s != "" {
			resp.Body[k] = "<" + k + ">"
		}
	}
	return resp
}

func loginRequest(username, password, device string) *http.Request {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password, "device": device})
	return httptest.NewRequest(http.MethodPost, "/login", bytes.NewReader(body))
}

// mustLogIn logs in and returns the access token.
func mustLogIn(t *testing.T, h http.Handler, username, password, device string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, loginRequest(username, password, device))
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != http.StatusOK || err != nil || body.AccessToken == "" {
		t.Fatalf("login %s: status %d, body %q", username, rec.Code, rec.Body)
	}
	return body.AccessToken
}

func TestLogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  *http.Request
		want response
	}{
		{
			name: "with a device",
			req:  loginRequest("alice", "wonderland", "laptop"),
			want: response{http.StatusOK, map[string]any{"access_token": "<access_token>", "token_type": "Bearer", "expires_in": 900.0}},
		},
		{
			name: "device label too long",
			req:  loginRequest("alice", "wonderland", strings.Repeat("x", maxDevice+1)),
			want: response{http.StatusBadRequest, map[string]any{"msg": "bad request"}},
		},
		{
			name: "wrong password",
			req:  loginRequest("alice", "looking-glass", "laptop"),
			want: response{http.StatusUnauthorized, map[string]any{"msg": "bad username or password"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newTestServer(t)
			if diff := cmp.Diff(tc.want, do(t, h, tc.req)); diff != "" {
				t.Errorf("POST /login mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// GET /me is served by a handler that takes Claims and User as arguments.
func TestMe(t *testing.T) {
	t.Parallel()
	alice := map[string]any{"sub": "u-1001", "name": "alice", "email": "alice@example.test", "roles": []any{"admin", "user"}}
	for _, tc := range []struct {
		name               string
		username, password string        // "" for a request without a token
		after              time.Duration // between login and GET /me; tokens live 15 minutes
		want               response
	}{
		{
			name:     "alice",
			username: "alice", password: "wonderland",
			want: response{http.StatusOK, alice},
		},
		{
			name:     "bob",
			username: "bob", password: "builder",
			want: response{http.StatusOK, map[string]any{"sub": "u-1002", "name": "bob", "email": "bob@example.test", "roles": []any{"user"}}},
		},
		{
			name:     "a second before expiry",
			username: "alice", password: "wonderland",
			after: 15*time.Minute - time.Second,
			want:  response{http.StatusOK, alice},
		},
		{
			name:     "at expiry",
			username: "alice", password: "wonderland",
			after: 15 * time.Minute,
			want:  response{http.StatusUnauthorized, map[string]any{"msg": "token expired"}},
		},
		{
			name: "no token",
			want: response{http.StatusUnauthorized, map[string]any{"msg": "missing token"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, clock := newTestServer(t)
			req := httptest.NewRequest(http.MethodGet, "/me", nil)
			if tc.username != "" {
				req = testutil.BearerRequest(t, http.MethodGet, "/me", mustLogIn(t, h, tc.username, tc.password, "laptop"))
			}
			clock.Advance(tc.after)
			if diff := cmp.Diff(tc.want, do(t, h, req)); diff != "" {
				t.Errorf("GET /me mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// GET /raw shows every claim, device included, which Claims does not
// declare.
func TestRaw(t *testing.T) {
	t.Parallel()
	now := float64(loginTime().Unix())
	for _, tc := range []struct {
		name   string
		device string // "" to log in without one
		want   response
	}{
		{
			name:   "with a device",
			device: "laptop",
			want: response{http.StatusOK, map[string]any{
				"sub": "u-1001", "type": "access", "fresh": false, "jti": "<jti>",
				"iat": now, "nbf": now, "exp": now + 900,
				"roles":  []any{"admin", "user"},
				"device": "laptop",
			}},
		},
		{
			name: "without",
			want: response{http.StatusOK, map[string]any{
				"sub": "u-1001", "type": "access", "fresh": false, "jti": "<jti>",
				"iat": now, "nbf": now, "exp": now + 900,
				"roles": []any{"admin", "user"},
			}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newTestServer(t)
			tok := mustLogIn(t, h, "alice", "wonderland", tc.device)
			if diff := cmp.Diff(tc.want, do(t, h, testutil.BearerRequest(t, http.MethodGet, "/raw", tok))); diff != "" {
				t.Errorf("GET /raw mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
