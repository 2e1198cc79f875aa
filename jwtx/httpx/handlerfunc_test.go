package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestHandlerFuncChecks protects a typed handler with authorization checks
// in one pass: one verification, one user load, one event.
func TestHandlerFuncChecks(t *testing.T) {
	t.Parallel()
	onlyAlice := func(_ context.Context, _ jwtx.RegisteredClaims, user string) error {
		if user != "alice" {
			return errors.New("not alice")
		}
		return nil
	}
	for _, tc := range []struct {
		user string
		want int
	}{{"alice", http.StatusOK}, {"bob", http.StatusForbidden}} {
		t.Run(tc.user, func(t *testing.T) {
			t.Parallel()
			var loads, events atomic.Int32
			env := testutil.NewEnv[string, jwtx.RegisteredClaims](t, testutil.WithVerifierOptions(
				jwtx.WithUserLoader(func(_ context.Context, sub string) (string, error) { loads.Add(1); return sub, nil })))
			auth := env.Auth(t, httpx.WithEvents(func(context.Context, httpx.Event) { events.Add(1) }))
			h := auth.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, c jwtx.RegisteredClaims, user string) {
				httpx.WriteJSON(w, http.StatusOK, map[string]string{"user": user, "sub": c.Subject})
			}, onlyAlice)
			rec := testutil.Serve(h, testutil.BearerRequest(t, "GET", "/x", env.Access(t, tc.user).Raw))
			if diff := cmp.Diff([3]int{tc.want, 1, 1}, [3]int{rec.Code, int(loads.Load()), int(events.Load())}); diff != "" {
				t.Errorf("[status, loads, events] (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLogoutInOwnHandler calls Auth.Logout from an application's handler,
// which answers in its own way.
func TestLogoutInOwnHandler(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testutil.NewClock(time.Date(2026, 8, 2, 9, 0, 0, 0, time.UTC))
	store, err := jwtx.NewMemoryStore(jwtx.WithMaxTokenLifetime(time.Hour), jwtx.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t, testutil.WithClock(clock),
		testutil.WithVerifierOptions(jwtx.WithRevocation(store)))
	auth := env.Auth(t, httpx.WithRevoker(store))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := auth.Logout(w, r); err != nil {
			http.Error(w, "no", http.StatusTeapot)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	tok := env.Access(t, "alice")
	rec := testutil.Serve(h, testutil.BearerRequest(t, "POST", "/bye", tok.Raw))
	if rec.Code != http.StatusNoContent || len(rec.Result().Cookies()) != 4 {
		t.Fatalf("logout: %d, %d cookies deleted; want 204 and 4", rec.Code, len(rec.Result().Cookies()))
	}
	if _, _, err := env.Verifier.Verify(ctx, tok.Raw); !errors.Is(err, jwtx.ErrRevoked) {
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
