package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
)

// testNow is the fixed time both services run at in the tests.
var testNow = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

// testEnv is the two services behind httptest servers.
type testEnv struct {
	auth    *authService
	authSrv *httptest.Server
	fetches atomic.Int64 // JWKS requests auth has answered
	api     *apiService
	apiSrv  *httptest.Server
	errs    chan error // what the api's JWKS error handler hears
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	clock := jwtx.ClockFunc(func() time.Time { return testNow })
	e := &testEnv{errs: make(chan error, 16)}
	var err error
	if e.auth, err = newAuth(clock); err != nil {
		t.Fatalf("newAuth: %v", err)
	}
	e.authSrv = httptest.NewServer(countRequests(jwksPath, &e.fetches, e.auth.handler()))
	t.Cleanup(e.authSrv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e.api, err = newAPI(ctx, e.authSrv.URL+jwksPath, e.authSrv.Client(), clock, func(err error) { e.errs <- err })
	if err != nil {
		t.Fatalf("newAPI: %v", err)
	}
	e.apiSrv = httptest.NewServer(e.api.handler())
	t.Cleanup(e.apiSrv.Close)
	return e
}

// response is what the tests compare of a response.
type response struct {
	Status int
	Body   map[string]any
}

// do sends one request and decodes the JSON response.
func (e *testEnv) do(t *testing.T, method, url, token, body string) response {
	t.Helper()
	status, b, err := call(context.Background(), e.apiSrv.Client(), method, url, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	res := response{Status: status}
	if err := json.Unmarshal(b, &res.Body); err != nil {
		t.Fatalf("%s %s: body %q: %v", method, url, b, err)
	}
	return res
}

// login logs alice in and returns her access token.
func (e *testEnv) login(t *testing.T) string {
	t.Helper()
	res := e.do(t, http.MethodPost, e.authSrv.URL+"/login", "", `{"username":"alice","password":"wonderland"}`)
	token, _ := res.Body["access_token"].(string)
	delete(res.Body, "access_token")
	want := response{Status: http.StatusOK, Body: map[string]any{"token_type": "Bearer", "expires_in": float64(600)}}
	if diff := cmp.Diff(want, res); diff != "" || token == "" {
		t.Fatalf("login (-want +got):\n%s", diff)
	}
	return token
}

func (e *testEnv) checkFetches(t *testing.T, step string, want int64) {
	t.Helper()
	if got := e.fetches.Load(); got != want {
		t.Errorf("%s: JWKS fetches = %d, want %d", step, got, want)
	}
}

var helloAlice = response{Status: http.StatusOK, Body: map[string]any{"hello": "alice", "roles": []any{"admin"}}}

// The walk of main, step by step: login, call, rotate, login, call with
// the new and the old token; then auth goes down and the api keeps going.
func TestRotationBetweenServices(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	hello := e.apiSrv.URL + "/hello"
	e.checkFetches(t, "at start", 1)

	first := e.login(t)
	if kid := kidOf(first); kid != "auth-1" {
		t.Errorf("first token kid = %q, want auth-1", kid)
	}
	if diff := cmp.Diff(helloAlice, e.do(t, http.MethodGet, hello, first, "")); diff != "" {
		t.Errorf("hello with the first token (-want +got):\n%s", diff)
	}
	e.checkFetches(t, "after a known kid", 1)

	for _, tc := range []struct {
		name, method, url, token, body string
		want                           response
	}{
		{name: "no token", method: http.MethodGet, url: hello,
			want: response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "missing token"}}},
		{name: "garbage token", method: http.MethodGet, url: hello, token: "not.a.token",
			want: response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "invalid token"}}},
		{name: "wrong password", method: http.MethodPost, url: e.authSrv.URL + "/login", body: `{"username":"alice","password":"nope"}`,
			want: response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "invalid credentials"}}},
		{name: "unknown user", method: http.MethodPost, url: e.authSrv.URL + "/login", body: `{"username":"eve","password":"wonderland"}`,
			want: response{Status: http.StatusUnauthorized, Body: map[string]any{"msg": "invalid credentials"}}},
		{name: "bad login body", method: http.MethodPost, url: e.authSrv.URL + "/login", body: `{`,
			want: response{Status: http.StatusBadRequest, Body: map[string]any{"msg": "bad request"}}},
	} {
		if diff := cmp.Diff(tc.want, e.do(t, tc.method, tc.url, tc.token, tc.body)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	e.checkFetches(t, "after refusals", 1)

	kid, err := e.auth.rotate()
	if err != nil || kid != "auth-2" {
		t.Fatalf("rotate() = %q, %v; want auth-2", kid, err)
	}
	second := e.login(t)
	if kid := kidOf(second); kid != "auth-2" {
		t.Errorf("second token kid = %q, want auth-2", kid)
	}
	if diff := cmp.Diff(helloAlice, e.do(t, http.MethodGet, hello, second, "")); diff != "" {
		t.Errorf("hello with the new token (-want +got):\n%s", diff)
	}
	e.checkFetches(t, "after the new kid", 2)
	for range 3 {
		for _, tok := range []string{first, second} {
			if diff := cmp.Diff(helloAlice, e.do(t, http.MethodGet, hello, tok, "")); diff != "" {
				t.Errorf("hello after rotation (-want +got):\n%s", diff)
			}
		}
	}
	e.checkFetches(t, "after old and new tokens", 2)

	okHealth := response{Status: http.StatusOK, Body: map[string]any{"jwks": "ok", "last_success": "2026-05-06T07:08:09Z"}}
	if diff := cmp.Diff(okHealth, e.do(t, http.MethodGet, e.apiSrv.URL+"/healthz", "", "")); diff != "" {
		t.Errorf("healthz (-want +got):\n%s", diff)
	}

	// auth goes down: the api says so, and keeps verifying with the keys
	// it has.
	e.authSrv.Close()
	if err := e.api.keys.Refresh(context.Background()); !errors.Is(err, jwtx.ErrJWKS) {
		t.Errorf("Refresh() with auth down = %v, want %v", err, jwtx.ErrJWKS)
	}
	if err := <-e.errs; !errors.Is(err, jwtx.ErrJWKS) {
		t.Errorf("error handler got %v, want %v", err, jwtx.ErrJWKS)
	}
	stale := response{Status: http.StatusServiceUnavailable, Body: map[string]any{"jwks": "stale", "last_success": "2026-05-06T07:08:09Z"}}
	if diff := cmp.Diff(stale, e.do(t, http.MethodGet, e.apiSrv.URL+"/healthz", "", "")); diff != "" {
		t.Errorf("healthz with auth down (-want +got):\n%s", diff)
	}
	for _, tok := range []string{first, second} {
		if diff := cmp.Diff(helloAlice, e.do(t, http.MethodGet, hello, tok, "")); diff != "" {
			t.Errorf("hello with auth down (-want +got):\n%s", diff)
		}
	}
}

// auth publishes exactly the public keys of its ring, old and new.
func TestAuthPublishesRing(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	if _, err := e.auth.rotate(); err != nil {
		t.Fatal(err)
	}
	res, err := e.authSrv.Client().Get(e.authSrv.URL + jwksPath)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		if _, ok := k["d"]; ok {
			t.Errorf("key %v carries its private member d", k["kid"])
		}
		kids = append(kids, k["kid"].(string))
	}
	slices.Sort(kids)
	if diff := cmp.Diff([]string{"auth-1", "auth-2"}, kids); diff != "" {
		t.Errorf("published kids (-want +got):\n%s", diff)
	}
	for h, want := range map[string]string{"Content-Type": "application/jwk-set+json", "Cache-Control": "public, max-age=300"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}

// walk, the program's client, passes against the services under httptest.
func TestWalk(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	var out bytes.Buffer
	if err := walk(context.Background(), &out, e.apiSrv.Client(), e.authSrv.URL, e.apiSrv.URL, e.auth.rotate, e.fetches.Load); err != nil {
		t.Fatalf("walk: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"→ 200, a token signed with kid auth-1",
		"→ 401 {\"msg\":\"missing token\"} (JWKS fetches: 1)",
		"kid auth-2 active",
		"with the new one  → 200 {\"hello\":\"alice\",\"roles\":[\"admin\"]} (JWKS fetches: 2)",
		"with the old one  → 200 {\"hello\":\"alice\",\"roles\":[\"admin\"]} (JWKS fetches: 2)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("walk output lacks %q:\n%s", want, out.String())
		}
	}
	e.checkFetches(t, "after the walk", 2)
}

// run starts both services on loopback and completes the walk.
func TestRun(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	if err := run(&out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"auth listens on http://127.0.0.1:", "api  listens on http://127.0.0.1:", "Both tokens work"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("run output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "JWKS problem") {
		t.Errorf("run reported a JWKS problem:\n%s", out.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the writes of run's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
