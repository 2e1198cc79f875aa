package jwtx_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// countingLoader loads users from a fixed table and counts its calls.
type countingLoader struct {
	calls   atomic.Int32
	release chan struct{} // when not nil, loads block until it is closed
	err     error         // returned for every subject when not nil
}

func (l *countingLoader) load(ctx context.Context, subject string) (User, error) {
	l.calls.Add(1)
	if l.release != nil {
		select {
		case <-l.release:
		case <-ctx.Done():
			return User{}, ctx.Err()
		}
	}
	if l.err != nil {
		return User{}, l.err
	}
	if subject == "ghost" {
		return User{}, jwtx.ErrUserNotFound
	}
	return User{Name: subject}, nil
}

func newCache(t *testing.T, l *countingLoader, clock jwtx.Clock, opts ...jwtx.CacheOption) *jwtx.UserCache[User] {
	t.Helper()
	c, err := jwtx.NewUserCache(l.load, append([]jwtx.CacheOption{jwtx.WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatalf("NewUserCache: %v", err)
	}
	return c
}

// TestUserCacheDeduplicatesConcurrentMisses holds the loader until every
// caller waits on the same load, then checks that it ran once.
func TestUserCacheDeduplicatesConcurrentMisses(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := &countingLoader{release: make(chan struct{})}
		c := newCache(t, l, testutil.NewClock(issuedAt))
		const callers = 50
		results := make(chan User, callers)
		for range callers {
			go func() {
				u, err := c.Load(context.Background(), "alice")
				if err != nil {
					t.Errorf("Load: %v", err)
				}
				results <- u
			}()
		}
		synctest.Wait() // every caller is blocked on the one load
		if n := l.calls.Load(); n != 1 {
			t.Fatalf("loader calls while blocked = %d, want 1", n)
		}
		close(l.release)
		for range callers {
			if u := <-results; u.Name != "alice" {
				t.Errorf("user = %+v", u)
			}
		}
		if _, err := c.Load(context.Background(), "alice"); err != nil || l.calls.Load() != 1 {
			t.Errorf("cached Load: %v, calls %d", err, l.calls.Load())
		}
	})
}

func TestUserCacheLifetimes(t *testing.T) {
	t.Parallel()
	errDown := errors.New("store down")
	for _, tc := range []struct {
		name      string
		subject   string
		loaderErr error
		advance   time.Duration
		wantCalls int32
		wantErr   error
	}{
		{name: "user kept within TTL", subject: "alice", advance: time.Minute - time.Second, wantCalls: 1},
		{name: "user reloaded after TTL", subject: "alice", advance: time.Minute, wantCalls: 2},
		{name: "not found kept briefly", subject: "ghost", advance: 4 * time.Second, wantCalls: 1, wantErr: jwtx.ErrUserNotFound},
		{name: "not found reloaded after its TTL", subject: "ghost", advance: 5 * time.Second, wantCalls: 2, wantErr: jwtx.ErrUserNotFound},
		{name: "errors never kept", subject: "alice", loaderErr: errDown, wantCalls: 2, wantErr: errDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := testutil.NewClock(issuedAt)
			l := &countingLoader{err: tc.loaderErr}
			c := newCache(t, l, clock)
			ctx := context.Background()
			if _, err := c.Load(ctx, tc.subject); !errors.Is(err, tc.wantErr) {
				t.Fatalf("first Load error = %v, want %v", err, tc.wantErr)
			}
			clock.Advance(tc.advance)
			if _, err := c.Load(ctx, tc.subject); !errors.Is(err, tc.wantErr) {
				t.Fatalf("second Load error = %v, want %v", err, tc.wantErr)
			}
			if n := l.calls.Load(); n != tc.wantCalls {
				t.Errorf("loader calls = %d, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestUserCacheInvalidateAndEvict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := &countingLoader{}
	c := newCache(t, l, testutil.NewClock(issuedAt), jwtx.WithCacheSize(2))
	load := func(sub string) {
		t.Helper()
		if _, err := c.Load(ctx, sub); err != nil {
			t.Fatalf("Load(%s): %v", sub, err)
		}
	}
	load("a")
	c.Invalidate("a")
	load("a") // reloaded
	load("b")
	load("c") // evicts a, the least recently used
	load("b") // cached
	load("a") // reloaded
	if diff := cmp.Diff([2]int{5, 2}, [2]int{int(l.calls.Load()), c.Len()}); diff != "" {
		t.Errorf("[loader calls, Len] (-want +got):\n%s", diff)
	}
}

// TestUserCacheInvalidateDuringLoad checks that a load started before an
// invalidation is not kept.
func TestUserCacheInvalidateDuringLoad(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := &countingLoader{release: make(chan struct{})}
		c := newCache(t, l, testutil.NewClock(issuedAt))
		done := make(chan struct{})
		go func() {
			defer close(done)
			if _, err := c.Load(context.Background(), "alice"); err != nil {
				t.Errorf("Load: %v", err)
			}
		}()
		synctest.Wait()
		c.Invalidate("alice")
		close(l.release)
		<-done
		if c.Len() != 0 {
			t.Errorf("Len = %d: a load begun before Invalidate was kept", c.Len())
		}
	})
}

// TestUserCacheCancellation checks that one caller giving up does not fail
// another, and that the load is cancelled, its goroutine gone, once every
// caller has given up.
func TestUserCacheCancellation(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := &countingLoader{release: make(chan struct{})}
		c := newCache(t, l, testutil.NewClock(issuedAt))
		impatient, cancel := context.WithCancel(context.Background())
		errs := make(chan error, 2)
		go func() { _, err := c.Load(impatient, "alice"); errs <- err }()
		go func() { _, err := c.Load(context.Background(), "alice"); errs <- err }()
		synctest.Wait()
		cancel()
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled caller error = %v", err)
		}
		close(l.release)
		if err := <-errs; err != nil {
			t.Fatalf("patient caller error = %v", err)
		}

		l2 := &countingLoader{release: make(chan struct{})}
		c2 := newCache(t, l2, testutil.NewClock(issuedAt))
		ctx, cancel2 := context.WithCancel(context.Background())
		go func() { _, err := c2.Load(ctx, "bob"); errs <- err }()
		synctest.Wait()
		cancel2()
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v", err)
		}
		synctest.Wait() // the load saw its context cancelled and returned
		if c2.Len() != 0 {
			t.Errorf("a cancelled load was kept")
		}
	})
}

func TestUserCacheWithVerifier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := &countingLoader{}
	cache := newCache(t, l, testutil.NewClock(issuedAt))
	ver, err := jwtx.NewVerifier[User, Claims](hsKey(t), jwtx.WithClock(testutil.NewClock(issuedAt)), jwtx.WithUserLoader(cache.Load))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := newIssuer(t).Access(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, u, err := ver.Verify(ctx, tok.Raw); err != nil || u.Name != "alice" {
			t.Fatalf("Verify = %+v, %v", u, err)
		}
	}
	if n := l.calls.Load(); n != 1 {
		t.Errorf("loader calls for 100 requests = %d, want 1", n)
	}
	if _, err := jwtx.NewUserCache[User](nil); !errors.Is(err, jwtx.ErrConfig) {
		t.Errorf("NewUserCache(nil) = %v", err)
	}
	for _, o := range []jwtx.CacheOption{jwtx.WithCacheSize(0), jwtx.WithCacheTTL(0), jwtx.WithNotFoundTTL(-1), jwtx.WithClock(nil), nil} {
		if _, err := jwtx.NewUserCache(l.load, o); !errors.Is(err, jwtx.ErrConfig) {
			t.Errorf("NewUserCache with a bad option = %v, want ErrConfig", err)
		}
	}
}
