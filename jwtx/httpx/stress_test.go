package httpx_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestStressSessions runs whole sessions from many goroutines at once over
// one Issuer, Verifier, UserCache, MemoryStore and Auth: log in, call a
// protected route, refresh with rotation, replay the old refresh token, log
// out, and check that nothing logged out or replayed gets through. Run it
// with -race; its length is a fixed number of sessions, not a time.
func TestStressSessions(t *testing.T) {
	t.Parallel()
	const workers, sessions = 8, 40
	ctx := context.Background()
	clock := testutil.NewClock(time.Date(2026, 8, 5, 9, 0, 0, 0, time.UTC))
	store, err := jwtx.NewMemoryStore(jwtx.WithMaxTokenLifetime(24*time.Hour), jwtx.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	var loads atomic.Int64
	cache, err := jwtx.NewUserCache(func(_ context.Context, sub string) (string, error) {
		loads.Add(1)
		return sub, nil
	}, jwtx.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t, testutil.WithClock(clock),
		testutil.WithKey(testutil.NewKey(t, jwtx.ES256, testutil.WithKeyID("stress"))),
		testutil.WithIssuerOptions(jwtx.WithRotation(store)),
		testutil.WithVerifierOptions(jwtx.WithRevocation(store), jwtx.WithUserLoader(cache.Load)))
	iss := env.Issuer
	var events atomic.Int64
	auth := env.Auth(t, httpx.WithRotation(store), httpx.WithRevoker(store), httpx.WithLazyUser(true),
		httpx.WithEvents(func(context.Context, httpx.Event) { events.Add(1) }))
	mux := http.NewServeMux()
	mux.Handle("GET /me", auth.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, _ jwtx.RegisteredClaims, user string) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"user": user})
	}))
	mux.Handle("POST /refresh", auth.RefreshHandler(iss))
	mux.Handle("POST /logout", auth.LogoutHandler())

	call := func(method, path, token string) (int, string) {
		// Not testutil.BearerRequest: this runs off the test's goroutine,
		// where a failing helper must not call t.Fatalf.
		req := httptest.NewRequest(method, path, nil)
		testutil.SetBearer(req, token)
		rec := testutil.Serve(mux, req)
		return rec.Code, rec.Body.String()
	}
	var requests atomic.Int64
	session := func(user string) error {
		login, err := iss.Pair(ctx, user)
		if err != nil {
			return err
		}
		steps := []struct {
			method, path, token string
			want                int
		}{
			{"GET", "/me", login.Access.Raw, http.StatusOK},
			{"POST", "/refresh", login.Refresh.Raw, http.StatusOK},
			{"POST", "/refresh", login.Refresh.Raw, http.StatusUnauthorized}, // replay: the family goes
			{"GET", "/me", login.Access.Raw, http.StatusUnauthorized},
		}
		for _, s := range steps {
			requests.Add(1)
			if code, body := call(s.method, s.path, s.token); code != s.want {
				return fmt.Errorf("%s: %s %s = %d %s, want %d", user, s.method, s.path, code, body, s.want)
			}
		}
		second, err := iss.Pair(ctx, user)
		if err != nil {
			return err
		}
		for _, s := range []struct {
			method, path string
			want         int
		}{{"GET", "/me", http.StatusOK}, {"POST", "/logout", http.StatusOK}, {"GET", "/me", http.StatusUnauthorized}} {
			requests.Add(1)
			if code, body := call(s.method, s.path, second.Access.Raw); code != s.want {
				return fmt.Errorf("%s: %s %s after a second login = %d %s, want %d", user, s.method, s.path, code, body, s.want)
			}
		}
		return nil
	}

	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var failed error
			for i := range sessions {
				if err := session(fmt.Sprintf("user-%d", (w*sessions+i)%16)); err != nil && failed == nil {
					failed = err
				}
			}
			errs <- failed
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got, want := events.Load(), requests.Load(); got != want {
		t.Errorf("events = %d for %d requests, want one each", got, want)
	}
	if n := loads.Load(); n > 16 {
		t.Errorf("user loads = %d for 16 users, want at most 16 (the cache)", n)
	}
}
