// Package ginjwt protects gin routes with typedjwt: the guards of
// jwtx/httpx as gin middleware, refusals answered the gin way, and typed
// accessors that read the verified values from the *gin.Context.
//
//	auth, err := ginjwt.New(ver) // the options of httpx.New
//	r := gin.New()
//	r.GET("/me", auth.Required(), me)
//	r.GET("/feed", auth.Optional(), feed)
//	r.POST("/password", auth.Fresh(), setPassword)
//	r.GET("/admin", auth.Authorize(isAdmin), admin)
//	r.GET("/profile", auth.HandlerFunc(profile)) // func(c *gin.Context, claims Claims, user User)
//	r.POST("/refresh", auth.RefreshHandler(iss))
//	r.POST("/logout", auth.LogoutHandler())
//
//	func me(c *gin.Context) {
//		claims, _ := ginjwt.From[Claims](c)
//		user, _ := ginjwt.UserFrom[User](c)
//		...
//	}
//
// # Reading the claims
//
// The guards store the verified values in the context of c.Request, as
// httpx does. A *gin.Context is itself a context.Context, but unless the
// engine sets ContextWithFallback its Value method does not look into the
// request's context, so jwtx.From[Claims](c) finds nothing and reports
// false. [From], [UserFrom], [UserFromContext] and [RawFrom] take the
// *gin.Context and read the request's context, whatever the engine's
// settings; jwtx.From[Claims](c.Request.Context()) works too.
//
// # Same rules as net/http
//
// Every guard calls httpx.Auth.Authenticate, so token locations, cookies,
// CSRF, lazy users, implicit refresh, events and reasons are those of
// jwtx/httpx, option for option. A refused request gets the answer of
// httpx.Auth.Refuse (status, RFC 6750 challenge, JSON body, or the
// WithReasonHandler and WithErrorHandler answers), the error is added to
// c.Errors, and the chain is aborted, so later handlers do not run.
package ginjwt
