package jwtx

import (
	"context"

	"github.com/typedjwt/typedjwt/jwtx/internal/reqctx"
)

// NewContext returns a copy of ctx that carries claims and user, for
// [From] and [UserFrom]: for tests of handlers, and for middleware of
// other frameworks. The middleware of httpx calls it after verifying a
// token; a handler never parses the token again.
func NewContext[U any, C Claims](ctx context.Context, claims C, user U) context.Context {
	return reqctx.WithUser(reqctx.WithClaims(ctx, claims), user)
}

// From returns the claims of type C stored in ctx, and whether there were
// any. C must be the claims type the Verifier was built with: MyClaims and
// *MyClaims are different types.
func From[C Claims](ctx context.Context) (C, bool) { return reqctx.Claims[C](ctx) }

// UserFrom returns the user of type U stored in ctx, and whether there is
// one. For a lazily loaded user (httpx.WithLazyUser) it loads it first; a
// failed load reports false (use [UserFromContext] to see the error).
func UserFrom[U any](ctx context.Context) (U, bool) {
	u, err := UserFromContext[U](ctx)
	return u, err == nil
}

// UserFromContext returns the user of type U stored in ctx. For a lazily
// loaded user it loads it first and returns the load's error, such as a
// [*UserError] wrapping [ErrUserNotFound]. Without a user of type U in ctx it
// returns [ErrNoUser].
func UserFromContext[U any](ctx context.Context) (U, error) {
	u, err, ok := reqctx.User[U](ctx)
	if !ok {
		return u, ErrNoUser
	}
	return u, err
}

// RawFrom returns the raw claims of the verified token of the request, and
// whether there were any.
func RawFrom(ctx context.Context) (RawClaims, bool) {
	r, ok := reqctx.Raw(ctx)
	return r, ok
}
