// Package reqctx holds the request-context values of a verified token:
// claims, raw claims and a user that may load on first use. jwtx reads them
// (From, UserFrom, RawFrom) and httpx stores them; the keys live here so
// that neither exports a way to forge them.
package reqctx

import (
	"context"
	"sync"
)

// claimsKey is the context key of claims of type C: one private key per type.
type claimsKey[C any] struct{}

// userKey is the context key of a user of type U.
type userKey[U any] struct{}

// rawKey is the context key of the raw claims.
type rawKey struct{}

// The values are context.WithValue values, so that code which copies a
// context's values by walking its chain (fiber's net/http adaptor does)
// finds them. They are pointers, which fit in an interface without an
// allocation: reading them allocates nothing.

// WithClaims returns a copy of ctx that carries claims.
func WithClaims[C any](ctx context.Context, claims C) context.Context {
	return context.WithValue(ctx, claimsKey[C]{}, &claims)
}

// Claims returns the claims of type C in ctx.
func Claims[C any](ctx context.Context) (C, bool) {
	if c, ok := ctx.Value(claimsKey[C]{}).(*C); ok {
		return *c, true
	}
	var zero C
	return zero, false
}

// A Verified holds the request-context values of one verified token in
// one allocation: its claims, raw claims and location (where the request
// carried it), and its user, added once known.
type Verified[U, C any] struct {
	claims C
	raw    []byte
	loc    uint8
	user   userCell[U]
}

// WithVerified returns a copy of ctx that carries the claims, raw claims
// and location of a verified token, and the record that holds them, whose
// WithUser and WithLazyUser add the user.
func WithVerified[U, C any](ctx context.Context, claims C, raw []byte, loc uint8) (context.Context, *Verified[U, C]) {
	v := &Verified[U, C]{claims: claims, raw: raw, loc: loc}
	ctx = context.WithValue(ctx, claimsKey[C]{}, &v.claims)
	return context.WithValue(ctx, rawKey{}, v), v
}

// WithUser returns a copy of ctx, a context WithVerified returned or one
// derived from it, that carries user. The user is held in v, which no
// context reaches before this call.
func (v *Verified[U, C]) WithUser(ctx context.Context, user U) context.Context {
	v.user.user = user
	return context.WithValue(ctx, userKey[U]{}, &v.user)
}

// WithLazyUser is WithUser for a user that load loads on first use, as
// the package's WithLazyUser.
func (v *Verified[U, C]) WithLazyUser(ctx context.Context, load func(context.Context) (U, error)) context.Context {
	v.user.load = load
	return context.WithValue(ctx, userKey[U]{}, &v.user)
}

// rawHolder is what the value of rawKey is.
type rawHolder interface {
	rawClaims() []byte
	location() (uint8, bool)
}

func (v *Verified[U, C]) rawClaims() []byte       { return v.raw }
func (v *Verified[U, C]) location() (uint8, bool) { return v.loc, true }

// rawOnly holds raw claims without a location.
type rawOnly []byte

func (r *rawOnly) rawClaims() []byte     { return *r }
func (*rawOnly) location() (uint8, bool) { return 0, false }

// WithRaw returns a copy of ctx that carries raw claims.
func WithRaw(ctx context.Context, raw []byte) context.Context {
	r := rawOnly(raw)
	return context.WithValue(ctx, rawKey{}, &r)
}

// Raw returns the raw claims in ctx.
func Raw(ctx context.Context) ([]byte, bool) {
	if h, ok := ctx.Value(rawKey{}).(rawHolder); ok {
		return h.rawClaims(), true
	}
	return nil, false
}

// Location returns the location of the verified token in ctx, as passed
// to WithVerified.
func Location(ctx context.Context) (uint8, bool) {
	if h, ok := ctx.Value(rawKey{}).(rawHolder); ok {
		return h.location()
	}
	return 0, false
}

// userCell holds a user that is loaded at most once, eagerly or on first use.
type userCell[U any] struct {
	once sync.Once
	load func(context.Context) (U, error)
	user U
	err  error
}

func (c *userCell[U]) get(ctx context.Context) (U, error) {
	c.once.Do(func() {
		if c.load != nil {
			c.user, c.err = c.load(ctx)
			c.load = nil
		}
	})
	return c.user, c.err
}

// WithUser returns a copy of ctx that carries user.
func WithUser[U any](ctx context.Context, user U) context.Context {
	return context.WithValue(ctx, userKey[U]{}, &userCell[U]{user: user})
}

// WithLazyUser returns a copy of ctx whose user load loads when it is
// first asked for, at most once however many goroutines ask; later calls
// see the same user or error. load gets the context of the first call.
func WithLazyUser[U any](ctx context.Context, load func(context.Context) (U, error)) context.Context {
	return context.WithValue(ctx, userKey[U]{}, &userCell[U]{load: load})
}

// User returns the user of type U in ctx, loading a lazy one first; ok is
// false when ctx carries no user of type U.
func User[U any](ctx context.Context) (user U, err error, ok bool) {
	c, found := ctx.Value(userKey[U]{}).(*userCell[U])
	if !found {
		return user, nil, false
	}
	user, err = c.get(ctx)
	return user, err, true
}
