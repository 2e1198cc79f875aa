package testutil

import (
	"context"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Env is a test environment built on one [Key] and one [Clock]: an Issuer
// that signs with the key, a Verifier that trusts its public half, both
// reading the clock, and a [Forger] for bad tokens that agrees with them. U
// is the application's user type and C its claims type, as in
// jwtx.Issuer and jwtx.Verifier. Move Clock to test expiry without
// sleeping. Everything an Env holds is safe for concurrent use.
type Env[U any, C jwtx.Claims] struct {
	Key      *Key
	Clock    *Clock
	Issuer   *jwtx.Issuer[U, C]
	Verifier *jwtx.Verifier[U, C]
	Forger   *Forger
}

// An EnvOption configures [NewEnv].
type EnvOption interface{ applyEnv(*envConfig) }

type envConfig struct {
	key          *Key
	clock        *Clock
	start        time.Time
	issuerOpts   []jwtx.IssuerOption
	verifierOpts []jwtx.VerifierOption
	forge        forgeConfig
}

type envOption func(*envConfig)

func (o envOption) applyEnv(c *envConfig) { o(c) }

// WithKey sets the key of the environment. Default: NewKey(tb, jwtx.EdDSA),
// which is the same in every run.
func WithKey(k *Key) EnvOption { return envOption(func(c *envConfig) { c.key = k }) }

// WithTime sets the time the environment's clock starts at. Default:
// 2026-01-02T03:04:05Z.
func WithTime(t time.Time) EnvOption { return envOption(func(c *envConfig) { c.start = t }) }

// WithClock makes the environment read clock, so that a store or a
// server built before the environment shares its time. It overrides
// [WithTime]. Default: a clock of the environment's own.
func WithClock(clock *Clock) EnvOption { return envOption(func(c *envConfig) { c.clock = clock }) }

// WithIssuerOptions adds options for the Issuer, such as jwtx.WithIdentity,
// jwtx.WithClaims or jwtx.WithCSRF. They apply after the environment's own,
// so they win; a jwtx.WithClock among them detaches the Issuer from the
// environment's clock. Default: none.
func WithIssuerOptions(opts ...jwtx.IssuerOption) EnvOption {
	return envOption(func(c *envConfig) { c.issuerOpts = append(c.issuerOpts, opts...) })
}

// WithVerifierOptions adds options for the Verifier, such as
// jwtx.WithUserLoader or jwtx.WithLeeway. They apply after the
// environment's own, so they win. Default: none.
func WithVerifierOptions(opts ...jwtx.VerifierOption) EnvOption {
	return envOption(func(c *envConfig) { c.verifierOpts = append(c.verifierOpts, opts...) })
}

// WithSharedOptions adds options for both the Issuer and the Verifier. Set
// the issuer, audience, subject and header types with this package's
// [WithIssuer], [WithAudience], [WithSubject] and [WithHeaderTypes] instead,
// so that the Forger agrees. Default: none.
func WithSharedOptions(opts ...jwtx.Option) EnvOption {
	return envOption(func(c *envConfig) {
		for _, o := range opts {
			c.issuerOpts = append(c.issuerOpts, o)
			c.verifierOpts = append(c.verifierOpts, o)
		}
	})
}

// NewEnv builds an [Env]. The Issuer and the Verifier share the key, the
// clock and the settings of [WithIssuer], [WithAudience] and
// [WithHeaderTypes]; the Forger uses them too, with [WithSubject].
//
// For U string the user is the subject, both ways: the Verifier's default
// UserLoader returns the subject. For U jwtx.NoUser the Issuer's default
// IdentityFunc returns the [WithSubject] subject. Any other U needs
// jwtx.WithIdentity in [WithIssuerOptions] and jwtx.WithUserLoader in
// [WithVerifierOptions]. A configuration jwtx refuses fails the test.
func NewEnv[U any, C jwtx.Claims](tb testing.TB, opts ...EnvOption) *Env[U, C] {
	tb.Helper()
	cfg := envConfig{start: defaultStart(), forge: defaultForge()}
	for _, o := range opts {
		if o == nil {
			tb.Fatalf("testutil: nil EnvOption")
		}
		o.applyEnv(&cfg)
	}
	if cfg.key == nil {
		cfg.key = NewKey(tb, jwtx.EdDSA)
	}
	clock := cfg.clock
	if clock == nil {
		clock = NewClock(cfg.start)
	}
	f := cfg.forge
	shared := []jwtx.Option{jwtx.WithClock(clock), jwtx.WithHeaderTypes(f.accessTyp, f.refreshTyp)}
	if f.issuer != "" {
		shared = append(shared, jwtx.WithIssuer(f.issuer))
	}
	if len(f.audience) > 0 {
		shared = append(shared, jwtx.WithAudience(f.audience...))
	}
	var iopts []jwtx.IssuerOption
	var vopts []jwtx.VerifierOption
	for _, o := range shared {
		iopts = append(iopts, o)
		vopts = append(vopts, o)
	}
	if _, ok := any(*new(U)).(jwtx.NoUser); ok {
		sub := f.subject
		iopts = append(iopts, jwtx.WithIdentity(jwtx.IdentityFunc[U](func(U) (string, error) { return sub, nil })))
	}
	iss, err := jwtx.NewIssuer[U, C](cfg.key.Private(), append(iopts, cfg.issuerOpts...)...)
	if err != nil {
		tb.Fatalf("testutil: NewEnv: %v", err)
	}
	ver, err := jwtx.NewVerifier[U, C](cfg.key.Public(), append(vopts, cfg.verifierOpts...)...)
	if err != nil {
		tb.Fatalf("testutil: NewEnv: %v", err)
	}
	return &Env[U, C]{
		Key:      cfg.key,
		Clock:    clock,
		Issuer:   iss,
		Verifier: ver,
		Forger:   &Forger{key: cfg.key, clock: clock, cfg: f},
	}
}

// defaultStart is the time an environment's clock starts at.
func defaultStart() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// Access issues an access token for user with the environment's Issuer. An
// issue error fails the test.
func (e *Env[U, C]) Access(tb testing.TB, user U, opts ...jwtx.IssueOption) jwtx.Token {
	tb.Helper()
	tok, err := e.Issuer.Access(context.Background(), user, opts...)
	if err != nil {
		tb.Fatalf("testutil: issue access token: %v", err)
	}
	return tok
}

// Refresh issues a refresh token for user with the environment's Issuer. An
// issue error fails the test.
func (e *Env[U, C]) Refresh(tb testing.TB, user U, opts ...jwtx.IssueOption) jwtx.Token {
	tb.Helper()
	tok, err := e.Issuer.Refresh(context.Background(), user, opts...)
	if err != nil {
		tb.Fatalf("testutil: issue refresh token: %v", err)
	}
	return tok
}

// Pair issues an access and a refresh token for user with the
// environment's Issuer. An issue error fails the test.
func (e *Env[U, C]) Pair(tb testing.TB, user U, opts ...jwtx.IssueOption) jwtx.TokenPair {
	tb.Helper()
	p, err := e.Issuer.Pair(context.Background(), user, opts...)
	if err != nil {
		tb.Fatalf("testutil: issue token pair: %v", err)
	}
	return p
}
