package connectjwt

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Auth verifies the tokens of Connect calls in a handler interceptor. U is
// the application's user type and C its claims type, as in the Verifier.
// An Auth is immutable and safe for concurrent use.
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

// New builds an Auth on ver. Every procedure requires a valid access token
// unless options say otherwise; see [Option].
func New[U any, C jwtx.Claims](ver *jwtx.Verifier[U, C], opts ...Option) (*Auth[U, C], error) {
	if ver == nil {
		return nil, fmt.Errorf("%w: connectjwt: nil verifier", jwtx.ErrConfig)
	}
	cfg := config{def: rule{mode: httpx.Required, modeSet: true}, rules: map[string]*rule{}}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: connectjwt: nil option", jwtx.ErrConfig)
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
			return policy[U, C]{}, fmt.Errorf("%w: connectjwt: WithAuthorize takes %T, the Auth needs func(context.Context, %T, %T) error", jwtx.ErrConfig, c, *new(C), *new(U))
		}
		p.checks = append(p.checks, f)
	}
	return p, nil
}

// policyFor returns the rule of a procedure: its own, else its service's,
// else the default.
func (a *Auth[U, C]) policyFor(procedure string) policy[U, C] {
	if p, ok := a.rules[procedure]; ok {
		return p
	}
	if i := strings.LastIndexByte(procedure, '/'); i > 0 {
		if p, ok := a.rules[procedure[:i+1]]; ok {
			return p
		}
	}
	return a.def
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
	p := a.policyFor(procedure)
	if p.public {
		return ctx, nil
	}
	tok, err := bearer(h)
	switch {
	case errors.Is(err, httpx.ErrNoToken) && p.mode == httpx.Optional:
		return ctx, nil
	case err != nil:
		return nil, ErrorOf(err)
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
		return nil, ErrorOf(err)
	}
	user, err := a.ver.LoadUser(ctx, claims)
	if err != nil {
		return nil, ErrorOf(err)
	}
	ctx = jwtx.NewContext(ctx, claims, user)
	for _, check := range p.checks {
		if err := check(ctx, claims, user); err != nil {
			return nil, ErrorOf(fmt.Errorf("%w: %w", httpx.ErrForbidden, err))
		}
	}
	return ctx, nil
}

// bearer returns the token of the one Authorization header, "Bearer
// <token>" with the scheme in any case: httpx.ErrNoToken without one (or
// with another scheme), httpx.ErrBadRequest for two headers or a
// malformed one.
func bearer(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch {
	case len(values) == 0 || values[0] == "" && len(values) == 1:
		return "", httpx.ErrNoToken
	case len(values) > 1:
		return "", fmt.Errorf("%w: connectjwt: %d Authorization headers", httpx.ErrBadRequest, len(values))
	}
	scheme, tok, _ := strings.Cut(values[0], " ")
	switch {
	case !strings.EqualFold(scheme, "Bearer"):
		return "", httpx.ErrNoToken
	case tok == "" || strings.ContainsAny(tok, " \t"):
		return "", fmt.Errorf("%w: connectjwt: malformed Authorization header", httpx.ErrBadRequest)
	}
	return tok, nil
}
