package connectjwt

import (
	"context"
	"fmt"
	"strings"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// An Option configures an [Auth]. Only this package can create them.
type Option interface {
	apply(*config) error
}

type option func(*config) error

func (o option) apply(c *config) error { return o(c) }

// config is the configuration of an Auth: the rule of each procedure, of
// each service, and of everything else.
type config struct {
	def   rule
	rules map[string]*rule // by "/pkg.Service/Method" or "/pkg.Service/"
}

// rule is what the calls of a procedure require.
type rule struct {
	public  bool
	mode    httpx.Mode
	modeSet bool  // else the default's mode
	checks  []any // func(context.Context, C, U) error, checked by New
}

// forPattern returns the rule of a procedure pattern after checking it.
func (c *config) forPattern(pattern string) (*rule, error) {
	if err := checkPattern(pattern); err != nil {
		return nil, err
	}
	r, ok := c.rules[pattern]
	if !ok {
		r = &rule{}
		c.rules[pattern] = r
	}
	return r, nil
}

// checkPattern accepts a procedure, "/pkg.Service/Method", or a service,
// "/pkg.Service/".
func checkPattern(p string) error {
	service, method, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !strings.HasPrefix(p, "/") || !ok || service == "" || strings.Contains(method, "/") {
		return fmt.Errorf("%w: connectjwt: procedure %q is neither /pkg.Service/Method nor /pkg.Service/", jwtx.ErrConfig, p)
	}
	return nil
}

// WithMode sets what the calls of the procedures given require:
// httpx.Required, Optional, Fresh or Refresh. A procedure is named
// "/pkg.Service/Method", or a whole service "/pkg.Service/"; a procedure's
// own rule wins over its service's. Without procedures, it sets the mode of
// every procedure that has no rule of its own. Default: httpx.Required.
func WithMode(mode httpx.Mode, procedures ...string) Option {
	return option(func(c *config) error {
		switch mode {
		case httpx.Required, httpx.Optional, httpx.Fresh, httpx.Refresh:
		default:
			return fmt.Errorf("%w: connectjwt: unknown mode %v", jwtx.ErrConfig, mode)
		}
		if len(procedures) == 0 {
			c.def.mode = mode
			return nil
		}
		for _, m := range procedures {
			r, err := c.forPattern(m)
			if err != nil {
				return err
			}
			r.mode, r.modeSet = mode, true
		}
		return nil
	})
}

// WithPublic lets the calls of the procedures given through without
// looking at their headers: health checks, login. Procedures are named as
// in [WithMode]. Default: none.
func WithPublic(procedures ...string) Option {
	return option(func(c *config) error {
		if len(procedures) == 0 {
			return fmt.Errorf("%w: connectjwt: WithPublic names no procedure", jwtx.ErrConfig)
		}
		for _, m := range procedures {
			r, err := c.forPattern(m)
			if err != nil {
				return err
			}
			r.public = true
		}
		return nil
	})
}

// WithAuthorize adds check to the procedures given (named as in
// [WithMode]), or to every procedure without a rule of its own when none
// are given: after the token verified and the user loaded, each check runs
// in order, and an error refuses the call with CodePermissionDenied (reason
// "forbidden"). U and C must be the Auth's; New refuses a check of other
// types. Default: none.
func WithAuthorize[U any, C jwtx.Claims](check func(ctx context.Context, claims C, user U) error, procedures ...string) Option {
	return option(func(c *config) error {
		if check == nil {
			return fmt.Errorf("%w: connectjwt: nil check", jwtx.ErrConfig)
		}
		if len(procedures) == 0 {
			c.def.checks = append(c.def.checks, check)
			return nil
		}
		for _, m := range procedures {
			r, err := c.forPattern(m)
			if err != nil {
				return err
			}
			r.checks = append(r.checks, check)
		}
		return nil
	})
}
