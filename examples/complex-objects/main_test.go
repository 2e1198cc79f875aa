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

// response is what a test compares: the status and the decoded JSON body.
type response struct {
	Status int
	Body   map[string]any
}

// newTestServer returns the API with a test key and a fixed clock.
func newTestServer(t *testing.T) (http.Handler, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
	users, err := demoUsers(testIterations)
	if err != nil {
		t.Fatalf("demoUsers: %v", err)
	}
	h, err := newServer(testutil.NewKey(t, jwtx.ES256).Private(), clock, users)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	return h, clock
}

// do serves r with h and returns the response. A token in the body is
// replaced by "<token>", so that tests can compare bodies as a whole.
func do(t *testing.T, h http.Handler, r *http.Request) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	resp := response{Status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp.Body); err != nil {
		t.Fatalf("%s %s: body %q is not a JSON object: %v", r.Method, r.URL, rec.Body, err)
	}
	if tok, ok := resp.Body["access_token"].(string); ok && tok != "" {
		resp.Body["access_token"] = "<token>"
	}
	return resp
}

func loginRequest(username, password string) *http.Request {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return httptest.NewRequest(http.MethodPost, "/login", bytes.NewReader(body))
}

// mustLogIn logs in and returns the access token.
func mustLogIn(t *testing.T, h http.Handler, username, password string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, loginRequest(username, password))
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
			name: "alice",
			req:  loginRequest("alice", "wonderland"),
			want: response{http.StatusOK, map[string]any{"access_token": "<token>", "token_type": "Bearer", "expires_in": 900.0}},
		},
		{
			name: "wrong password",
			req:  loginRequest("alice", "looking-glass"),
			want: response{http.StatusUnauthorized, map[string]any{"msg": "bad username or password"}},
		},
		{
			name: "unknown user",
			req:  loginRequest("mallory", "wonderland"),
			want: response{http.StatusUnauthorized, map[string]any{"msg": "bad username or password"}},
		},
		{
			name: "no JSON",
			req:  httptest.NewRequest(http.MethodPost, "/login", bytes.NewReader([]byte("username=alice"))),
			want: response{http.StatusBadRequest, map[string]any{"msg": "bad request"}},
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

// GET /me shows what the IdentityFunc and the ClaimsFunc put into the
// token: the user's ID as the subject, not the login name, and the roles.
func TestMe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name               string
		username, password string        // "" for a request without a token
		after              time.Duration // between login and GET /me; tokens live 15 minutes
		want               response
	}{
		{
			name:     "alice",
			username: "alice", password: "wonderland",
			want: response{http.StatusOK, map[string]any{"sub": "u-1001", "roles": []any{"admin", "editor"}}},
		},
		{
			name:     "bob",
			username: "bob", password: "builder",
			want: response{http.StatusOK, map[string]any{"sub": "u-1002", "roles": []any{"viewer"}}},
		},
		{
			name:     "a second before expiry",
			username: "bob", password: "builder",
			after: 15*time.Minute - time.Second,
			want:  response{http.StatusOK, map[string]any{"sub": "u-1002", "roles": []any{"viewer"}}},
		},
		{
			name:     "at expiry",
			username: "bob", password: "builder",
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
				req = testutil.BearerRequest(t, http.MethodGet, "/me", mustLogIn(t, h, tc.username, tc.password))
			}
			clock.Advance(tc.after)
			if diff := cmp.Diff(tc.want, do(t, h, req)); diff != "" {
				t.Errorf("GET /me mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
