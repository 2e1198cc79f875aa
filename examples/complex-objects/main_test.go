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

// newTestServer returns the API with a test key and a fixed clock.
func newTestServer(t *testing.T) (http.Handler, *testutil.Clock) {
	return demotest.NewServer(t, jwtx.ES256, demoUsers, newServer)
}

// loginRequest returns POST /login with the credentials.
func loginRequest(username, password string) *http.Request {
	return demotest.LoginRequest(map[string]string{"username": username, "password": password})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  *http.Request
		want demotest.Response
	}{
		{
			name: "alice",
			req:  loginRequest("alice", "wonderland"),
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{"access_token": "<access_token>", "token_type": "Bearer", "expires_in": 900.0}},
		},
		{
			name: "wrong password",
			req:  loginRequest("alice", "looking-glass"),
			want: demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "bad username or password"}},
		},
		{
			name: "unknown user",
			req:  loginRequest("mallory", "wonderland"),
			want: demotest.Response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "bad username or password"}},
		},
		{
			name: "no JSON",
			req:  httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("username=alice")),
			want: demotest.Response{Status: http.StatusBadRequest, Body: map[string]any{"msg": "bad request"}},
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

// GET /me shows what the IdentityFunc and the ClaimsFunc put into the
// token: the user's ID as the subject, not the login name, and the roles.
func TestMe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name               string
		username, password string        // "" for a request without a token
		after              time.Duration // between login and GET /me; tokens live 15 minutes
		want               demotest.Response
	}{
		{
			name:     "alice",
			username: "alice", password: "wonderland",
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{"sub": "u-1001", "roles": []any{"admin", "editor"}}},
		},
		{
			name:     "bob",
			username: "bob", password: "builder",
			want: demotest.Response{Status: http.StatusOK, Body: map[string]any{"sub": "u-1002", "roles": []any{"viewer"}}},
		},
		{
			name:     "a second before expiry",
			username: "bob", password: "builder",
			after: 15*time.Minute - time.Second,
			want:  demotest.Response{Status: http.StatusOK, Body: map[string]any{"sub": "u-1002", "roles": []any{"viewer"}}},
		},
		{
			name:     "at expiry",
			username: "bob", password: "builder",
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
				req = testutil.BearerRequest(t, http.MethodGet, "/me", demotest.AccessToken(t, h, loginRequest(tc.username, tc.password)))
			}
			clock.Advance(tc.after)
			if diff := cmp.Diff(tc.want, demotest.Do(t, h, req)); diff != "" {
				t.Errorf("GET /me mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
