package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// response is what a test asserts about an answer.
type response struct {
	Status          int
	WWWAuthenticate string
	Body            map[string]any
}

// do sends r to app through fiber's in-memory test connection.
func do(t *testing.T, app *fiber.App, r *http.Request) response {
	t.Helper()
	resp, err := app.Test(r, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	res := response{Status: resp.StatusCode, WWWAuthenticate: resp.Header.Get("WWW-Authenticate")}
	if err := json.Unmarshal(b, &res.Body); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return res
}

// TestAPI logs in and calls every route through the adaptor: the guards'
// answers reach the client, and the fiber handlers read the typed claims
// and user.
func TestAPI(t *testing.T) {
	t.Parallel()
	invalid := func(desc string) response {
		return response{
			Status:          http.StatusUnauthorized,
			WWWAuthenticate: `Bearer realm="api", error="invalid_token", error_description="` + desc + `"`,
			Body:            map[string]any{"msg": desc},
		}
	}
	missing := response{Status: http.StatusUnauthorized, WWWAuthenticate: `Bearer realm="api"`, Body: map[string]any{"msg": "missing token"}}
	for _, tc := range []struct {
		name  string
		path  string
		login string        // "" for no token, "forged" for a token of another key
		after time.Duration // between login and the call; tokens live 15 minutes
		want  response
	}{
		{name: "me", path: "/me", login: "alice", want: response{Status: http.StatusOK, Body: map[string]any{"sub": "u-1001", "name": "alice", "roles": []any{"admin", "editor"}}}},
		{name: "me, a second before expiry", path: "/me", login: "bob", after: 15*time.Minute - time.Second, want: response{Status: http.StatusOK, Body: map[string]any{"sub": "u-1002", "name": "bob", "roles": []any{"viewer"}}}},
		{name: "me, at expiry", path: "/me", login: "bob", after: 15 * time.Minute, want: invalid("token expired")},
		{name: "me, no token", path: "/me", want: missing},
		{name: "me, forged", path: "/me", login: "forged", want: invalid("invalid token")},
		{name: "feed, no token", path: "/feed", want: response{Status: http.StatusOK, Body: map[string]any{"feed": "public"}}},
		{name: "feed", path: "/feed", login: "bob", want: response{Status: http.StatusOK, Body: map[string]any{"feed": "for u-1002"}}},
		{name: "feed, expired", path: "/feed", login: "bob", after: time.Hour, want: invalid("token expired")},
		{name: "admin", path: "/admin", login: "alice", want: response{Status: http.StatusOK, Body: map[string]any{"admin": "alice"}}},
		{name: "admin, not an admin", path: "/admin", login: "bob", want: response{
			Status:          http.StatusForbidden,
			WWWAuthenticate: `Bearer realm="api", error="insufficient_scope", error_description="forbidden"`,
			Body:            map[string]any{"msg": "forbidden"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := testutil.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			app, err := newApp(testutil.NewKey(t, jwtx.ES256).Private(), clock, demoUsers())
			if err != nil {
				t.Fatal(err)
			}
			var token string
			switch tc.login {
			case "":
			case "forged":
				other, err := newApp(testutil.NewKey(t, jwtx.ES256, testutil.WithSeed("another")).Private(), clock, demoUsers())
				if err != nil {
					t.Fatal(err)
				}
				token = login(t, other, "alice")
			default:
				token = login(t, app, tc.login)
			}
			clock.Advance(tc.after)
			r := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if token != "" {
				testutil.SetBearer(r, token)
			}
			if diff := cmp.Diff(tc.want, do(t, app, r)); diff != "" {
				t.Errorf("GET %s (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}

// login logs the demo user in and returns the access token.
func login(t *testing.T, app *fiber.App, name string) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(`{"username":"`+name+`","password":"`+demoUsers()[name].Password+`"}`))
	r.Header.Set("Content-Type", "application/json")
	res := do(t, app, r)
	tok, _ := res.Body["access_token"].(string)
	if res.Status != http.StatusOK || tok == "" {
		t.Fatalf("login %s: %+v", name, res)
	}
	return tok
}

// TestLoginRefused: a wrong password gets no token.
func TestLoginRefused(t *testing.T) {
	t.Parallel()
	app, err := newApp(testutil.NewKey(t, jwtx.ES256).Private(), testutil.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), demoUsers())
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(`{"username":"alice","password":"looking-glass"}`))
	r.Header.Set("Content-Type", "application/json")
	want := response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "bad username or password"}}
	if diff := cmp.Diff(want, do(t, app, r)); diff != "" {
		t.Errorf("POST /login (-want +got):\n%s", diff)
	}
}
