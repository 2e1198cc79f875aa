package jwtx

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx/internal/ascii"
)

// An IssuerOption configures an [Issuer]. Only this package can create them.
type IssuerOption interface {
	applyIssuer(*issuerConfig) error
}

// A VerifierOption configures a [Verifier]. Only this package can create them.
type VerifierOption interface {
	applyVerifier(*verifierConfig) error
}

// An Option configures both an [Issuer] and a [Verifier], so that shared
// settings keep the two in agreement; [Options] bundles several.
type Option interface {
	IssuerOption
	VerifierOption
}

// Options bundles options into one that configures both an Issuer and a
// Verifier, so a list of shared options goes to both constructors:
//
//	shared := jwtx.Options(jwtx.WithIssuer("https://id.example.com"), jwtx.WithAudience("api"))
//	iss, err := jwtx.NewIssuer[User, Claims](key, shared, jwtx.WithIdentity(...))
//	ver, err := jwtx.NewVerifier[User, Claims](key, shared, jwtx.WithUserLoader(...))
func Options(opts ...Option) Option { return optionList(opts) }

type optionList []Option

func (l optionList) applyIssuer(c *issuerConfig) error {
	for _, o := range l {
		if o == nil {
			return fmt.Errorf("%w: nil option", ErrConfig)
		}
		if err := o.applyIssuer(c); err != nil {
			return err
		}
	}
	return nil
}

func (l optionList) applyVerifier(c *verifierConfig) error {
	for _, o := range l {
		if o == nil {
			return fmt.Errorf("%w: nil option", ErrConfig)
		}
		if err := o.applyVerifier(c); err != nil {
			return err
		}
	}
	return nil
}

// shared holds the settings both sides use.
type shared struct {
	clock          Clock
	issuer         string
	audience       []string
	accessTyp      string
	refreshTyp     string
	expiryOptional bool
}

func defaultShared() shared {
	return shared{clock: systemClock{}, accessTyp: "at+jwt", refreshTyp: "refresh+jwt"}
}

// sharedOption adapts a function over the shared settings to both option
// interfaces.
type sharedOption func(*shared) error

func (o sharedOption) applyIssuer(c *issuerConfig) error     { return o(&c.shared) }
func (o sharedOption) applyVerifier(c *verifierConfig) error { return o(&c.shared) }

// A ClockOption sets the clock of any constructor that reads time:
// [NewIssuer], [NewVerifier], [NewUserCache], [NewRemoteKeySet],
// [NewKeyRing] and [NewMemoryStore] all take the one [WithClock].
type ClockOption interface {
	Option
	CacheOption
	RemoteOption
	KeyRingOption
	MemoryStoreOption
}

// WithClock sets the source of the current time, for tests and for
// deterministic examples; every constructor that reads time takes it.
// Default: the system clock.
func WithClock(c Clock) ClockOption { return clockOption{c} }

type clockOption struct{ c Clock }

func (o clockOption) clock() (Clock, error) {
	if o.c == nil {
		return nil, fmt.Errorf("%w: nil clock", ErrConfig)
	}
	return o.c, nil
}

func (o clockOption) set(dst *Clock) error {
	c, err := o.clock()
	if err == nil {
		*dst = c
	}
	return err
}

func (o clockOption) applyIssuer(c *issuerConfig) error     { return o.set(&c.clock) }
func (o clockOption) applyVerifier(c *verifierConfig) error { return o.set(&c.clock) }
func (o clockOption) applyCache(c *cacheConfig) error       { return o.set(&c.clock) }
func (o clockOption) applyRemote(c *remoteConfig) error     { return o.set(&c.clock) }
func (o clockOption) applyKeyRing(r *KeyRing) error         { return o.set(&r.clock) }
func (o clockOption) applyMemoryStore(s *MemoryStore) error { return o.set(&s.clock) }

// WithIssuer sets the iss claim. An Issuer writes it into every token; a
// Verifier requires it, compared byte for byte (no trailing-slash or case
// normalisation). Default: no iss written, none required.
func WithIssuer(iss string) Option {
	return sharedOption(func(s *shared) error {
		if iss == "" {
			return fmt.Errorf("%w: empty issuer", ErrConfig)
		}
		s.issuer = iss
		return nil
	})
}

// WithAudience sets the aud claim. An Issuer writes it into every token
// (one value as a string, several as an array); a Verifier requires a token's
// aud to contain at least one of them, compared exactly. A Verifier without
// an audience refuses tokens that carry an aud claim (RFC 7519 §4.1.3).
// Default: none.
func WithAudience(aud ...string) Option {
	return sharedOption(func(s *shared) error {
		if len(aud) == 0 {
			return fmt.Errorf("%w: no audience given", ErrConfig)
		}
		for _, a := range aud {
			if a == "" {
				return fmt.Errorf("%w: empty audience", ErrConfig)
			}
		}
		s.audience = append([]string(nil), aud...)
		return nil
	})
}

// WithHeaderTypes sets the header typ of access and refresh tokens. A
// Verifier compares it case-insensitively with an optional "application/"
// prefix (RFC 7515 §4.1.9), and always checks the type claim as well. To
// verify tokens from flask-jwt-extended, whose headers say "JWT" for both,
// pass "JWT", "JWT": the type claim still tells them apart. Default:
// "at+jwt" (RFC 9068) and "refresh+jwt".
func WithHeaderTypes(access, refresh string) Option {
	return sharedOption(func(s *shared) error {
		access, refresh = withoutApplication(access), withoutApplication(refresh)
		if access == "" || refresh == "" {
			return fmt.Errorf("%w: empty header type", ErrConfig)
		}
		s.accessTyp, s.refreshTyp = access, refresh
		return nil
	})
}

// WithExpiryRequired says whether tokens must carry exp. With false, an
// Issuer accepts the per-call [NeverExpires] and a Verifier accepts tokens
// without exp (those that carry one are still checked). A token that never
// expires stays valid until its key is retired or it is revoked, so leave
// this on unless tokens are revoked individually. Default: true.
func WithExpiryRequired(required bool) Option {
	return sharedOption(func(s *shared) error {
		s.expiryOptional = !required
		return nil
	})
}

// withoutApplication drops an "application/" prefix from a media type.
func withoutApplication[T ~string | ~[]byte](typ T) T {
	const prefix = "application/"
	if len(typ) > len(prefix) && ascii.EqualFold(typ[:len(prefix)], prefix) {
		return typ[len(prefix):]
	}
	return typ
}

// typMatches compares a header typ with the expected one: RFC 7515 §4.1.9
// media types compare case-insensitively and may omit "application/".
func typMatches(got []byte, want string) bool {
	return ascii.EqualFold(withoutApplication(got), want)
}

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
			return fmt.Errorf("%w: nil IdentityFunc", ErrConfig)
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
			return fmt.Errorf("%w: nil ClaimsFunc", ErrConfig)
		}
		c.claims = f
		return nil
	})
}

// WithAccessTTL sets the lifetime of access tokens. Default: 15 minutes.
func WithAccessTTL(d time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: access token lifetime %v", ErrConfig, d)
		}
		c.accessTTL = d
		return nil
	})
}

// WithRefreshTTL sets the lifetime of refresh tokens. Default: 30 days.
func WithRefreshTTL(d time.Duration) IssuerOption {
	return issuerOption(func(c *issuerConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: refresh token lifetime %v", ErrConfig, d)
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
			return fmt.Errorf("%w: header parameter %q cannot be set", ErrConfig, name)
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
				return fmt.Errorf("%w: %q is not a reserved claim", ErrConfig, name)
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
