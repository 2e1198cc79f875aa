package echojwt

import (
	"github.com/labstack/echo/v5"

	"github.com/typedjwt/typedjwt/jwtx"
)

// From returns the claims of type C that a guard verified for the request
// of c, and whether there are any. C must be the Auth's claims type: Claims
// and *Claims are different types.
func From[C jwtx.Claims](c *echo.Context) (C, bool) {
	return jwtx.From[C](c.Request().Context())
}

// UserFrom returns the user of type U of the request of c, and whether
// there is one; a user that WithLazyUser loads now and cannot be loaded
// reports false (see [UserFromContext]).
func UserFrom[U any](c *echo.Context) (U, bool) {
	return jwtx.UserFrom[U](c.Request().Context())
}

// UserFromContext returns the user of type U of the request of c, loading
// it first with WithLazyUser, and the load's error, such as a
// *jwtx.UserError wrapping jwtx.ErrUserNotFound; jwtx.ErrNoUser when no
// guard stored a user.
func UserFromContext[U any](c *echo.Context) (U, error) {
	return jwtx.UserFromContext[U](c.Request().Context())
}

// RawFrom returns the raw claims of the token a guard verified for the
// request of c, for claims the typed struct does not declare.
func RawFrom(c *echo.Context) (jwtx.RawClaims, bool) {
	return jwtx.RawFrom(c.Request().Context())
}
