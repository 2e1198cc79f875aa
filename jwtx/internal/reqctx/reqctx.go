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

// WithClaims returns a copy of ctx that carries claims.
func WithClaims[C any](ctx context.Context, claims C) context.Context {
	return context.WithValue(ctx, claimsKey[C]{}, claims)
}

// Claims returns the claims of type C in ctx.
func Claims[C any](ctx context.Context) (C, bool) {
	c, ok := ctx.Value(claimsKey[C]{}).(C)
	return c, ok
}

// WithRaw returns a copy of ctx that carries raw claims.
func WithRaw(ctx context.Context, raw []byte) context.Context {
	return context.WithValue(ctx, rawKey{}, raw)
}

// Raw returns the raw claims in ctx.
func Raw(ctx context.Context) ([]byte, bool) {
	r, ok := ctx.Value(rawKey{}).([]byte)
	return r, ok
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
