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

// The values live in contexts of this package's own types, which hold
// them in place: storing the claims and raw claims of a token, or a user,
// costs one allocation each, and reading them none (Value hands out
// pointers, which fit in an interface without one).

// WithClaims returns a copy of ctx that carries claims.
func WithClaims[C any](ctx context.Context, claims C) context.Context {
	return &claimsCtx[C]{Context: ctx, claims: claims}
}

// WithVerified returns a copy of ctx that carries claims and their raw
// form.
func WithVerified[C any](ctx context.Context, claims C, raw []byte) context.Context {
	return &claimsCtx[C]{Context: ctx, claims: claims, raw: raw, hasRaw: true}
}

// claimsCtx is a context with claims, and raw claims when hasRaw is set.
type claimsCtx[C any] struct {
	context.Context
	claims C
	raw    []byte
	hasRaw bool
}

func (c *claimsCtx[C]) Value(key any) any {
	switch key.(type) {
	case claimsKey[C]:
		return &c.claims
	case rawKey:
		if c.hasRaw {
			return &c.raw
		}
	}
	return c.Context.Value(key)
}

// String names the context without its values, which are not for logs.
func (c *claimsCtx[C]) String() string { return name(c.Context) + ".WithClaims" }

// Claims returns the claims of type C in ctx.
func Claims[C any](ctx context.Context) (C, bool) {
	if c, ok := ctx.Value(claimsKey[C]{}).(*C); ok {
		return *c, true
	}
	var zero C
	return zero, false
}

// WithRaw returns a copy of ctx that carries raw claims.
func WithRaw(ctx context.Context, raw []byte) context.Context {
	return &rawCtx{Context: ctx, raw: raw}
}

// rawCtx is a context with raw claims.
type rawCtx struct {
	context.Context
	raw []byte
}

func (c *rawCtx) Value(key any) any {
	if _, ok := key.(rawKey); ok {
		return &c.raw
	}
	return c.Context.Value(key)
}

// String names the context without its value.
func (c *rawCtx) String() string { return name(c.Context) + ".WithRaw" }

// Raw returns the raw claims in ctx.
func Raw(ctx context.Context) ([]byte, bool) {
	if r, ok := ctx.Value(rawKey{}).(*[]byte); ok {
		return *r, true
	}
	return nil, false
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
	return &userCtx[U]{Context: ctx, cell: userCell[U]{user: user}}
}

// WithLazyUser returns a copy of ctx whose user load loads when it is
// first asked for, at most once however many goroutines ask; later calls
// see the same user or error. load gets the context of the first call.
func WithLazyUser[U any](ctx context.Context, load func(context.Context) (U, error)) context.Context {
	return &userCtx[U]{Context: ctx, cell: userCell[U]{load: load}}
}

// userCtx is a context with a user.
type userCtx[U any] struct {
	context.Context
	cell userCell[U]
}

func (c *userCtx[U]) Value(key any) any {
	if _, ok := key.(userKey[U]); ok {
		return &c.cell
	}
	return c.Context.Value(key)
}

// String names the context without its value.
func (c *userCtx[U]) String() string { return name(c.Context) + ".WithUser" }

// name is the String of ctx, or its type when it has none.
func name(ctx context.Context) string {
	if s, ok := ctx.(interface{ String() string }); ok {
		return s.String()
	}
	return "context"
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
