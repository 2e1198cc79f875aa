package jwtx

import (
	"context"
	"fmt"
	"time"
)

// Limits on verifier settings.
const (
	// DefaultMaxTokenSize is the default limit on the length of a token.
	DefaultMaxTokenSize = 8 << 10
	// MaxLeeway is the largest clock-skew tolerance WithLeeway accepts.
	MaxLeeway = 5 * time.Minute
)

// verifierConfig is the configuration of a Verifier.
type verifierConfig struct {
	shared
	profileConfig
	leeway     time.Duration
	maxSize    int
	maxAge     time.Duration
	algorithms []Algorithm
	loader     any
	checks     []any
	revocation RevocationChecker
}

type verifierOption func(*verifierConfig) error

func (o verifierOption) applyVerifier(c *verifierConfig) error { return o(c) }

// WithUserLoader sets the function that loads the user of a verified token
// from its subject. It runs after every other check, the revocation store
// included, with the claims in its context ([From] works there). To say that
// no user exists it returns (or wraps) [ErrUserNotFound]; any other error is
// a load failure. Required unless U is [NoUser] or string (the subject is
// the user).
func WithUserLoader[U any](f UserLoader[U]) VerifierOption {
	return verifierOption(func(c *verifierConfig) error {
		if f == nil {
			return fmt.Errorf("%w: nil UserLoader", ErrConfig)
		}
		c.loader = f
		return nil
	})
}

// WithCheck adds a check on the typed claims, run after the registered
// claims are checked and before the revocation store is asked. An error it
// returns refuses the token, wrapped together with [ErrClaims]. Checks run
// in the order given. A claims type with a Validate() error method is
// checked by it as well, first. Default: none.
func WithCheck[C Claims](f func(ctx context.Context, claims C) error) VerifierOption {
	return verifierOption(func(c *verifierConfig) error {
		if f == nil {
			return fmt.Errorf("%w: nil check", ErrConfig)
		}
		c.checks = append(c.checks, f)
		return nil
	})
}

// WithLeeway tolerates clock skew when checking exp, nbf and iat. It is
// capped at [MaxLeeway]: a larger skew is a broken clock, not a tolerance.
// Default: 0.
func WithLeeway(d time.Duration) VerifierOption {
	return verifierOption(func(c *verifierConfig) error {
		if d < 0 || d > MaxLeeway {
			return fmt.Errorf("%w: leeway %v outside [0, %v]", ErrConfig, d, MaxLeeway)
		}
		c.leeway = d
		return nil
	})
}

// WithMaxTokenSize limits the length of a token in bytes; a longer one is
// refused with [ErrTooLarge] before anything is decoded. Default:
// [DefaultMaxTokenSize] (8 KiB).
func WithMaxTokenSize(n int) VerifierOption {
	return verifierOption(func(c *verifierConfig) error {
		if n < 64 {
			return fmt.Errorf("%w: token size limit %d below 64 bytes", ErrConfig, n)
		}
		c.maxSize = n
		return nil
	})
}

// WithMaxAge refuses tokens issued longer ago than d (measured from iat, which
// becomes required), whatever their exp says. Default: no limit.
func WithMaxAge(d time.Duration) VerifierOption {
	return verifierOption(func(c *verifierConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: max age %v", ErrConfig, d)
		}
		c.maxAge = d
		return nil
	})
}

// WithAlgorithms narrows the algorithms accepted to those listed. Tokens are
// always limited to the algorithms of the configured keys, and each key to
// its own algorithm; this narrows further. Default: the keys' algorithms.
func WithAlgorithms(algs ...Algorithm) VerifierOption {
	return verifierOption(func(c *verifierConfig) error {
		if len(algs) == 0 {
			return fmt.Errorf("%w: no algorithms given", ErrConfig)
		}
		c.algorithms = append([]Algorithm(nil), algs...)
		return nil
	})
}

// WithRevocation sets the store asked, after the claim checks and before the
// user is loaded, whether a token has been revoked. A revoked token is
// refused with [ErrRevoked]; a store error refuses it with
// [ErrRevocationUnavailable] (fail closed). Tokens must then carry a jti.
// Default: none.
func WithRevocation(r RevocationChecker) VerifierOption {
	return verifierOption(func(c *verifierConfig) error {
		if r == nil {
			return fmt.Errorf("%w: nil revocation checker", ErrConfig)
		}
		c.revocation = r
		return nil
	})
}
