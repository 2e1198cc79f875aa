package redisstore_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/redisstore"
)

// TestRingLetsRevokedTokensThrough reproduces a go-redis Ring accepted as
// a client: it sends MGET and each script to the shard of the first key,
// and moves keys when a shard is down, so revocations were not seen. The
// store refuses a Ring, and any client it does not know, at New.
func TestRingLetsRevokedTokensThrough(t *testing.T) {
	t.Parallel()
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1", "b": "127.0.0.1:2"}})
	t.Cleanup(func() { _ = ring.Close() })
	if _, err := redisstore.New(ring); !errors.Is(err, jwtx.ErrConfig) {
		t.Fatalf("New(*redis.Ring) = %v, want ErrConfig", err)
	}
}

// TestEvictingRedisForgetsRevocations reproduces revocations evicted under
// a volatile-* policy: every key of the store has a TTL, so such a policy
// may drop any of them. The store refuses an evicting Redis unless told
// otherwise, and then says so through the warning.
func TestEvictingRedisForgetsRevocations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		policy   string
		allow    bool
		wantErr  error
		wantWarn []string
	}{
		{name: "noeviction", policy: "noeviction"},
		{name: "volatile-lru refused", policy: "volatile-lru", wantErr: jwtx.ErrConfig},
		{name: "allkeys-lru refused", policy: "allkeys-lru", wantErr: jwtx.ErrConfig},
		{name: "volatile-ttl refused", policy: "volatile-ttl", wantErr: jwtx.ErrConfig},
		{name: "volatile-lru allowed with a warning", policy: "volatile-lru", allow: true, wantWarn: []string{"volatile-lru"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := newClient(t, startRedis(t, "--maxmemory", "64mb", "--maxmemory-policy", tc.policy))
			var warned []string
			opts := []redisstore.Option{}
			if tc.allow {
				opts = append(opts, redisstore.WithAllowEviction(func(p string) { warned = append(warned, p) }))
			}
			s, err := redisstore.New(client, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Check(t.Context()); !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("Check = %v, want %v", err, tc.wantErr)
			}
			// Every call checks first: on a refused Redis, nothing works.
			_, err = s.Revoked(t.Context(), jwtx.TokenInfo{ID: "a"})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Errorf("Revoked = %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.wantWarn, warned); diff != "" {
				t.Errorf("warnings mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHungRedisPilesUpRequests reproduces a frozen Redis with a client on
// go-redis defaults: checks waited for the client's timeouts and retries,
// goroutines piled up, and not one request got its 503. Each call now has
// a deadline of its own and a bound on calls in flight, whatever the
// client: every check ends with the store's deadline or at once with
// ErrBusy, and the protected route answers 503.
func TestHungRedisPilesUpRequests(t *testing.T) {
	t.Parallel()
	const inFlight, callers = 8, 64
	srv := startRedis(t)
	client := newClient(t, srv) // go-redis defaults: 3 s read timeout, 3 retries, no context deadlines
	o := newOutageOn(t, srv, client, redisstore.WithTimeout(50*time.Millisecond), redisstore.WithMaxInFlight(inFlight))
	s := o.store
	login := o.login(t)
	srv.Freeze(t)

	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { _, errs[i] = s.Revoked(context.Background(), login.Access.Info()) })
	}
	wg.Wait()
	counts := map[string]int{}
	for _, err := range errs {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			counts["deadline"]++
		case errors.Is(err, redisstore.ErrBusy):
			counts["busy"]++
		default:
			t.Errorf("Revoked with Redis frozen = %v, want the store's deadline or ErrBusy", err)
		}
	}
	if counts["deadline"] > inFlight || counts["deadline"]+counts["busy"] != callers {
		t.Errorf("outcomes %v: at most %d calls may wait on Redis, the others must fail at once", counts, inFlight)
	}
	// At most inFlight goroutines hold a slot; one that has just given its
	// slot back (its pool wait ended at the deadline) may not have exited
	// yet, hence the slack. Without the bound there were thousands.
	if waiting := storeGoroutines(); waiting > inFlight+2 {
		t.Errorf("%d goroutines of the store wait on the frozen Redis, want at most %d (and 2 exiting)", waiting, inFlight)
	}
	if code, body := o.call(t, "GET", "/me", login.Access.Raw); code != http.StatusServiceUnavailable {
		t.Errorf("protected route with Redis frozen: %d %v, want 503", code, body)
	}
}

// storeGoroutines counts the goroutines that run a store call: those whose
// stack holds the store's call method. Other tests' goroutines, running in
// parallel, do not count.
func storeGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "redisstore.(*Store).call.func") {
			count++
		}
	}
	return count
}
