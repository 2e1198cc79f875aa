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
func newTestServer(t *testing.T) http.Handler {
	t.Helper()
	users, err := demoUsers(testIterations)
	if err != nil {
		t.Fatalf("demoUsers: %v", err)
	}
	clock := testutil.NewClock(time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
	h, err := newServer(testutil.NewKey(t, jwtx.HS256).Private(), clock, users)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	return h
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

// aliceJSON is alice as GET /me shows her.
func aliceJSON() map[string]any {
	return map[string]any{"id": "u-1001", "name": "alice", "email": "alice@example.test", "roles": []any{"admin", "user"}}
}

// bobJSON is bob as GET /me shows him.
func bobJSON() map[string]any {
	return map[string]any{"id": "u-1002", "name": "bob", "email": "bob@example.test", "roles": []any{"user"}}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		as, password string // who logs in; "" for a request without a token
		method, path string
		want         response
	}{
		{
			name: "alice is loaded",
			as:   "alice", password: "wonderland",
			method: http.MethodGet, path: "/me",
			want: response{http.StatusOK, aliceJSON()},
		},
		{
			name: "bob is loaded",
			as:   "bob", password: "builder",
			method: http.MethodGet, path: "/me",
			want: response{http.StatusOK, bobJSON()},
		},
		{
			name:   "no token",
			method: http.MethodGet, path: "/me",
			want: response{http.StatusUnauthorized, map[string]any{"msg": "missing token"}},
		},
		{
			name: "admin-only: an admin",
			as:   "alice", password: "wonderland",
			method: http.MethodGet, path: "/admin-only",
			want: response{http.StatusOK, map[string]any{"msg": "hello, admin alice"}},
		},
		{
			name: "admin-only: not an admin",
			as:   "bob", password: "builder",
			method: http.MethodGet, path: "/admin-only",
			want: response{http.StatusForbidden, map[string]any{"msg": "forbidden"}},
		},
		{
			name: "delete: not an admin",
			as:   "bob", password: "builder",
			method: http.MethodDelete, path: "/users/u-1001",
			want: response{http.StatusForbidden, map[string]any{"msg": "forbidden"}},
		},
		{
			name: "delete: no such user",
			as:   "alice", password: "wonderland",
			method: http.MethodDelete, path: "/users/u-9999",
			want: response{http.StatusNotFound, map[string]any{"msg": "User u-9999 not found"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newTestServer(t)
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.as != "" {
				req = testutil.BearerRequest(t, tc.method, tc.path, mustLogIn(t, h, tc.as, tc.password))
			}
			if diff := cmp.Diff(tc.want, do(t, h, req)); diff != "" {
				t.Errorf("%s %s mismatch (-want +got):\n%s", tc.method, tc.path, diff)
			}
		})
	}
}

// A deleted user's token is still valid, but names nobody: the custom
// user-lookup error handler answers 404. The steps run in order on one
// server.
func TestDeletedUser(t *testing.T) {
	t.Parallel()
	h := newTestServer(t)
	alice := mustLogIn(t, h, "alice", "wonderland")
	bob := mustLogIn(t, h, "bob", "builder")
	bobMissing := response{http.StatusNotFound, map[string]any{"msg": "User u-1002 not found"}}
	for _, step := range []struct {
		name string
		req  *http.Request
		want response
	}{
		{
			name: "bob before",
			req:  testutil.BearerRequest(t, http.MethodGet, "/me", bob),
			want: response{http.StatusOK, bobJSON()},
		},
		{
			name: "alice deletes bob",
			req:  testutil.BearerRequest(t, http.MethodDelete, "/users/u-1002", alice),
			want: response{http.StatusOK, map[string]any{"msg": "User u-1002 deleted"}},
		},
		{
			name: "bob's token names nobody",
			req:  testutil.BearerRequest(t, http.MethodGet, "/me", bob),
			want: bobMissing,
		},
		{
			name: "on an authorized route too",
			req:  testutil.BearerRequest(t, http.MethodGet, "/admin-only", bob),
			want: bobMissing,
		},
		{
			name: "deleting twice",
			req:  testutil.BearerRequest(t, http.MethodDelete, "/users/u-1002", alice),
			want: bobMissing,
		},
		{
			name: "bob cannot log in",
			req:  loginRequest("bob", "builder"),
			want: response{http.StatusUnauthorized, map[string]any{"msg": "bad username or password"}},
		},
		{
			name: "alice after",
			req:  testutil.BearerRequest(t, http.MethodGet, "/me", alice),
			want: response{http.StatusOK, aliceJSON()},
		},
	} {
		// Not parallel: each step depends on the ones before.
		if diff := cmp.Diff(step.want, do(t, h, step.req)); diff != "" {
			t.Errorf("%s: %s %s mismatch (-want +got):\n%s", step.name, step.req.Method, step.req.URL, diff)
		}
	}
}
