package jwtx

import (
	"fmt"
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
	return applyOptions(l, func(o Option) error { return o.applyIssuer(c) })
}

func (l optionList) applyVerifier(c *verifierConfig) error {
	return applyOptions(l, func(o Option) error { return o.applyVerifier(c) })
}

// applyOptions applies each option with apply, refusing a nil one.
func applyOptions[O any](opts []O, apply func(O) error) error {
	for _, o := range opts {
		if any(o) == nil {
			return fmt.Errorf("%w: nil option in the list", ErrConfig)
		}
		if err := apply(o); err != nil {
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
	flask          bool // FlaskCompat
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
// [NewKeyRing], [NewMemoryStore] and [NewIssuerResolver] all take the one
// [WithClock].
type ClockOption interface {
	Option
	CacheOption
	RemoteOption
	KeyRingOption
	MemoryStoreOption
	ResolverOption
}

// WithClock sets the source of the current time, for tests and for
// deterministic examples; every constructor that reads time takes it.
// Default: the system clock.
func WithClock(c Clock) ClockOption { return clockOption{c} }

type clockOption struct{ c Clock }

func (o clockOption) clock() (Clock, error) {
	if o.c == nil {
		return nil, fmt.Errorf("%w: nil clock: pass a Clock, or leave WithClock out for the system clock", ErrConfig)
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
func (o clockOption) applyResolver(c *resolverConfig) error { return o.set(&c.clock) }

// WithIssuer sets the iss claim. An Issuer writes it into every token; a
// Verifier requires it, compared byte for byte (no trailing-slash or case
// normalisation). Default: no iss written, none required.
func WithIssuer(iss string) Option {
	return sharedOption(func(s *shared) error {
		if iss == "" {
			return fmt.Errorf("%w: empty issuer: pass the iss value, or leave WithIssuer out", ErrConfig)
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
			return fmt.Errorf("%w: WithAudience without an audience: pass at least one, or leave it out", ErrConfig)
		}
		for _, a := range aud {
			if a == "" {
				return fmt.Errorf("%w: an empty audience: audiences are non-empty strings", ErrConfig)
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
		a, r := withoutApplication(access), withoutApplication(refresh) // the option may be applied again, concurrently
		if a == "" || r == "" {
			return fmt.Errorf("%w: an empty header type: pass the typ values, such as \"at+jwt\" and \"refresh+jwt\"", ErrConfig)
		}
		s.accessTyp, s.refreshTyp = a, r
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
