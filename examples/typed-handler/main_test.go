package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/examples/internal/demotest"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// newTestServer returns the API with a test key and a clock fixed at
// demotest.LoginTime.
func newTestServer(t *testing.T) (http.Handler, *testutil.Clock) {
	return demotest.NewServer(t, jwtx.HS256, demoUsers, newServer)
}

// loginRequest returns POST /login with the credentials and the device
// label.
func loginRequest(username, password, device string) *http.Request {
	return demotest.LoginRequest(map[string]string{"username": username, "password": password, "device": device})
}

// mustLogIn logs in and returns the access token.
func mustLogIn(t *testing.T, h http.Handler, username, password, device string) string {
	t.Helper()
	return demotest.AccessToken(t, h, loginRequest(username, password, device))
}

func TestLogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  *http.Request
		want demotest.Response
	}{
		{
			name: "with a device",
			req:  loginRequest("alice", "wonderland", "laptop"),
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{"access_token": "<access_token>", "token_type": "Bearer", "expires_in": 900.0}},
		},
		{
			name: "device label too long",
			req:  loginRequest("alice", "wonderland", strings.Repeat("x", maxDevice+1)),
			want: demotest.Response{Status: http.StatusBadRequest, Body: map[string]any{"msg": "bad request"}},
		},
		{
			// The label is checked first, so the answer says nothing of the password.
			name: "device label too long, wrong password",
			req:  loginRequest("alice", "looking-glass", strings.Repeat("x", maxDevice+1)),
			want: demotest.Response{Status: http.StatusBadRequest, Body: map[string]any{"msg": "bad request"}},
		},
		{
			name: "wrong password",
			req:  loginRequest("alice", "looking-glass", "laptop"),
			want: demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "bad username or password"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newTestServer(t)
			if diff := cmp.Diff(tc.want, demotest.Do(t, h, tc.req)); diff != "" {
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
		want               demotest.Response
	}{
		{
			name:     "alice",
			username: "alice", password: "wonderland",
			want: demotest.Response{Status: http.StatusOK, Body: alice},
		},
		{
			name:     "bob",
			username: "bob", password: "builder",
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{"sub": "u-1002", "name": "bob", "email": "bob@example.test", "roles": []any{"user"}}},
		},
		{
			name:     "a second before expiry",
			username: "alice", password: "wonderland",
			after: 15*time.Minute - time.Second,
			want:  demotest.Response{Status: http.StatusOK, Body: alice},
		},
		{
			name:     "at expiry",
			username: "alice", password: "wonderland",
			after: 15 * time.Minute,
			want:  demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "token expired"}},
		},
		{
			name: "no token",
			want: demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "missing token"}},
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
			if diff := cmp.Diff(tc.want, demotest.Do(t, h, req)); diff != "" {
				t.Errorf("GET /me mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// GET /raw shows every claim, device included, which Claims does not
// declare.
func TestRaw(t *testing.T) {
	t.Parallel()
	now := float64(demotest.LoginTime().Unix())
	for _, tc := range []struct {
		name   string
		device string // "" to log in without one
		want   demotest.Response
	}{
		{
			name:   "with a device",
			device: "laptop",
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{
				"sub": "u-1001", "type": "access", "fresh": false, "jti": "<jti>",
				"iat": now, "nbf": now, "exp": now + 900,
				"roles":  []any{"admin", "user"},
				"device": "laptop",
			}},
		},
		{
			name: "without",
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{
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
			if diff := cmp.Diff(tc.want, demotest.Do(t, h, testutil.BearerRequest(t, http.MethodGet, "/raw", tok))); diff != "" {
				t.Errorf("GET /raw mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
