package jwtx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/typedjwt/typedjwt/jwtx/internal/reqctx"
)

// Expect names the kind of token a verification requires.
type Expect uint8

// The kinds of token a verification can require.
const (
	// ExpectAccess requires an access token.
	ExpectAccess Expect = iota
	// ExpectFresh requires an access token that is fresh now.
	ExpectFresh
	// ExpectRefresh requires a refresh token.
	ExpectRefresh
)

// Verifier checks tokens and returns their typed claims and user. U is the
// application's user type ([NoUser] when there is none) and C its claims
// type, a struct embedding [RegisteredClaims].
//
// Every check is strict by default: the header alg must be exactly the
// algorithm of the key the kid selects from the configured keys (the token
// never supplies a key: jwk, jku, x5u and x5c headers are ignored, "none" is
// never accepted); crit, b64, zip and JWE are refused; the token must be
// compact, strict base64url, at most 8 KiB, with a header and claims that
// are each one JSON object without duplicate names; exp is required; the
// header typ and the type claim must both match the expected token type.
//
// A Verifier is immutable and safe for concurrent use.
type Verifier[U any, C Claims] struct {
	keys      VerificationKeys
	cfg       verifierConfig
	names     claimNames
	loader    UserLoader[U]
	checks    []func(context.Context, C) error
	compact   compactDecoder
	validates bool // C or *C has a Validate() error method
}

// NewVerifier builds a Verifier that trusts keys. Options configure the
// rest; see [VerifierOption] and [Option]. It needs a [WithUserLoader] for
// U, unless U is [NoUser] (no user is loaded) or string (the subject is the
// user).
func NewVerifier[U any, C Claims](keys VerificationKeys, opts ...VerifierOption) (*Verifier[U, C], error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: no verification keys: pass a *Key, a KeySet, a KeyRing or a RemoteKeySet", ErrConfig)
	}
	if err := keys.usable(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if k, ok := keys.(*Key); ok {
		keys = k.Public() // a Verifier holds no private key
	}
	v := &Verifier[U, C]{keys: keys, cfg: verifierConfig{shared: defaultShared(), maxSize: DefaultMaxTokenSize}}
	if err := applyOptions(opts, func(o VerifierOption) error { return o.applyVerifier(&v.cfg) }); err != nil {
		return nil, err
	}
	names, err := inspectClaims[C]()
	if err != nil {
		return nil, err
	}
	v.names = names
	if v.loader, err = userLoaderOf[U](v.cfg.loader); err != nil {
		return nil, err
	}
	if v.checks, err = checksOf[C](v.cfg.checks); err != nil {
		return nil, err
	}
	if static := keys.algorithms(); len(v.cfg.algorithms) > 0 && len(static) > 0 {
		if !slices.ContainsFunc(static, func(a Algorithm) bool { return slices.Contains(v.cfg.algorithms, a) }) {
			return nil, fmt.Errorf("%w: WithAlgorithms excludes the algorithm of every configured key: allow the keys' algorithms, or configure keys of the allowed ones", ErrConfig)
		}
	}
	if err := v.checkIssuers(); err != nil {
		return nil, err
	}
	if v.cfg.profile && len(v.cfg.audience) == 0 {
		if _, ok := keys.(issuerSource); !ok {
			return nil, fmt.Errorf("%w: WithAccessTokenProfile needs WithAudience: RFC 9068 access tokens must be checked for this service's audience", ErrConfig)
		}
	}
	_, v.validates = any(new(C)).(validator)
	v.compact = newCompactDecoder()
	return v, nil
}

// userLoaderOf returns the UserLoader of WithUserLoader, or the default one
// for U: none for NoUser, the subject for string.
func userLoaderOf[U any](configured any) (UserLoader[U], error) {
	if configured != nil {
		l, ok := configured.(UserLoader[U])
		if !ok {
			return nil, fmt.Errorf("%w: WithUserLoader loads %T, the verifier's user type is %T", ErrConfig, configured, *new(U))
		}
		return l, nil
	}
	switch any(*new(U)).(type) {
	case NoUser:
		return nil, nil
	case string:
		return func(_ context.Context, subject string) (U, error) { return any(subject).(U), nil }, nil
	}
	return nil, fmt.Errorf("%w: a verifier for user type %T needs WithUserLoader (or use NewClaimsVerifier, or string as the user type)", ErrConfig, *new(U))
}

// checksOf returns the WithCheck functions, typed for C.
func checksOf[C Claims](configured []any) ([]func(context.Context, C) error, error) {
	checks := make([]func(context.Context, C) error, 0, len(configured))
	for _, c := range configured {
		f, ok := c.(func(context.Context, C) error)
		if !ok {
			return nil, fmt.Errorf("%w: WithCheck takes %T, the verifier's claims type is %T", ErrConfig, c, *new(C))
		}
		checks = append(checks, f)
	}
	return checks, nil
}

// NewClaimsVerifier builds a Verifier that checks claims and loads no user:
//
//	v, err := jwtx.NewClaimsVerifier[Claims](key)
func NewClaimsVerifier[C Claims](keys VerificationKeys, opts ...VerifierOption) (*Verifier[NoUser, C], error) {
	return NewVerifier[NoUser, C](keys, opts...)
}

// Verify checks an access token and loads its user. On success it returns
// the typed claims and user; on failure zero values and an error that wraps
// one of the sentinel errors (ErrExpired, ErrSignature, ...), so errors.Is
// tells the reason. A signature failure is always reported as such, never
// hidden behind a claim error.
func (v *Verifier[U, C]) Verify(ctx context.Context, token string) (C, U, error) {
	return v.verify(ctx, token, ExpectAccess)
}

// VerifyFresh is [Verifier.Verify] for an access token that must be fresh
// now; a stale one fails with [ErrNotFresh].
func (v *Verifier[U, C]) VerifyFresh(ctx context.Context, token string) (C, U, error) {
	return v.verify(ctx, token, ExpectFresh)
}

// VerifyRefresh is [Verifier.Verify] for a refresh token; an access token
// fails with [ErrTokenType].
func (v *Verifier[U, C]) VerifyRefresh(ctx context.Context, token string) (C, U, error) {
	return v.verify(ctx, token, ExpectRefresh)
}

func (v *Verifier[U, C]) verify(ctx context.Context, token string, want Expect) (C, U, error) {
	var zc C
	var zu U
	c, _, err := v.VerifyClaims(ctx, token, want)
	if err != nil {
		return zc, zu, err
	}
	if v.loader == nil {
		return c, zu, nil
	}
	u, err := v.LoadUser(reqctx.WithClaims(ctx, c), c)
	if err != nil {
		return zc, zu, err
	}
	return c, u, nil
}

// MaxTokenSize returns the longest token the Verifier reads; see
// [WithMaxTokenSize].
func (v *Verifier[U, C]) MaxTokenSize() int { return v.cfg.maxSize }

// Now returns the current time by the Verifier's clock, so code around it
// (cookie lifetimes, refresh windows) agrees with its expiry checks.
func (v *Verifier[U, C]) Now() time.Time { return v.cfg.clock.Now() }

// LoadUser loads the user of verified claims with the UserLoader. ctx is
// passed to the loader with the claims added when it does not carry them.
// A Verifier for [NoUser] returns the zero NoUser. Errors are a
// [*UserError] wrapping [ErrUserNotFound] or [ErrUserLoad].
func (v *Verifier[U, C]) LoadUser(ctx context.Context, claims C) (U, error) {
	var zero U
	if v.loader == nil {
		return zero, nil
	}
	if _, ok := From[C](ctx); !ok {
		ctx = reqctx.WithClaims(ctx, claims)
	}
	sub := claims.registered().Subject
	u, err := v.loader(ctx, sub)
	if err != nil {
		if !errors.Is(err, ErrUserNotFound) {
			err = fmt.Errorf("%w: %w", ErrUserLoad, err)
		}
		return zero, &UserError{Subject: sub, Err: err}
	}
	return u, nil
}

// VerifyClaims checks a token of the expected kind without loading a user,
// and returns its typed claims and its raw payload. Use it where the user is
// loaded later or not at all; [Verifier.Verify] is VerifyClaims followed by
// [Verifier.LoadUser].
func (v *Verifier[U, C]) VerifyClaims(ctx context.Context, token string, want Expect) (C, RawClaims, error) {
	return v.verifyClaims(ctx, token, want, false)
}

func (v *Verifier[U, C]) verifyClaims(ctx context.Context, token string, want Expect, expiredOK bool) (C, RawClaims, error) {
	var zero C
	if len(token) > v.cfg.maxSize {
		return zero, nil, ErrTooLarge
	}
	tok, err := v.compact.split(token)
	if err != nil {
		return zero, nil, err
	}
	hdr, err := v.compact.header(&tok)
	if err != nil {
		return zero, nil, err
	}
	tr, payload, err := v.trustFor(ctx, tok) // with an IssuerSet, the keys of the token's iss
	if err != nil {
		return zero, nil, err
	}
	if len(tr.algorithms) > 0 && !slices.Contains(tr.algorithms, Algorithm(hdr.alg)) {
		return zero, nil, &HeaderError{Param: "alg", Err: ErrAlgorithm}
	}
	key, err := tr.keys.verificationKey(ctx, hdr.kid, hdr.hasKID, hdr.alg)
	if err != nil {
		param := "kid"
		if errors.Is(err, ErrAlgorithm) {
			param = "alg"
		}
		return zero, nil, &HeaderError{Param: param, Err: err}
	}
	if err := v.compact.verify(key, tok); err != nil {
		return zero, nil, err
	}
	if err := v.checkHeader(&hdr, want, &tr); err != nil {
		return zero, nil, err
	}
	if payload == nil {
		if payload, err = tok.claims(); err != nil {
			return zero, nil, err
		}
	}
	var c C
	if err := decodeClaims(payload, string(payload), &v.names, v.cfg.flask, &c); err != nil {
		return zero, nil, err
	}
	r := registeredOf(&c)
	refuse := func(err error) (C, RawClaims, error) {
		return zero, nil, &TokenError{Token: r.Info(), Claims: payload, Err: err}
	}
	if err := v.checkRegistered(r, want, expiredOK, &tr, payload); err != nil {
		return refuse(err)
	}
	if err := v.runChecks(ctx, &c); err != nil {
		return refuse(err)
	}
	if v.cfg.revocation != nil {
		revoked, err := v.cfg.revocation.Revoked(ctx, r.Info())
		switch {
		case err != nil:
			return refuse(fmt.Errorf("%w: %w", ErrRevocationUnavailable, err))
		case revoked:
			return refuse(ErrRevoked)
		}
	}
	return c, payload, nil
}

// checkRegistered applies the registered-claim rules and reports every
// failing claim.
func (v *Verifier[U, C]) checkRegistered(r *RegisteredClaims, want Expect, expiredOK bool, tr *trust, payload []byte) error {
	now := v.cfg.clock.Now()
	var errs []error
	fail := func(claim string, err error) { errs = append(errs, &ClaimError{Claim: claim, Err: err}) }

	wantType := Access
	if want == ExpectRefresh {
		wantType = Refresh
	}
	switch {
	case v.cfg.profile:
		v.checkProfile(r, tr, payload, fail)
	case r.Type != wantType:
		fail("type", fmt.Errorf("%w: a %s token where %s is needed", ErrTokenType, tokenKind(r.Type), tokenKind(wantType)))
	}
	if r.Subject == "" {
		fail("sub", ErrMissingClaim)
	}
	v.checkTimes(r, now, expiredOK, fail)
	if tr.issuer != "" && r.Issuer != tr.issuer {
		fail("iss", ErrIssuer)
	}
	if !audienceOK(tr.audience, r.Audience) {
		if len(tr.audience) == 0 {
			fail("aud", fmt.Errorf("%w: the token names an audience and this verifier expects none: configure WithAudience with the audience this service is", ErrAudience))
		} else {
			fail("aud", fmt.Errorf("%w: the token is not for %s: check WithAudience, or the audience the issuer writes", ErrAudience, quoteList(tr.audience)))
		}
	}
	if r.ID == "" && v.cfg.revocation != nil {
		fail("jti", ErrMissingClaim)
	}
	if want == ExpectFresh && !r.Fresh.At(now) {
		fail("fresh", ErrNotFresh)
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

// checkTimes applies the rules of exp, nbf and iat, with the leeway.
func (v *Verifier[U, C]) checkTimes(r *RegisteredClaims, now time.Time, expiredOK bool, fail func(claim string, err error)) {
	leeway := v.cfg.leeway
	switch {
	case r.ExpiresAt.IsZero():
		if !v.cfg.expiryOptional {
			fail("exp", ErrMissingClaim)
		}
	case !expiredOK && !now.Before(r.ExpiresAt.Add(leeway)):
		fail("exp", ErrExpired)
	}
	if !r.NotBefore.IsZero() && now.Add(leeway).Before(r.NotBefore.Time) {
		fail("nbf", ErrNotYetValid)
	}
	switch {
	case r.IssuedAt.IsZero():
		if v.cfg.maxAge > 0 {
			fail("iat", ErrMissingClaim)
		}
	case now.Add(leeway).Before(r.IssuedAt.Time):
		fail("iat", ErrIssuedAt)
	case v.cfg.maxAge > 0 && now.Sub(r.IssuedAt.Time) > v.cfg.maxAge+leeway:
		fail("iat", ErrIssuedAt)
	}
}

// audienceOK reports whether aud contains one of the expected audiences,
// or, with none expected, whether the token has no audience (RFC 7519
// section 4.1.3).
func audienceOK(expected []string, aud Audience) bool {
	if len(expected) == 0 {
		return aud == nil
	}
	return slices.ContainsFunc(expected, aud.Contains)
}

// validator is implemented by claims types that check themselves.
type validator interface{ Validate() error }

// runChecks runs the claims type's Validate method and the WithCheck checks.
func (v *Verifier[U, C]) runChecks(ctx context.Context, c *C) error {
	if v.validates {
		if err := any(c).(validator).Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrClaims, err)
		}
	}
	for _, check := range v.checks {
		if err := check(ctx, *c); err != nil {
			return fmt.Errorf("%w: %w", ErrClaims, err)
		}
	}
	return nil
}
