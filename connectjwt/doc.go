// Package connectjwt authenticates Connect (connect-go) calls with
// typedjwt: one handler interceptor for unary and streaming calls that
// reads the Authorization header, puts the typed claims and user in the
// handler's context and refuses calls with Connect error codes. It serves
// Connect, gRPC and gRPC-Web clients alike.
//
//	auth, err := connectjwt.New(ver,
//		connectjwt.WithPublic("/shop.v1.AuthService/Login"),
//		connectjwt.WithMode(httpx.Optional, "/shop.v1.CatalogService/List"),
//		connectjwt.WithAuthorize(isAdmin, "/shop.v1.AdminService/"),
//	)
//	path, handler := shopv1connect.NewOrderServiceHandler(svc, connect.WithInterceptors(auth.Interceptor()))
//	mux.Handle(path, handler)
//
//	func (s *orders) GetOrder(ctx context.Context, req *connect.Request[shopv1.GetOrderRequest]) (*connect.Response[shopv1.Order], error) {
//		claims, _ := jwtx.From[Claims](ctx)
//		user, _ := jwtx.UserFrom[User](ctx)
//		...
//	}
//
// # Rules
//
// Every procedure requires a valid access token (httpx.Required) unless an
// option names it, or its service, with another mode (httpx.Optional,
// httpx.Fresh, httpx.Refresh), as public (the headers are not read), or
// with authorization checks. A procedure's own rule wins over its
// service's, which wins over the default.
//
// # Refusals
//
// A refused call gets a *connect.Error with the code of its httpx.Reason,
// the same reasons jwtx/httpx reports: CodeUnauthenticated where httpx
// answers 401 or 400, CodePermissionDenied for a failed check,
// CodeUnavailable when the revocation store or the remote keys are down,
// CodeInternal when the user store fails. The message is the reason's
// fixed text ("token expired"), never the error, and a
// google.rpc.ErrorInfo detail carries the reason in the domain [Domain]:
// [ReasonOf] reads it on the client. On the server the error also unwraps
// to its cause, so httpx.ReasonOf(err) and errors.Is work in an outer
// interceptor.
//
// # Differences from httpx
//
// Tokens come only from the Authorization header, so there is no CSRF
// check (a browser does not attach that header by itself). Users are
// loaded before the handler runs (there is no lazy loading), and
// jwtx.RawFrom finds nothing: the handler reads the typed claims. No
// events are reported: log in an interceptor of your own, with
// httpx.ReasonOf on the error.
package connectjwt
