package testutil

import (
	"sync"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Clock is a jwtx.Clock that moves only when told to, for tests of expiry
// and freshness without sleeping. Pass it to jwtx.WithClock, or use the one
// of an [Env]. A Clock is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

var _ jwtx.Clock = (*Clock)(nil)

// NewClock returns a Clock that reads t until it is moved.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t, forwards or backwards.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock by d (backwards for a negative d) and returns the
// new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
