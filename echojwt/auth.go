package echojwt

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v5"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Auth turns a jwtx.Verifier into echo middleware. U is the application's
// user type and C its claims type, as in the Verifier. An Auth is
// immutable and safe for concurrent use.
type Auth[U any, C jwtx.Claims] struct {
	http *httpx.Auth[U, C]
}

// New builds an Auth on ver, configured by the options of httpx.New (token
// locations, cookies, CSRF, events, ...). WithErrorHandler and
// WithReasonHandler apply only to RefreshHandler and LogoutHandler: the
// guards leave refusals to echo's HTTPErrorHandler.
func New[U any, C jwtx.Claims](ver *jwtx.Verifier[U, C], opts ...httpx.Option) (*Auth[U, C], error) {
	a, err := httpx.New(ver, opts...)
	if err != nil {
		return nil, fmt.Errorf("echojwt: %w", err)
	}
	return &Auth[U, C]{http: a}, nil
}

// HTTP returns the httpx.Auth underneath, for what echo needs no adapter
// for: SetCookies(c.Response(), ...), UnsetCookies, Cookies, Logout.
func (a *Auth[U, C]) HTTP() *httpx.Auth[U, C] { return a.http }

// Required lets a request through only with a valid access token (and its
// user), as httpx.Auth.Required.
func (a *Auth[U, C]) Required() echo.MiddlewareFunc { return a.guard(httpx.Required, nil) }

// Optional lets a request through with a valid access token or with none,
// as httpx.Auth.Optional; a bad token is still refused.
func (a *Auth[U, C]) Optional() echo.MiddlewareFunc { return a.guard(httpx.Optional, nil) }

// Fresh lets a request through only with a fresh access token, as
// httpx.Auth.Fresh.
func (a *Auth[U, C]) Fresh() echo.MiddlewareFunc { return a.guard(httpx.Fresh, nil) }

// RequireRefresh lets a request through only with a valid refresh token,
// as httpx.Auth.RequireRefresh. [Auth.RefreshHandler] is a ready handler.
func (a *Auth[U, C]) RequireRefresh() echo.MiddlewareFunc { return a.guard(httpx.Refresh, nil) }

// Authorize requires a valid access token and then asks each check, in
// order, as httpx.Auth.Authorize: a check error refuses the request with
// 403 (reason "forbidden"). The user is loaded for the checks even with
// WithLazyUser.
func (a *Auth[U, C]) Authorize(checks ...func(ctx context.Context, claims C, user U) error) echo.MiddlewareFunc {
	return a.guard(httpx.Required, checks)
}

// HandlerFunc adapts a handler that takes the typed claims and user as
// arguments, and protects it as [Auth.Authorize] with the checks given (as
// [Auth.Required] without any), as httpx.Auth.HandlerFunc does. The user
// is loaded before f runs, even with WithLazyUser.
func (a *Auth[U, C]) HandlerFunc(f func(c *echo.Context, claims C, user U) error, checks ...func(ctx context.Context, claims C, user U) error) echo.HandlerFunc {
	// A check, even one that says yes, makes Authenticate load the user
	// before it reports the outcome, so that a user who cannot be loaded is
	// refused, and reported, as httpx.Auth.HandlerFunc does.
	checks = append(checks[:len(checks):len(checks)], func(context.Context, C, U) error { return nil })
	return func(c *echo.Context) error {
		res, err := a.authenticate(c, httpx.Required, checks)
		if err != nil {
			return err
		}
		return f(c, res.Claims, res.User)
	}
}

// RefreshHandler returns the refresh endpoint of httpx.Auth.RefreshHandler
// as an echo handler. It answers refusals itself, as httpx does.
func (a *Auth[U, C]) RefreshHandler(iss *jwtx.Issuer[U, C]) echo.HandlerFunc {
	return echo.WrapHandler(a.http.RefreshHandler(iss))
}

// LogoutHandler returns the logout endpoint of httpx.Auth.LogoutHandler as
// an echo handler. It answers refusals itself, as httpx does.
func (a *Auth[U, C]) LogoutHandler() echo.HandlerFunc {
	return echo.WrapHandler(a.http.LogoutHandler())
}

func (a *Auth[U, C]) guard(mode httpx.Mode, checks []func(context.Context, C, U) error) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if _, err := a.authenticate(c, mode, checks); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// authenticate authenticates the request of c and puts the request that
// carries the verified values in its place. A refusal is returned as an
// *echo.HTTPError, with the challenge set on the response.
func (a *Auth[U, C]) authenticate(c *echo.Context, mode httpx.Mode, checks []func(context.Context, C, U) error) (httpx.Authenticated[U, C], error) {
	res, err := a.http.Authenticate(c.Response(), c.Request(), mode, checks...)
	if err != nil {
		h := c.Response().Header()
		for name, values := range a.http.RefusalHeader(err) {
			h[name] = values
		}
		reason := httpx.ReasonOf(err)
		return res, echo.HTTPError{Code: reason.Status(), Message: reason.Message()}.Wrap(err)
	}
	c.SetRequest(res.Request)
	return res, nil
}
