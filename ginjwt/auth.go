package ginjwt

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Auth turns a jwtx.Verifier into gin middleware. U is the application's
// user type and C its claims type, as in the Verifier. An Auth is
// immutable and safe for concurrent use.
type Auth[U any, C jwtx.Claims] struct {
	http *httpx.Auth[U, C]
}

// New builds an Auth on ver, configured by the options of httpx.New (token
// locations, cookies, CSRF, error handlers, events, ...).
func New[U any, C jwtx.Claims](ver *jwtx.Verifier[U, C], opts ...httpx.Option) (*Auth[U, C], error) {
	a, err := httpx.New(ver, opts...)
	if err != nil {
		return nil, fmt.Errorf("ginjwt: %w", err)
	}
	return &Auth[U, C]{http: a}, nil
}

// HTTP returns the httpx.Auth underneath, for what gin needs no adapter
// for: SetCookies(c.Writer, ...), UnsetCookies, Cookies, Logout.
func (a *Auth[U, C]) HTTP() *httpx.Auth[U, C] { return a.http }

// Required lets a request through only with a valid access token (and its
// user), as httpx.Auth.Required.
func (a *Auth[U, C]) Required() gin.HandlerFunc { return a.guard(httpx.Required, nil) }

// Optional lets a request through with a valid access token or with none,
// as httpx.Auth.Optional; a bad token is still refused.
func (a *Auth[U, C]) Optional() gin.HandlerFunc { return a.guard(httpx.Optional, nil) }

// Fresh lets a request through only with a fresh access token, as
// httpx.Auth.Fresh.
func (a *Auth[U, C]) Fresh() gin.HandlerFunc { return a.guard(httpx.Fresh, nil) }

// RequireRefresh lets a request through only with a valid refresh token,
// as httpx.Auth.RequireRefresh. [Auth.RefreshHandler] is a ready handler.
func (a *Auth[U, C]) RequireRefresh() gin.HandlerFunc { return a.guard(httpx.Refresh, nil) }

// Authorize requires a valid access token and then asks each check, in
// order, as httpx.Auth.Authorize: a check error refuses the request with
// 403 (reason "forbidden"). The user is loaded for the checks even with
// WithLazyUser.
func (a *Auth[U, C]) Authorize(checks ...func(ctx context.Context, claims C, user U) error) gin.HandlerFunc {
	return a.guard(httpx.Required, checks)
}

// HandlerFunc adapts a handler that takes the typed claims and user as
// arguments, and protects it as [Auth.Authorize] with the checks given (as
// [Auth.Required] without any), as httpx.Auth.HandlerFunc does. The user
// is loaded before f runs, even with WithLazyUser.
func (a *Auth[U, C]) HandlerFunc(f func(c *gin.Context, claims C, user U), checks ...func(ctx context.Context, claims C, user U) error) gin.HandlerFunc {
	// A check, even one that says yes, makes Authenticate load the user
	// before it reports the outcome, so that a user who cannot be loaded is
	// refused, and reported, as httpx.Auth.HandlerFunc does.
	checks = append(checks[:len(checks):len(checks)], func(context.Context, C, U) error { return nil })
	return func(c *gin.Context) {
		res, ok := a.authenticate(c, httpx.Required, checks)
		if ok {
			f(c, res.Claims, res.User)
		}
	}
}

// RefreshHandler returns the refresh endpoint of httpx.Auth.RefreshHandler
// as a gin handler.
func (a *Auth[U, C]) RefreshHandler(iss *jwtx.Issuer[U, C]) gin.HandlerFunc {
	return gin.WrapH(a.http.RefreshHandler(iss))
}

// LogoutHandler returns the logout endpoint of httpx.Auth.LogoutHandler as
// a gin handler.
func (a *Auth[U, C]) LogoutHandler() gin.HandlerFunc {
	return gin.WrapH(a.http.LogoutHandler())
}

func (a *Auth[U, C]) guard(mode httpx.Mode, checks []func(context.Context, C, U) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, ok := a.authenticate(c, mode, checks); ok {
			c.Next()
		}
	}
}

// authenticate authenticates the request of c and puts the request that
// carries the verified values in its place. A refused request is answered
// and aborted, with its error added to c.Errors.
func (a *Auth[U, C]) authenticate(c *gin.Context, mode httpx.Mode, checks []func(context.Context, C, U) error) (httpx.Authenticated[U, C], bool) {
	res, err := a.http.Authenticate(c.Writer, c.Request, mode, checks...)
	if err != nil {
		_ = c.Error(err) // private: for loggers, never for the response
		a.http.Refuse(c.Writer, c.Request, err)
		c.Abort()
		return res, false
	}
	c.Request = res.Request
	return res, true
}
