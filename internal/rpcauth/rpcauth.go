// Package rpcauth is what the gRPC and Connect adapters (grpcjwt,
// connectjwt) share: the rules of methods and services, and the
// authentication of one call from its bearer value. Each adapter wraps it
// in options and errors of its own.
package rpcauth

import (
	"context"
	"fmt"
	"strings"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Rules is the configuration the options of an adapter build: the rule of
// each method ("/pkg.Service/Method"), of each service ("/pkg.Service/"),
// and of everything else.
type Rules struct {
	pkg   string // the adapter, for messages
	def   rule
	rules map[string]*rule
}

// rule is what the calls of a method require.
type rule struct {
	public  bool
	mode    httpx.Mode
	modeSet bool  // else the default's mode
	checks  []any // func(context.Context, C, U) error, checked by Compile
}

// NewRules returns the rules of adapter pkg: Required everywhere.
func NewRules(pkg string) *Rules {
	return &Rules{pkg: pkg, def: rule{mode: httpx.Required, modeSet: true}, rules: map[string]*rule{}}
}

// forPattern returns the rule of a method or service, after checking it.
func (c *Rules) forPattern(pattern string) (*rule, error) {
	service, method, ok := strings.Cut(strings.TrimPrefix(pattern, "/"), "/")
	if !strings.HasPrefix(pattern, "/") || !ok || service == "" || strings.Contains(method, "/") {
		return nil, fmt.Errorf("%w: %s: %q is neither /pkg.Service/Method nor /pkg.Service/", jwtx.ErrConfig, c.pkg, pattern)
	}
	r, ok := c.rules[pattern]
	if !ok {
		r = &rule{}
		c.rules[pattern] = r
	}
	return r, nil
}

// each applies f to the rule of each name, or to the default without names.
func (c *Rules) each(names []string, f func(*rule)) error {
	if len(names) == 0 {
		f(&c.def)
		return nil
	}
	for _, n := range names {
		r, err := c.forPattern(n)
		if err != nil {
			return err
		}
		f(r)
	}
	return nil
}

// SetMode sets the mode of the names given, or the default's.
func (c *Rules) SetMode(mode httpx.Mode, names ...string) error {
	switch mode {
	case httpx.Required, httpx.Optional, httpx.Fresh, httpx.Refresh:
	default:
		return fmt.Errorf("%w: %s: unknown mode %v: use httpx.Required, Optional, Fresh or Refresh", jwtx.ErrConfig, c.pkg, mode)
	}
	return c.each(names, func(r *rule) { r.mode, r.modeSet = mode, true })
}

// SetPublic makes the names given public; it needs at least one.
func (c *Rules) SetPublic(names ...string) error {
	if len(names) == 0 {
		return fmt.Errorf("%w: %s: WithPublic names nothing: give the methods or services that need no token", jwtx.ErrConfig, c.pkg)
	}
	return c.each(names, func(r *rule) { r.public = true })
}

// AddCheck adds check, a func(context.Context, C, U) error, to the names
// given, or to the default.
func (c *Rules) AddCheck(check any, names ...string) error {
	return c.each(names, func(r *rule) { r.checks = append(r.checks, check) })
}

// Policy is a rule with its mode resolved and its checks typed.
type Policy[U any, C jwtx.Claims] struct {
	Public bool
	Mode   httpx.Mode
	Checks []func(context.Context, C, U) error
}

// Policies are the compiled rules of an adapter's Auth.
type Policies[U any, C jwtx.Claims] struct {
	def   Policy[U, C]
	rules map[string]Policy[U, C]
}

// Compile types the checks of every rule for U and C, and resolves each
// rule's mode against the default's.
func Compile[U any, C jwtx.Claims](c *Rules) (Policies[U, C], error) {
	ps := Policies[U, C]{rules: map[string]Policy[U, C]{}}
	var err error
	if ps.def, err = compile[U, C](c.pkg, c.def, c.def.mode); err != nil {
		return Policies[U, C]{}, err
	}
	for pattern, r := range c.rules {
		if ps.rules[pattern], err = compile[U, C](c.pkg, *r, c.def.mode); err != nil {
			return Policies[U, C]{}, err
		}
	}
	return ps, nil
}

func compile[U any, C jwtx.Claims](pkg string, r rule, def httpx.Mode) (Policy[U, C], error) {
	p := Policy[U, C]{Public: r.public, Mode: def}
	if r.modeSet {
		p.Mode = r.mode
	}
	for _, c := range r.checks {
		f, ok := c.(func(context.Context, C, U) error)
		if !ok {
			return Policy[U, C]{}, fmt.Errorf("%w: %s: WithAuthorize takes %T, the Auth needs func(context.Context, %T, %T) error", jwtx.ErrConfig, pkg, c, *new(C), *new(U))
		}
		p.Checks = append(p.Checks, f)
	}
	return p, nil
}

// For returns the policy of a method: its own, else its service's, else
// the default.
func (ps Policies[U, C]) For(method string) Policy[U, C] {
	if p, ok := ps.rules[method]; ok {
		return p
	}
	if i := strings.LastIndexByte(method, '/'); i > 0 {
		if p, ok := ps.rules[method[:i+1]]; ok {
			return p
		}
	}
	return ps.def
}

// Authenticate authenticates a call by policy p, from the values of its
// authorization header or metadata entry: it reads the one "Bearer
// <token>" value, verifies the token as the mode requires, loads the user
// and runs the checks. It returns ctx with the typed claims and user added,
// ctx itself for a public call or one without a token in Optional mode,
// or the refusal: an error for httpx.ReasonOf, which the adapter turns
// into its own status. what names the values in messages.
func Authenticate[U any, C jwtx.Claims](ctx context.Context, ver *jwtx.Verifier[U, C], p Policy[U, C], values []string, what string) (context.Context, error) {
	if p.Public {
		return ctx, nil
	}
	tok, err := bearer(values, what)
	switch {
	case err != nil:
		return nil, err
	case tok == "" && p.Mode == httpx.Optional:
		return ctx, nil
	case tok == "":
		return nil, httpx.ErrNoToken
	}
	want := jwtx.ExpectAccess
	switch p.Mode {
	case httpx.Fresh:
		want = jwtx.ExpectFresh
	case httpx.Refresh:
		want = jwtx.ExpectRefresh
	}
	claims, _, err := ver.VerifyClaims(ctx, tok, want)
	if err != nil {
		return nil, err
	}
	user, err := ver.LoadUser(ctx, claims)
	if err != nil {
		return nil, err
	}
	ctx = jwtx.NewContext(ctx, claims, user)
	for _, check := range p.Checks {
		if err := check(ctx, claims, user); err != nil {
			return nil, fmt.Errorf("%w: %w", httpx.ErrForbidden, err)
		}
	}
	return ctx, nil
}

// bearer returns the token of the one value "Bearer <token>", with the
// scheme in any case: "" without a value (or with another scheme),
// httpx.ErrBadRequest for two values or a malformed one.
func bearer(values []string, what string) (string, error) {
	switch {
	case len(values) == 0 || values[0] == "" && len(values) == 1:
		return "", nil
	case len(values) > 1:
		return "", fmt.Errorf("%w: %d %s values", httpx.ErrBadRequest, len(values), what)
	}
	scheme, tok, _ := strings.Cut(values[0], " ")
	switch {
	case !strings.EqualFold(scheme, "Bearer"):
		return "", nil
	case tok == "" || strings.ContainsAny(tok, " \t"):
		return "", fmt.Errorf("%w: malformed %s value", httpx.ErrBadRequest, what)
	}
	return tok, nil
}
