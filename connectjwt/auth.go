package connectjwt

import (
	"context"
	"fmt"
	"net/http"

	"connectrpc.com/connect"

	"github.com/typedjwt/typedjwt/internal/rpcauth"
	"github.com/typedjwt/typedjwt/jwtx"
)

// Auth verifies the tokens of Connect calls in a handler interceptor. U is
// the application's user type and C its claims type, as in the Verifier.
// An Auth is immutable and safe for concurrent use.
type Auth[U any, C jwtx.Claims] struct {
	ver      *jwtx.Verifier[U, C]
	policies rpcauth.Policies[U, C]
}

// New builds an Auth on ver. Every procedure requires a valid access token
// unless options say otherwise; see [Option].
func New[U any, C jwtx.Claims](ver *jwtx.Verifier[U, C], opts ...Option) (*Auth[U, C], error) {
	if ver == nil {
		return nil, fmt.Errorf("%w: connectjwt: nil verifier", jwtx.ErrConfig)
	}
	rules := rpcauth.NewRules("connectjwt")
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: connectjwt: nil option", jwtx.ErrConfig)
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

// Interceptor returns the handler interceptor: for unary and streaming
// calls alike, over the Connect, gRPC and gRPC-Web protocols, it
// authenticates each call by the rule of its procedure before the handler
// runs, and runs the handler with the typed claims and user in its context
// (jwtx.From[C], jwtx.UserFrom[U]), or refuses the call with a
// *connect.Error (see [ErrorOf]). Give it to the handlers with
// connect.WithInterceptors. On a client it does nothing.
func (a *Auth[U, C]) Interceptor() connect.Interceptor { return interceptor[U, C]{a} }

// interceptor is the connect.Interceptor of an Auth.
type interceptor[U any, C jwtx.Claims] struct{ a *Auth[U, C] }

func (i interceptor[U, C]) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := i.a.Authenticate(ctx, req.Spec().Procedure, req.Header())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (i interceptor[U, C]) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i interceptor[U, C]) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := i.a.Authenticate(ctx, conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// Authenticate authenticates a call to procedure ("/pkg.Service/Method")
// with the request headers h, by the procedure's rule: it reads the one
// "Authorization: Bearer <token>" header, verifies the token as the mode
// requires, loads the user and runs the checks. It returns ctx with the
// typed claims and user added, ctx itself for a public procedure or a call
// without a token in Optional mode, or a *connect.Error for the refusal
// (see [ErrorOf]). The interceptor calls it.
func (a *Auth[U, C]) Authenticate(ctx context.Context, procedure string, h http.Header) (context.Context, error) {
	ctx, err := rpcauth.Authenticate(ctx, a.ver, a.policies.For(procedure), h.Values("Authorization"), "Authorization header")
	if err != nil {
		return nil, ErrorOf(err)
	}
	return ctx, nil
}
