package jwtx

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

// NewContext returns a copy of ctx that carries claims and user, for
// [From] and [UserFrom]. Middleware calls it after verifying a token; a
// handler never parses the token again.
func NewContext[U any, C Claims](ctx context.Context, claims C, user U) context.Context {
	return NewUserContext(NewClaimsContext(ctx, claims), user)
}

// NewClaimsContext returns a copy of ctx that carries claims.
func NewClaimsContext[C Claims](ctx context.Context, claims C) context.Context {
	return context.WithValue(ctx, claimsKey[C]{}, claims)
}

// From returns the claims of type C stored in ctx, and whether there were
// any. C must be the claims type the Verifier was built with: MyClaims and
// *MyClaims are different types.
func From[C Claims](ctx context.Context) (C, bool) {
	c, ok := ctx.Value(claimsKey[C]{}).(C)
	return c, ok
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

// NewUserContext returns a copy of ctx that carries user.
func NewUserContext[U any](ctx context.Context, user U) context.Context {
	return context.WithValue(ctx, userKey[U]{}, &userCell[U]{user: user})
}

// NewLazyUserContext returns a copy of ctx whose user is loaded by load when
// [UserFrom] or [UserFromContext] first asks for it, at most once however
// many goroutines ask; later calls see the same user or error. load gets the
// context of the first call.
func NewLazyUserContext[U any](ctx context.Context, load func(context.Context) (U, error)) context.Context {
	return context.WithValue(ctx, userKey[U]{}, &userCell[U]{load: load})
}

// UserFrom returns the user of type U stored in ctx, and whether there is
// one. For a lazily loaded user it loads it first; a failed load reports
// false (use [UserFromContext] to see the error).
func UserFrom[U any](ctx context.Context) (U, bool) {
	u, err := UserFromContext[U](ctx)
	return u, err == nil
}

// UserFromContext returns the user of type U stored in ctx. For a lazily
// loaded user it loads it first and returns the load's error, such as a
// [*UserError] wrapping [ErrUserNotFound]. Without a user of type U in ctx it
// returns [ErrNoUser].
func UserFromContext[U any](ctx context.Context) (U, error) {
	c, ok := ctx.Value(userKey[U]{}).(*userCell[U])
	if !ok {
		var zero U
		return zero, ErrNoUser
	}
	return c.get(ctx)
}

// NewRawContext returns a copy of ctx that carries the raw claims of a
// verified token, for [RawFrom].
func NewRawContext(ctx context.Context, raw RawClaims) context.Context {
	return context.WithValue(ctx, rawKey{}, raw)
}

// RawFrom returns the raw claims stored in ctx, and whether there were any.
func RawFrom(ctx context.Context) (RawClaims, bool) {
	r, ok := ctx.Value(rawKey{}).(RawClaims)
	return r, ok
}
