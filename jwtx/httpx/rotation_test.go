package httpx_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// rotationServer is a refresh endpoint with rotation over a memory store,
// and a protected route, both on one ServeMux.
type rotationServer struct {
	iss *jwtx.Issuer[string, jwtx.RegisteredClaims]
	mux *http.ServeMux
	now time.Time
}

// rotationNow is the time of the rotation tests, for servers and stores.
func rotationNow() time.Time { return time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC) }

func newRotationServer(t *testing.T, store jwtx.RotationStore, checker jwtx.RevocationChecker) *rotationServer {
	t.Helper()
	now := rotationNow()
	clock := jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return now }))
	key, err := jwtx.NewKey(jwtx.HS256, []byte("rotation-test-secret-of-32-bytes!!"))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, clock, jwtx.WithRotation(store))
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](key, clock, jwtx.WithRevocation(checker),
		jwtx.WithUserLoader(func(_ context.Context, sub string) (string, error) { return sub, nil }))
	if err != nil {
		t.Fatal(err)
	}
	auth, err := httpx.New(ver, httpx.WithRotation(store), httpx.WithLocations(httpx.FromHeader, httpx.FromBody))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /refresh", auth.RefreshHandler(iss))
	mux.Handle("GET /me", auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtx.UserFrom[string](r.Context())
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"user": u})
	})))
	return &rotationServer{iss: iss, mux: mux, now: now}
}

// call sends a request with a bearer token and returns the status and the
// decoded body.
func (s *rotationServer) call(t *testing.T, method, path, token string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, req)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s %s: body %q: %v", method, path, rec.Body.String(), err)
	}
	return rec.Code, body
}

func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(jwtx.ClockFunc(rotationNow)))
	if err != nil {
		t.Fatal(err)
	}
	s := newRotationServer(t, store, store)
	login, err := s.iss.Pair(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}

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
	s := newRotationServer(t, failingRotation{}, failingRotation{})
	login, err := s.iss.Pair(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	code, body := s.call(t, "POST", "/refresh", login.Refresh.Raw)
	if code != http.StatusServiceUnavailable || body["refresh_token"] != nil {
		t.Errorf("refresh with the store down: %d %v, want 503 and no token", code, body)
	}
}
