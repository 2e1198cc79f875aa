package grpcjwt

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/typedjwt/typedjwt/internal/rpcauth"
	"github.com/typedjwt/typedjwt/jwtx"
)

// Auth verifies the tokens of gRPC calls in server interceptors. U is the
// application's user type and C its claims type, as in the Verifier. An
// Auth is immutable and safe for concurrent use.
type Auth[U any, C jwtx.Claims] struct {
	ver      *jwtx.Verifier[U, C]
	policies rpcauth.Policies[U, C]
}

// New builds an Auth on ver. Every method requires a valid access token
// unless options say otherwise; see [Option].
func New[U any, C jwtx.Claims](ver *jwtx.Verifier[U, C], opts ...Option) (*Auth[U, C], error) {
	if ver == nil {
		return nil, fmt.Errorf("%w: grpcjwt: nil verifier", jwtx.ErrConfig)
	}
	rules := rpcauth.NewRules("grpcjwt")
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: grpcjwt: nil option", jwtx.ErrConfig)
		}
		if err := o.apply(rules); err != nil {
			return nil, err
		}
	}
	policies, err := rpcauth.Compile[U, C](rules)
	if err != nil {
		return nil, err
	}
	return &Auth[U, C]{ver: ver, policies: policies}, nil
}

// UnaryServerInterceptor returns the interceptor of unary calls: it
// authenticates each call by the rule of its method and runs the handler
// with the typed claims and user in its context (jwtx.From[C],
// jwtx.UserFrom[U]), or refuses the call with a status error (see
// [StatusOf]).
func (a *Auth[U, C]) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := a.Authenticate(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor returns the interceptor of streaming calls: it
// authenticates each call once, before the handler runs, by the rule of
// its method, and hands the handler a stream whose Context carries the
// typed claims and user, or refuses the call with a status error.
func (a *Auth[U, C]) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := a.Authenticate(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &stream{ServerStream: ss, ctx: ctx})
	}
}

// stream is a server stream with the verified values in its context.
type stream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *stream) Context() context.Context { return s.ctx }

// Authenticate authenticates a call to fullMethod ("/pkg.Service/Method")
// whose incoming metadata ctx carries, by the method's rule: it reads the
// one "authorization: Bearer <token>" entry, verifies the token as the
// mode requires, loads the user and runs the checks. It returns ctx with
// the typed claims and user added, ctx itself for a public method or a
// call without a token in Optional mode, or a status error for the
// refusal (see [StatusOf]). The interceptors call it; call it yourself
// from an interceptor of your own.
func (a *Auth[U, C]) Authenticate(ctx context.Context, fullMethod string) (context.Context, error) {
	ctx, err := rpcauth.Authenticate(ctx, a.ver, a.policies.For(fullMethod), metadata.ValueFromIncomingContext(ctx, "authorization"), `"authorization" metadata`)
	if err != nil {
		return nil, refuse(err)
	}
	return ctx, nil
}
