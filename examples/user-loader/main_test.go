package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/examples/internal/demotest"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// newTestServer returns the API with a test key and a fixed clock.
func newTestServer(t *testing.T) http.Handler {
	h, _ := demotest.NewServer(t, jwtx.HS256, demoUsers, newServer)
	return h
}

// loginRequest returns POST /login with the credentials.
func loginRequest(username, password string) *http.Request {
	return demotest.LoginRequest(map[string]string{"username": username, "password": password})
}

// mustLogIn logs in and returns the access token.
func mustLogIn(t *testing.T, h http.Handler, username, password string) string {
	t.Helper()
	return demotest.AccessToken(t, h, loginRequest(username, password))
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
		want         demotest.Response
	}{
		{
			name: "alice is loaded",
			as:   "alice", password: "wonderland",
			method: http.MethodGet, path: "/me",
			want: demotest.Response{Status: http.StatusOK, Body: aliceJSON()},
		},
		{
			name: "bob is loaded",
			as:   "bob", password: "builder",
			method: http.MethodGet, path: "/me",
			want: demotest.Response{Status: http.StatusOK, Body: bobJSON()},
		},
		{
			name:   "no token",
			method: http.MethodGet, path: "/me",
			want: demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "missing token"}},
		},
		{
			name: "admin-only: an admin",
			as:   "alice", password: "wonderland",
			method: http.MethodGet, path: "/admin-only",
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{"msg": "hello, admin alice"}},
		},
		{
			name: "admin-only: not an admin",
			as:   "bob", password: "builder",
			method: http.MethodGet, path: "/admin-only",
			want: demotest.Response{Status: http.StatusForbidden, Body: map[string]any{"msg": "forbidden"}},
		},
		{
			name: "delete: not an admin",
			as:   "bob", password: "builder",
			method: http.MethodDelete, path: "/users/u-1001",
			want: demotest.Response{Status: http.StatusForbidden, Body: map[string]any{"msg": "forbidden"}},
		},
		{
			name: "delete: no such user",
			as:   "alice", password: "wonderland",
			method: http.MethodDelete, path: "/users/u-9999",
			want: demotest.Response{Status: http.StatusNotFound, Body: map[string]any{"msg": "User u-9999 not found"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newTestServer(t)
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.as != "" {
				req = testutil.BearerRequest(t, tc.method, tc.path, mustLogIn(t, h, tc.as, tc.password))
			}
			if diff := cmp.Diff(tc.want, demotest.Do(t, h, req)); diff != "" {
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
	bobMissing := demotest.Response{Status: http.StatusNotFound, Body: map[string]any{"msg": "User u-1002 not found"}}
	for _, step := range []struct {
		name string
		req  *http.Request
		want demotest.Response
	}{
		{
			name: "bob before",
			req:  testutil.BearerRequest(t, http.MethodGet, "/me", bob),
			want: demotest.Response{Status: http.StatusOK, Body: bobJSON()},
		},
		{
			name: "alice deletes bob",
			req:  testutil.BearerRequest(t, http.MethodDelete, "/users/u-1002", alice),
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{"msg": "User u-1002 deleted"}},
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
			want: demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "bad username or password"}},
		},
		{
			name: "alice after",
			req:  testutil.BearerRequest(t, http.MethodGet, "/me", alice),
			want: demotest.Response{Status: http.StatusOK, Body: aliceJSON()},
		},
	} {
		// Not parallel: each step depends on the ones before.
		if diff := cmp.Diff(step.want, demotest.Do(t, h, step.req)); diff != "" {
			t.Errorf("%s: %s %s mismatch (-want +got):\n%s", step.name, step.req.Method, step.req.URL, diff)
		}
	}
}
