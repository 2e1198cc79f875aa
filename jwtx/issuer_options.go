package jwtx

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// issuerConfig is the configuration of an Issuer.
type issuerConfig struct {
	shared
	accessTTL     time.Duration
	refreshTTL    time.Duration
	identity      any
	claims        any
	headers       map[string]string
	csrf          bool
	refreshClaims bool
	overrides     map[string]bool
	families      bool
	rotation      RotationStore
	random        io.Reader
}

type issuerOption func(*issuerConfig) error

func (o issuerOption) applyIssuer(c *issuerConfig) error { return o(c) }

// WithIdentity sets the function that turns a user into the token subject.
// It is called once per token, or once per pair. Required unless U is string,
// in which case the user is the subject.
func WithIdentity[U any](f IdentityFunc[U]) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		if f == nil {
			return fmt.Errorf("%w: nil IdentityFunc: pass a function from the user to its subject", ErrConfig)
		}
		c.identity = f
		return nil
	})
}

// WithClaims sets the function that builds the typed claims of an access
// token from a user. It is called once per access token, or once per pair.
// It must leave the reserved claims (sub, exp, iat, nbf, jti, type, fresh,
// csrf, fam) unset unless [AllowOverride] names them; it may set iss and aud.
// Default: the zero C.
func WithClaims[U any, C Claims](f ClaimsFunc[U, C]) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		if f == nil {
			return fmt.Errorf("%w: nil ClaimsFunc: pass a function that builds the claims, or leave WithClaims out", ErrConfig)
		}
		c.claims = f
		return nil
	})
}

// WithAccessTTL sets the lifetime of access tokens. Default: 15 minutes.
func WithAccessTTL(d time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: access token lifetime %v: it must be positive", ErrConfig, d)
		}
		c.accessTTL = d
		return nil
	})
}

// WithRefreshTTL sets the lifetime of refresh tokens. Default: 30 days.
func WithRefreshTTL(d time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: refresh token lifetime %v: it must be positive", ErrConfig, d)
		}
		c.refreshTTL = d
		return nil
	})
}

// reservedHeader reports whether name is, under case folding, a header
// parameter an Issuer writes itself or that a verifier must not be asked to
// act on. Case variants count: the verifier refuses a header holding two
// names equal under case folding.
func reservedHeader(name string) bool {
	for _, r := range []string{"alg", "kid", "typ", "crit", "b64", "zip", "enc", "cty", "jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"} {
		if strings.EqualFold(name, r) {
			return true
		}
	}
	return false
}

// WithHeader adds a string parameter to the JOSE header of every token. The
// parameters the library owns or refuses (alg, kid, typ, crit, b64, zip, enc,
// cty, jwk, jku, x5u, x5c, x5t, x5t#S256), in any case, cannot be set, nor
// two names equal under case folding. Default: none.
func WithHeader(name, value string) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		if name == "" || reservedHeader(name) {
			return fmt.Errorf("%w: header parameter %q cannot be set with WithHeader: the Issuer writes alg, typ and kid itself, and crit, b64, zip, jku, jwk, x5u and x5c would make verifiers refuse or misread the token", ErrConfig, name)
		}
		for other := range c.headers {
			if other != name && strings.EqualFold(other, name) {
				return fmt.Errorf("%w: header parameters %q and %q differ only in case", ErrConfig, other, name)
			}
		}
		if c.headers == nil {
			c.headers = make(map[string]string)
		}
		c.headers[name] = value
		return nil
	})
}

// WithCSRF says whether every token carries a csrf claim (128 random bits),
// for the double-submit protection of tokens sent in cookies. Default: false.
func WithCSRF(on bool) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		c.csrf = on
		return nil
	})
}

// WithRefreshClaims says whether refresh tokens carry the ClaimsFunc output
// and per-call claims too. Off, a refresh token carries only what refresh
// needs: sub, type, jti, iat, nbf, exp, and iss, aud, csrf and fam when set.
// Default: false.
func WithRefreshClaims(on bool) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		c.refreshClaims = on
		return nil
	})
}

// reservedClaim reports whether name is a claim the Issuer sets itself.
func reservedClaim(name string) bool {
	switch name {
	case "sub", "exp", "iat", "nbf", "jti", "type", "fresh", "csrf", "fam":
		return true
	}
	return false
}

// AllowOverride lets ClaimsFunc output, [Issuer.Modify] and [ExtraClaims] set the
// named reserved claims (sub, exp, iat, nbf, jti, type, fresh, csrf, fam); a value
// they set then wins over the Issuer's. Without it, setting a reserved claim
// fails the issue with [ErrReservedClaim], which catches a ClaimsFunc that
// overwrites sub or exp by accident. Default: none allowed.
func AllowOverride(claims ...string) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		for _, name := range claims {
			if !reservedClaim(name) {
				return fmt.Errorf("%w: %q is not a reserved claim; AllowOverride takes sub, exp, iat, nbf, jti, type, fresh, csrf or fam", ErrConfig, name)
			}
			if c.overrides == nil {
				c.overrides = make(map[string]bool)
			}
			c.overrides[name] = true
		}
		return nil
	})
}

// WithFamilies says whether tokens carry a fam claim naming the login they
// descend from, for refresh-token rotation with reuse detection (see
// [RotationStore]). Pair and Refresh start a new family unless [InFamily]
// continues one; Access joins the family given by InFamily, if any.
// Default: false.
func WithFamilies(on bool) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		c.families = on
		return nil
	})
}

// WithRotation turns families on, as [WithFamilies](true) does, and starts
// each new family in store (see [RotationStore.Start]) as its first refresh
// token is issued, so that the store refuses a family it does not know
// instead of taking it for a new one. Give the same store to the refresh
// endpoint (httpx.WithRotation). A store that cannot record the family
// fails the issue with an error wrapping [ErrRevocationUnavailable].
// Default: no store.
func WithRotation(store RotationStore) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		if store == nil {
			return fmt.Errorf("%w: nil rotation store", ErrConfig)
		}
		c.families, c.rotation = true, store
		return nil
	})
}

// WithRandom sets the source of jti and csrf values. Default: crypto/rand.
func WithRandom(r io.Reader) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		if r == nil {
			return fmt.Errorf("%w: nil random source", ErrConfig)
		}
		c.random = r
		return nil
	})
}
