// Package httpx turns a jwtx.Verifier into net/http middleware: where tokens
// come from, cookie sessions with CSRF protection, error responses, refresh
// and logout endpoints.
//
//	auth, err := httpx.New(ver)
//	mux.Handle("GET /me", auth.Required(http.HandlerFunc(me)))
//	mux.Handle("GET /feed", auth.Optional(http.HandlerFunc(feed)))
//	mux.Handle("POST /password", auth.Fresh(http.HandlerFunc(changePassword)))
//	mux.Handle("GET /admin", auth.Authorize(isAdmin)(http.HandlerFunc(admin)))
//	mux.Handle("POST /refresh", auth.RefreshHandler(iss))
//
// In a handler, jwtx.From[Claims](r.Context()) and jwtx.UserFrom[User](...)
// return the verified, typed values; nothing parses the token again.
//
// # Token locations
//
// By default tokens come from "Authorization: Bearer <token>", exactly one
// header with exactly one token. [WithLocations] adds cookies, the query
// string and a JSON body field, in an order of your choosing: the first
// location that holds a token decides. Two cookies or query parameters of
// the token's name, or a JSON body that names a member twice, are refused,
// never silently resolved.
//
// # Cookies and CSRF
//
// [Auth.SetCookies] stores tokens in HttpOnly, Secure, SameSite=Lax cookies
// with __Host- and __Secure- names, the refresh cookie on its own path, and
// beside each a CSRF cookie that JavaScript can read. A request
// authenticated by a cookie with any method but GET, HEAD, OPTIONS and TRACE
// (POST, PUT, PATCH, DELETE, ...; see WithCSRFMethods) must echo the
// token's csrf claim in the X-CSRF-Token header (see WithCSRFHeader),
// compared in constant time; issue such tokens with jwtx.WithCSRF(true).
// Tokens from the header, the query or the body are not subject to it, as a
// browser never attaches them by itself.
//
// # CORS
//
// httpx does not do CORS. Its guards, HandlerFunc and RefreshHandler
// authenticate an OPTIONS request like any other, so a CORS preflight,
// which carries no credentials, is refused with 401 if it reaches them, and
// LogoutHandler takes it for a logout like any other request. Only Optional
// runs its handler without a verified token, and only for a request that
// carries none. Wrap a CORS middleware around the guards, as in
// cors(auth.Required(h)), so that it answers the preflights of the origins
// it trusts before they reach the guard; see the example of
// [Auth.Required].
//
// # One request at a time
//
// [Auth.Authenticate] authenticates one request as the guards do, for code
// that is not a middleware chain (WebSocket upgrades, server-sent events,
// routers of their own) and for adapters to other frameworks: the same
// locations, CSRF rules, [Mode]s, checks, events and reasons. It returns
// the typed claims and user and the request carrying them, or an error
// that [Auth.Refuse] answers as the guards would:
//
//	res, err := auth.Authenticate(w, r, httpx.Required)
//	if err != nil {
//		auth.Refuse(w, r, err)
//		return
//	}
//	// res.Claims, res.User, res.Request
//
// A framework that writes refusals its own way takes the status and text
// from the [Reason] ([Reason.Status], [Reason.Message]) and the headers
// from [Auth.RefusalHeader]. Adapters for gin, echo, gRPC and Connect are
// modules of their own (ginjwt, echojwt, grpcjwt, connectjwt) built on
// these calls.
//
// # Responses
//
// Refusals follow RFC 6750: 401 with a Bearer WWW-Authenticate challenge
// (error="invalid_token" when a token was presented), 400 invalid_request
// for a malformed Authorization header, 403 insufficient_scope for a failed
// authorization, 403 for a CSRF failure, 503 when the revocation store is
// down, 500 when the user store fails, each with a fixed JSON body
// {"msg": "..."}. Every failure has a stable [Reason]; [WithReasonHandler]
// answers one reason your way, [WithErrorHandler] all of them. No response
// echoes the token, the error text or key material.
package httpx
