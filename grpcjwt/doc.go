// Package grpcjwt authenticates gRPC calls with typedjwt: unary and stream
// server interceptors that read the "authorization" metadata, put the
// typed claims and user in the handler's context and refuse calls with
// gRPC status codes; and per-RPC credentials that send a token, renewed
// from a token source, from the client.
//
// Server:
//
//	auth, err := grpcjwt.New(ver,
//		grpcjwt.WithPublic("/grpc.health.v1.Health/"),
//		grpcjwt.WithMode(httpx.Optional, "/shop.Catalog/List"),
//		grpcjwt.WithMode(httpx.Fresh, "/shop.Account/SetPassword"),
//		grpcjwt.WithAuthorize(isAdmin, "/shop.Admin/"),
//	)
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(auth.UnaryServerInterceptor()),
//		grpc.ChainStreamInterceptor(auth.StreamServerInterceptor()),
//	)
//
//	func (s *shop) GetOrder(ctx context.Context, req *pb.GetOrderRequest) (*pb.Order, error) {
//		claims, _ := jwtx.From[Claims](ctx)
//		user, _ := jwtx.UserFrom[User](ctx)
//		...
//	}
//
// Client:
//
//	creds, err := grpcjwt.NewCredentials(grpcjwt.TokenSourceFunc(refresh))
//	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(tlsCreds), grpc.WithPerRPCCredentials(creds))
//
// # Rules
//
// Every method requires a valid access token (httpx.Required) unless an
// option names it, or its service, with another mode (httpx.Optional,
// httpx.Fresh, httpx.Refresh), as public (the metadata is not read), or
// with authorization checks. A method's own rule wins over its service's,
// which wins over the default.
//
// # Refusals
//
// A refused call gets the status of its httpx.Reason, the same reasons
// jwtx/httpx reports: Unauthenticated where httpx answers 401 or 400,
// PermissionDenied for a failed check, Unavailable when the revocation
// store or the remote keys are down, Internal when the user store fails.
// The message is the reason's fixed text ("token expired"), never the
// error, and a google.rpc.ErrorInfo detail carries the reason in the
// domain [Domain]: [ReasonOf] reads it on the client. On the server the
// returned error also unwraps to its cause, so httpx.ReasonOf(err) and
// errors.Is work in an outer interceptor.
//
// # Differences from httpx
//
// gRPC has no cookies, so there is no CSRF check, and tokens come only
// from the metadata. Users are loaded before the handler runs (there is no
// lazy loading), and jwtx.RawFrom finds nothing: the handler reads the
// typed claims. No events are reported: log in an interceptor of your own,
// with httpx.ReasonOf on the error.
package grpcjwt
