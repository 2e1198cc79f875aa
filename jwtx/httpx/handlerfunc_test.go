package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// TestHandlerFuncChecks protects a typed handler with authorization checks
// in one pass: one verification, one user load, one event.
func TestHandlerFuncChecks(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 8, 2, 9, 0, 0, 0, time.UTC)
	clock := jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return now }))
	key, err := jwtx.NewKey(jwtx.HS256, []byte("handlerfunc-test-secret-32-bytes!!"))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, clock)
	if err != nil {
		t.Fatal(err)
	}
	var loads, events atomic.Int32
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](key, clock,
		jwtx.WithUserLoader(func(_ context.Context, sub string) (string, error) { loads.Add(1); return sub, nil }))
	if err != nil {
		t.Fatal(err)
	}
	auth, err := httpx.New(ver, httpx.WithEvents(func(context.Context, httpx.Event) { events.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	onlyAlice := func(_ context.Context, _ jwtx.RegisteredClaims, user string) error {
		if user != "alice" {
			return errors.New("not alice")
		}
		return nil
	}
	h := auth.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, c jwtx.RegisteredClaims, user string) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"user": user, "sub": c.Subject})
	}, onlyAlice)
	for _, tc := range []struct {
		user string
		want int
	}{{"alice", http.StatusOK}, {"bob", http.StatusForbidden}} {
		loads.Store(0)
		events.Store(0)
		tok, err := iss.Access(context.Background(), tc.user)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/x", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Raw)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if diff := cmp.Diff([3]int{tc.want, 1, 1}, [3]int{rec.Code, int(loads.Load()), int(events.Load())}); diff != "" {
			t.Errorf("%s: [status, loads, events] (-want +got):\n%s", tc.user, diff)
		}
	}
}

// TestLogoutInOwnHandler calls Auth.Logout from an application's handler,
// which answers in its own way.
func TestLogoutInOwnHandler(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key, err := jwtx.NewKey(jwtx.HS256, []byte("logout-test-secret-of-32-bytes!!!!"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := jwtx.NewMemoryStore(jwtx.WithMaxTokenLifetime(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](key, jwtx.WithRevocation(store))
	if err != nil {
		t.Fatal(err)
	}
	auth, err := httpx.New(ver, httpx.WithRevoker(store))
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := auth.Logout(w, r); err != nil {
			http.Error(w, "no", http.StatusTeapot)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	tok, err := iss.Access(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/bye", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Raw)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || len(rec.Result().Cookies()) != 4 {
		t.Fatalf("logout: %d, %d cookies deleted; want 204 and 4", rec.Code, len(rec.Result().Cookies()))
	}
	if _, _, err := ver.Verify(ctx, tok.Raw); !errors.Is(err, jwtx.ErrRevoked) {
		t.Errorf("token after logout = %v, want ErrRevoked", err)
	}
}

// TestStaleKeysAreUnavailable: remote keys past their staleness bound are
// a temporary failure (503), not a bad token.
func TestStaleKeysAreUnavailable(t *testing.T) {
	t.Parallel()
	err := &jwtx.HeaderError{Param: "kid", Err: jwtx.ErrJWKS}
	if got := httpx.ReasonOf(err); got != httpx.ReasonUnavailable {
		t.Errorf("ReasonOf(stale keys) = %q, want %q", got, httpx.ReasonUnavailable)
	}
}
