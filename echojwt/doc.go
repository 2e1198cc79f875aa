// Package echojwt protects echo (v5) routes with typedjwt: the guards of
// jwtx/httpx as echo middleware, refusals returned to echo's
// HTTPErrorHandler as *echo.HTTPError, and typed accessors that read the
// verified values from the *echo.Context.
//
//	auth, err := echojwt.New(ver) // the options of httpx.New
//	e := echo.New()
//	e.GET("/me", me, auth.Required())
//	e.GET("/feed", feed, auth.Optional())
//	e.POST("/password", setPassword, auth.Fresh())
//	e.GET("/admin", admin, auth.Authorize(isAdmin))
//	e.GET("/profile", auth.HandlerFunc(profile)) // func(c *echo.Context, claims Claims, user User) error
//	e.POST("/refresh", auth.RefreshHandler(iss))
//
//	func me(c *echo.Context) error {
//		claims, _ := echojwt.From[Claims](c)
//		user, _ := echojwt.UserFrom[User](c)
//		...
//	}
//
// # Refusals
//
// A refused request is not answered by the middleware: it returns an
// *echo.HTTPError to echo, whose HTTPErrorHandler answers it, so that the
// application's error handler, logging and error format apply. The error
// has the status of the refusal's httpx.Reason (401, 400, 403, 503, 500)
// and its fixed message ("token expired"), never the error text; it wraps
// the cause, so httpx.ReasonOf(err) and errors.Is work in the error
// handler. The RFC 6750 WWW-Authenticate challenge (and Retry-After) are set
// on the response first. echo's default handler answers
// {"message": "token expired"}. httpx's WithErrorHandler and
// WithReasonHandler do not apply to the guards: write an HTTPErrorHandler.
// RefreshHandler and LogoutHandler are httpx's endpoints and answer as
// they do, refusals included.
//
// # Same rules as net/http
//
// Every guard calls httpx.Auth.Authenticate, so token locations, cookies,
// CSRF, lazy users, implicit refresh, events and reasons are those of
// jwtx/httpx, option for option.
package echojwt
