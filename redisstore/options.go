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

type config struct {
	prefix string
	clock  jwtx.Clock
	maxAge time.Duration
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
// applications (or tests) can share one Redis database. With Redis Cluster,
// put a hash tag in it, such as "{jwtx}:", so that all the keys a call
// touches share a slot (see the package documentation). Default:
// [DefaultPrefix].
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
