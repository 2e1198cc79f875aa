package grpcjwt

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Auth verifies the tokens of gRPC calls in server interceptors. U is the
// application's user type and C its claims type, as in the Verifier. An
// Auth is immutable and safe for concurrent use.
type Auth[U any, C jwtx.Claims] struct {
	ver   *jwtx.Verifier[U, C]
	def   policy[U, C]
	rules map[string]policy[U, C]
}

// policy is a rule with its checks typed.
type policy[U any, C jwtx.Claims] struct {
	public bool
	mode   httpx.Mode
	checks []func(context.Context, C, U) error
}

// New builds an Auth on ver. Every method requires a valid access token
// unless options say otherwise; see [Option].
func New[U any, C jwtx.Claims](ver *jwtx.Verifier[U, C], opts ...Option) (*Auth[U, C], error) {
	if ver == nil {
		return nil, fmt.Errorf("%w: grpcjwt: nil verifier", jwtx.ErrConfig)
	}
	cfg := config{def: rule{mode: httpx.Required, modeSet: true}, rules: map[string]*rule{}}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: grpcjwt: nil option", jwtx.ErrConfig)
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	a := &Auth[U, C]{ver: ver, rules: map[string]policy[U, C]{}}
	var err error
	if a.def, err = typed[U, C](cfg.def, cfg.def.mode); err != nil {
		return nil, err
	}
	for pattern, r := range cfg.rules {
		if a.rules[pattern], err = typed[U, C](*r, cfg.def.mode); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// typed returns r with its checks asserted to the Auth's types and its
// mode resolved against the default's.
func typed[U any, C jwtx.Claims](r rule, def httpx.Mode) (policy[U, C], error) {
	p := policy[U, C]{public: r.public, mode: def}
	if r.modeSet {
		p.mode = r.mode
	}
	for _, c := range r.checks {
		f, ok := c.(func(context.Context, C, U) error)
		if !ok {
			return policy[U, C]{}, fmt.Errorf("%w: grpcjwt: WithAuthorize takes %T, the Auth needs func(context.Context, %T, %T) error", jwtx.ErrConfig, c, *new(C), *new(U))
		}
		p.checks = append(p.checks, f)
	}
	return p, nil
}

// policyFor returns the rule of a full method name: the method's own, else
// its service's, else the default.
func (a *Auth[U, C]) policyFor(fullMethod string) policy[U, C] {
	if p, ok := a.rules[fullMethod]; ok {
		return p
	}
	if i := strings.LastIndexByte(fullMethod, '/'); i > 0 {
		if p, ok := a.rules[fullMethod[:i+1]]; ok {
			return p
		}
	}
	return a.def
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
	p := a.policyFor(fullMethod)
	if p.public {
		return ctx, nil
	}
	tok, err := bearer(ctx)
	switch {
	case errors.Is(err, httpx.ErrNoToken) && p.mode == httpx.Optional:
		return ctx, nil
	case err != nil:
		return nil, refuse(err)
	}
	want := jwtx.ExpectAccess
	switch p.mode {
	case httpx.Fresh:
		want = jwtx.ExpectFresh
	case httpx.Refresh:
		want = jwtx.ExpectRefresh
	}
	claims, _, err := a.ver.VerifyClaims(ctx, tok, want)
	if err != nil {
		return nil, refuse(err)
	}
	user, err := a.ver.LoadUser(ctx, claims)
	if err != nil {
		return nil, refuse(err)
	}
	ctx = jwtx.NewContext(ctx, claims, user)
	for _, check := range p.checks {
		if err := check(ctx, claims, user); err != nil {
			return nil, refuse(fmt.Errorf("%w: %w", httpx.ErrForbidden, err))
		}
	}
	return ctx, nil
}

// bearer returns the token of the one "authorization" metadata entry,
// "Bearer <token>" with the scheme in any case: httpx.ErrNoToken without
// one (or with another scheme), httpx.ErrBadRequest for two entries or a
// malformed one.
func bearer(ctx context.Context) (string, error) {
	values := metadata.ValueFromIncomingContext(ctx, "authorization")
	switch {
	case len(values) == 0 || values[0] == "" && len(values) == 1:
		return "", httpx.ErrNoToken
	case len(values) > 1:
		return "", fmt.Errorf("%w: grpcjwt: %d authorization entries", httpx.ErrBadRequest, len(values))
	}
	scheme, tok, _ := strings.Cut(values[0], " ")
	switch {
	case !strings.EqualFold(scheme, "Bearer"):
		return "", httpx.ErrNoToken
	case tok == "" || strings.ContainsAny(tok, " \t"):
		return "", fmt.Errorf("%w: grpcjwt: malformed authorization entry", httpx.ErrBadRequest)
	}
	return tok, nil
}
