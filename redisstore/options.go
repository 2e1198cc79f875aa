package redisstore

import (
	"fmt"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// DefaultPrefix is the default key prefix of a [Store].
const DefaultPrefix = "jwtx:"

// DefaultMaxTokenLifetime is the default longest token lifetime a [Store]
// expects: jwtx's default refresh-token lifetime.
const DefaultMaxTokenLifetime = 30 * 24 * time.Hour

// An Option configures a [Store]. Only this package can create them.
type Option interface{ apply(*config) error }

// Defaults of a Store's bounds.
const (
	// DefaultTimeout is how long one store call may take by default.
	DefaultTimeout = 250 * time.Millisecond
	// DefaultMaxInFlight is how many store calls may wait on Redis at once
	// by default.
	DefaultMaxInFlight = 1024
)

type config struct {
	prefix        string
	clock         jwtx.Clock
	maxAge        time.Duration
	timeout       time.Duration
	maxInFlight   int
	lossCutoff    bool
	allowEviction func(policy string)
}

func defaultConfig() config {
	return config{
		prefix: DefaultPrefix, clock: jwtx.ClockFunc(time.Now), maxAge: DefaultMaxTokenLifetime,
		timeout: DefaultTimeout, maxInFlight: DefaultMaxInFlight, lossCutoff: true,
	}
}

type prefixOption string

func (p prefixOption) apply(c *config) error {
	if p == "" {
		return fmt.Errorf("%w: redisstore: empty key prefix", jwtx.ErrConfig)
	}
	c.prefix = string(p)
	return nil
}

// WithPrefix sets the prefix of every key the store writes, so that several
// applications (or tests) can share one Redis database. A prefix with a
// hash tag of its own, such as "{jwtx}:", puts every key in one slot of a
// Redis Cluster, on one node; without one, the keys spread over the
// cluster (see the package documentation). Default: [DefaultPrefix].
func WithPrefix(prefix string) Option { return prefixOption(prefix) }

type clockOption struct{ clock jwtx.Clock }

func (o clockOption) apply(c *config) error {
	if o.clock == nil {
		return fmt.Errorf("%w: redisstore: nil clock", jwtx.ErrConfig)
	}
	c.clock = o.clock
	return nil
}

// WithClock sets the clock the store computes time-to-live values with
// (a token's remaining lifetime is its exp minus the clock's now). Redis
// itself expires keys by its own clock. Default: the system clock.
func WithClock(clock jwtx.Clock) Option { return clockOption{clock} }

type maxAgeOption time.Duration

func (o maxAgeOption) apply(c *config) error {
	if o <= 0 {
		return fmt.Errorf("%w: redisstore: max token lifetime %v", jwtx.ErrConfig, time.Duration(o))
	}
	c.maxAge = time.Duration(o)
	return nil
}

// WithMaxTokenLifetime sets the longest lifetime of any token the store
// may be asked about: the refresh-token lifetime (jwtx.WithRefreshTTL). A
// "log out everywhere" cutoff is kept this long (from the cutoff, when it
// lies in the future), and a family revoked by [Store.Revoke] at least
// this long. A value below the
// real refresh-token lifetime lets revoked tokens back in once their
// cutoff has expired; tokens that never expire outlive any cutoff, and are
// revoked one by one. Default: [DefaultMaxTokenLifetime] (30 days).
func WithMaxTokenLifetime(d time.Duration) Option { return maxAgeOption(d) }

type option func(*config) error

func (o option) apply(c *config) error { return o(c) }

// WithTimeout bounds every store call, whatever the client's own timeouts:
// a Redis that hangs turns into an error after d, which a Verifier turns
// into jwtx.ErrRevocationUnavailable and httpx into a 503, instead of a
// pile of waiting requests. With a client built without
// ContextTimeoutEnabled, a call that times out leaves its command running
// in the background until the client's own timeout; [WithMaxInFlight]
// bounds those. Default: [DefaultTimeout].
func WithTimeout(d time.Duration) Option {
	return option(func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: redisstore: timeout %v: it must be positive", jwtx.ErrConfig, d)
		}
		c.timeout = d
		return nil
	})
}

// WithMaxInFlight bounds the store calls that may wait on Redis at once;
// one more fails at once with [ErrBusy]. Default: [DefaultMaxInFlight].
func WithMaxInFlight(n int) Option {
	return option(func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("%w: redisstore: max in flight %d: it must be positive", jwtx.ErrConfig, n)
		}
		c.maxInFlight = n
		return nil
	})
}

// WithAllowEviction lets the store run on a Redis whose maxmemory-policy
// evicts keys: [Store.Check] then calls warn with the policy instead of
// failing. Evicted revocations are forgotten, and the tokens they refused
// are accepted again: use it only where that risk is accepted, and log or
// alert from warn. Default: such a Redis is refused.
func WithAllowEviction(warn func(policy string)) Option {
	return option(func(c *config) error {
		if warn == nil {
			return fmt.Errorf("%w: redisstore: nil eviction warning", jwtx.ErrConfig)
		}
		c.allowEviction = warn
		return nil
	})
}

// WithLossDetection says whether the store detects that Redis lost its
// data (a restart without persistence, a flush, a failover to an empty
// replica) by a marker key, and then refuses every token issued before the
// loss was seen: the revocations among them are gone. Turning it off saves
// reading the marker on each check, at the price of reviving revoked
// tokens after a loss. Default: on.
func WithLossDetection(on bool) Option {
	return option(func(c *config) error {
		c.lossCutoff = on
		return nil
	})
}
