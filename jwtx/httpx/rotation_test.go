package httpx_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// rotationServer is a refresh endpoint with rotation over a store, and a
// protected route, both on one ServeMux.
type rotationServer struct {
	*testutil.Env[string, jwtx.RegisteredClaims]
	mux *http.ServeMux
}

// rotationClock returns the clock of a rotation test, for its server and
// its store.
func rotationClock() *testutil.Clock {
	return testutil.NewClock(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC))
}

func newRotationServer(t *testing.T, clock *testutil.Clock, store jwtx.RotationStore, checker jwtx.RevocationChecker) *rotationServer {
	t.Helper()
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t, testutil.WithClock(clock),
		testutil.WithIssuerOptions(jwtx.WithRotation(store)), testutil.WithVerifierOptions(jwtx.WithRevocation(checker)))
	auth := env.Auth(t, httpx.WithRotation(store), httpx.WithLocations(httpx.FromHeader, httpx.FromBody))
	mux := http.NewServeMux()
	mux.Handle("POST /refresh", auth.RefreshHandler(env.Issuer))
	mux.Handle("GET /me", auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtx.UserFrom[string](r.Context())
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"user": u})
	})))
	return &rotationServer{Env: env, mux: mux}
}

// call sends a request with a bearer token and returns the status and the
// decoded body.
func (s *rotationServer) call(t *testing.T, method, path, token string) (int, map[string]any) {
	t.Helper()
	rec := testutil.Serve(s.mux, testutil.BearerRequest(t, method, path, token))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s %s: body %q: %v", method, path, rec.Body.String(), err)
	}
	return rec.Code, body
}

func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	clock := rotationClock()
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	s := newRotationServer(t, clock, store, store)
	login := s.Pair(t, "alice")

	code, first := s.call(t, "POST", "/refresh", login.Refresh.Raw)
	if code != http.StatusOK {
		t.Fatalf("first refresh: %d %v", code, first)
	}
	rotated, _ := first["refresh_token"].(string)
	if rotated == "" || rotated == login.Refresh.Raw {
		t.Fatalf("first refresh returned no new refresh token: %v", first)
	}
	if code, _ := s.call(t, "GET", "/me", first["access_token"].(string)); code != http.StatusOK {
		t.Fatalf("new access token: %d", code)
	}

	// The old refresh token again: a thief's replay. The family goes.
	code, replay := s.call(t, "POST", "/refresh", login.Refresh.Raw)
	if diff := cmp.Diff([]any{http.StatusUnauthorized, "refresh token reused; log in again"}, []any{code, replay["msg"]}); diff != "" {
		t.Errorf("replay (-want +got):\n%s", diff)
	}
	for name, tok := range map[string]string{"rotated refresh": rotated, "login access": login.Access.Raw, "new access": first["access_token"].(string)} {
		path, method := "/me", "GET"
		if strings.Contains(name, "refresh") {
			path, method = "/refresh", "POST"
		}
		if code, body := s.call(t, method, path, tok); code != http.StatusUnauthorized || body["msg"] != "token revoked" {
			t.Errorf("%s after reuse: %d %v, want 401 token revoked", name, code, body)
		}
	}
}

// failingRotation is a rotation store that goes down after the login.
type failingRotation struct{}

func (failingRotation) Start(context.Context, jwtx.TokenInfo) error { return nil }

func (failingRotation) Rotate(context.Context, string, string, string, time.Time) error {
	return context.DeadlineExceeded
}

func (failingRotation) Revoked(context.Context, jwtx.TokenInfo) (bool, error) { return false, nil }

func TestRefreshRotationStoreDown(t *testing.T) {
	t.Parallel()
	s := newRotationServer(t, rotationClock(), failingRotation{}, failingRotation{})
	login := s.Pair(t, "alice")
	code, body := s.call(t, "POST", "/refresh", login.Refresh.Raw)
	if code != http.StatusServiceUnavailable || body["refresh_token"] != nil {
		t.Errorf("refresh with the store down: %d %v, want 503 and no token", code, body)
	}
}
