package jwtx

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Defaults of a UserCache.
const (
	DefaultCacheSize   = 10000
	DefaultCacheTTL    = time.Minute
	DefaultNotFoundTTL = 5 * time.Second
)

// A CacheOption configures a [UserCache]. Only this package can create them.
type CacheOption interface {
	applyCache(*cacheConfig) error
}

type cacheConfig struct {
	size        int
	ttl         time.Duration
	notFoundTTL time.Duration
	clock       Clock
}

type cacheOption func(*cacheConfig) error

func (o cacheOption) applyCache(c *cacheConfig) error { return o(c) }

// WithCacheSize bounds the number of subjects a UserCache holds; the least
// recently used goes first. Default: [DefaultCacheSize].
func WithCacheSize(n int) CacheOption {
	return cacheOption(func(c *cacheConfig) error {
		if n <= 0 {
			return fmt.Errorf("%w: cache size %d", ErrConfig, n)
		}
		c.size = n
		return nil
	})
}

// WithCacheTTL sets how long a loaded user is served from the cache: the
// longest a change to a user (roles, a disabled account) can go unseen
// unless [UserCache.Invalidate] is called. Default: [DefaultCacheTTL].
func WithCacheTTL(d time.Duration) CacheOption {
	return cacheOption(func(c *cacheConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: cache TTL %v", ErrConfig, d)
		}
		c.ttl = d
		return nil
	})
}

// WithNotFoundTTL sets how long "user not found" is remembered, so that the
// tokens of a deleted user cannot hammer the store. 0 disables it.
// Default: [DefaultNotFoundTTL].
func WithNotFoundTTL(d time.Duration) CacheOption {
	return cacheOption(func(c *cacheConfig) error {
		if d < 0 {
			return fmt.Errorf("%w: not-found TTL %v", ErrConfig, d)
		}
		c.notFoundTTL = d
		return nil
	})
}

// UserCache wraps a [UserLoader] with a bounded, expiring cache keyed by
// subject. Concurrent misses for one subject share a single load; users are
// kept for the TTL, "not found" for the shorter not-found TTL, and errors
// are never kept. U is the application's user type.
//
// The wrapped loader must depend on the subject alone: the cache serves one
// user per subject whatever the token. A load runs in a goroutine of its
// own with the values of the first caller's context; it is cancelled when
// every caller waiting for it has given up, so a caller's cancellation
// never fails the others and no goroutine outlives a loader that honours
// its context. A load is shared only while it is current: once
// [UserCache.Invalidate] has been called for its subject, or every caller
// waiting for it has given up, later callers start a load of their own and
// its result is not cached.
//
// A UserCache is safe for concurrent use.
type UserCache[U any] struct {
	load UserLoader[U]
	cfg  cacheConfig

	mu       sync.Mutex
	entries  map[string]*list.Element // of *cacheEntry[U]
	lru      *list.List               // front: most recently used
	inflight map[string]*cacheCall[U]
}

type cacheEntry[U any] struct {
	subject  string
	user     U
	notFound error // the loader's not-found error, or nil
	expires  time.Time
}

type cacheCall[U any] struct {
	done    chan struct{}
	waiters int
	cancel  context.CancelFunc
	stale   bool // detached: invalidated or abandoned, so no longer joined and its result not kept
	user    U
	err     error
}

// NewUserCache wraps load. Use its Load method as the Verifier's loader:
//
//	cache, err := jwtx.NewUserCache(db.UserBySubject)
//	ver, err := jwtx.NewVerifier[User, Claims](keys, jwtx.WithUserLoader(cache.Load))
func NewUserCache[U any](load UserLoader[U], opts ...CacheOption) (*UserCache[U], error) {
	if load == nil {
		return nil, fmt.Errorf("%w: nil UserLoader", ErrConfig)
	}
	c := &UserCache[U]{
		load:     load,
		cfg:      cacheConfig{size: DefaultCacheSize, ttl: DefaultCacheTTL, notFoundTTL: DefaultNotFoundTTL, clock: systemClock{}},
		entries:  map[string]*list.Element{},
		lru:      list.New(),
		inflight: map[string]*cacheCall[U]{},
	}
	if err := applyOptions(opts, func(o CacheOption) error { return o.applyCache(&c.cfg) }); err != nil {
		return nil, err
	}
	return c, nil
}

// Load returns the user of subject from the cache, or loads it once for all
// concurrent callers. It has the signature of a [UserLoader].
func (c *UserCache[U]) Load(ctx context.Context, subject string) (U, error) {
	c.mu.Lock()
	if u, ok, err := c.cached(subject); ok {
		c.mu.Unlock()
		return u, err
	}
	call, ok := c.inflight[subject]
	if !ok {
		loadCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		call = &cacheCall[U]{done: make(chan struct{}), cancel: cancel}
		c.inflight[subject] = call
		go c.run(loadCtx, subject, call)
	}
	call.waiters++
	c.mu.Unlock()

	select {
	case <-call.done:
		return call.user, call.err
	case <-ctx.Done():
		c.mu.Lock()
		call.waiters--
		if call.waiters == 0 {
			call.cancel()
			c.detach(subject, call)
		}
		c.mu.Unlock()
		var zero U
		return zero, ctx.Err()
	}
}

// cached returns a live entry for subject. c.mu is held.
func (c *UserCache[U]) cached(subject string) (U, bool, error) {
	var zero U
	el, ok := c.entries[subject]
	if !ok {
		return zero, false, nil
	}
	e := el.Value.(*cacheEntry[U])
	if !c.cfg.clock.Now().Before(e.expires) {
		c.remove(el)
		return zero, false, nil
	}
	c.lru.MoveToFront(el)
	return e.user, true, e.notFound
}

// run performs one load and publishes its result.
func (c *UserCache[U]) run(ctx context.Context, subject string, call *cacheCall[U]) {
	u, err := c.load(ctx, subject)
	c.mu.Lock()
	defer c.mu.Unlock()
	call.cancel()
	call.user, call.err = u, err
	close(call.done)
	if call.stale {
		return
	}
	delete(c.inflight, subject)
	switch {
	case err == nil:
		c.store(&cacheEntry[U]{subject: subject, user: u, expires: c.cfg.clock.Now().Add(c.cfg.ttl)})
	case errors.Is(err, ErrUserNotFound) && c.cfg.notFoundTTL > 0:
		var zero U
		c.store(&cacheEntry[U]{subject: subject, user: zero, notFound: err, expires: c.cfg.clock.Now().Add(c.cfg.notFoundTTL)})
	}
}

// store adds or replaces an entry, evicting the least recently used when
// full. c.mu is held.
func (c *UserCache[U]) store(e *cacheEntry[U]) {
	if el, ok := c.entries[e.subject]; ok {
		c.remove(el)
	}
	for c.lru.Len() >= c.cfg.size {
		c.remove(c.lru.Back())
	}
	c.entries[e.subject] = c.lru.PushFront(e)
}

func (c *UserCache[U]) remove(el *list.Element) {
	delete(c.entries, el.Value.(*cacheEntry[U]).subject)
	c.lru.Remove(el)
}

// detach takes call out of the loads later callers join and marks its
// result as not to be kept; callers already waiting still get it. Only a
// call that is not stale is in c.inflight. c.mu is held.
func (c *UserCache[U]) detach(subject string, call *cacheCall[U]) {
	if c.inflight[subject] == call {
		delete(c.inflight, subject)
	}
	call.stale = true
}

// Invalidate drops the cached user of subject, for when it changed (roles,
// password, deletion). A Load that starts after Invalidate returns never
// gets a user loaded, or being loaded, before it: it starts a load of its
// own or joins one begun after Invalidate. Callers already waiting for a
// load in flight still get its result, which is not cached.
func (c *UserCache[U]) Invalidate(subject string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[subject]; ok {
		c.remove(el)
	}
	if call, ok := c.inflight[subject]; ok {
		c.detach(subject, call)
	}
}

// Len returns the number of cached subjects, expired ones included until
// they are next touched or evicted.
func (c *UserCache[U]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
