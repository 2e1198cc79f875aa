package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// client drives the demo over real HTTP.
type client struct {
	t   *testing.T
	url string
}

func (c client) do(method, path, token, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, out
}

func (c client) queries() float64 {
	c.t.Helper()
	_, out := c.do("GET", "/stats", "", "")
	return out["queries"].(float64)
}

func (c client) login(name, password string) string {
	c.t.Helper()
	code, out := c.do("POST", "/login", "", `{"username":"`+name+`","password":"`+password+`"}`)
	if code != http.StatusOK {
		c.t.Fatalf("login %s: %d %v", name, code, out)
	}
	return out["access_token"].(string)
}

func TestLazyCachedUsers(t *testing.T) {
	t.Parallel()
	store, err := OpenStore(filepath.Join(t.TempDir(), "users.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := seed(context.Background(), store); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	h, err := newApp(store, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := client{t: t, url: srv.URL}

	alice, bob := c.login("alice", "wonderland"), c.login("bob", "builder")

	// Handlers that need only the claims never touch the database.
	for range 50 {
		if code, _ := c.do("GET", "/hello", bob, ""); code != http.StatusOK {
			t.Fatalf("/hello: %d", code)
		}
	}
	if q := c.queries(); q != 0 {
		t.Fatalf("queries after 50 claims-only requests = %v, want 0", q)
	}

	// The user is loaded once per TTL, however many requests ask.
	for range 50 {
		code, out := c.do("GET", "/me", bob, "")
		if diff := cmp.Diff(map[string]any{"id": "u-2", "name": "bob", "roles": []any{"user"}}, out); code != http.StatusOK || diff != "" {
			t.Fatalf("/me: %d (-want +got):\n%s", code, diff)
		}
	}
	if q := c.queries(); q != 1 {
		t.Fatalf("queries after 50 /me = %v, want 1", q)
	}

	// A change drops the cached copy: the next request sees it.
	if code, out := c.do("PUT", "/users/u-2/roles", alice, `["user","editor"]`); code != http.StatusOK {
		t.Fatalf("set roles: %d %v", code, out)
	}
	if _, out := c.do("GET", "/me", bob, ""); !cmp.Equal(out["roles"], []any{"user", "editor"}) {
		t.Errorf("roles after the change = %v", out["roles"])
	}
	if q := c.queries(); q != 2 {
		t.Errorf("queries = %v, want 2", q)
	}

	// A deleted user: 404, and "not found" is remembered briefly.
	if code, _ := c.do("DELETE", "/users/u-2", alice, ""); code != http.StatusOK {
		t.Fatalf("delete: %d", code)
	}
	for range 5 {
		code, out := c.do("GET", "/me", bob, "")
		if diff := cmp.Diff(map[string]any{"msg": "User u-2 not found"}, out); code != http.StatusNotFound || diff != "" {
			t.Fatalf("/me of a deleted user: %d (-want +got):\n%s", code, diff)
		}
	}
	if q := c.queries(); q != 3 {
		t.Errorf("queries = %v, want 3 (one miss remembered for 5 requests)", q)
	}
}
