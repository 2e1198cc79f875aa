package grpcjwt

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

// config is the configuration of an Auth: the rule of each method, of each
// service, and of everything else.
type config struct {
	def   rule
	rules map[string]*rule // by "/pkg.Service/Method" or "/pkg.Service/"
}

// rule is what the calls of a method require.
type rule struct {
	public  bool
	mode    httpx.Mode
	modeSet bool  // else the default's mode
	checks  []any // func(context.Context, C, U) error, checked by New
}

// forPattern returns the rule of a method pattern, or of every method for
// none, after checking the pattern.
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

// checkPattern accepts a full method name, "/pkg.Service/Method", or a
// service, "/pkg.Service/".
func checkPattern(p string) error {
	service, method, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !strings.HasPrefix(p, "/") || !ok || service == "" || strings.Contains(method, "/") {
		return fmt.Errorf("%w: grpcjwt: method %q is neither /pkg.Service/Method nor /pkg.Service/", jwtx.ErrConfig, p)
	}
	return nil
}

// WithMode sets what the calls of the methods given require: httpx.Required,
// Optional, Fresh or Refresh. A method is a full method name,
// "/pkg.Service/Method", or a whole service, "/pkg.Service/"; a method's
// own rule wins over its service's. Without methods, it sets the mode of
// every method that has no rule of its own. Default: httpx.Required.
func WithMode(mode httpx.Mode, methods ...string) Option {
	return option(func(c *config) error {
		switch mode {
		case httpx.Required, httpx.Optional, httpx.Fresh, httpx.Refresh:
		default:
			return fmt.Errorf("%w: grpcjwt: unknown mode %v", jwtx.ErrConfig, mode)
		}
		if len(methods) == 0 {
			c.def.mode = mode
			return nil
		}
		for _, m := range methods {
			r, err := c.forPattern(m)
			if err != nil {
				return err
			}
			r.mode, r.modeSet = mode, true
		}
		return nil
	})
}

// WithPublic lets the calls of the methods given through without looking
// at their metadata: health checks, login. Methods are named as in
// [WithMode]. Default: none.
func WithPublic(methods ...string) Option {
	return option(func(c *config) error {
		if len(methods) == 0 {
			return fmt.Errorf("%w: grpcjwt: WithPublic names no method", jwtx.ErrConfig)
		}
		for _, m := range methods {
			r, err := c.forPattern(m)
			if err != nil {
				return err
			}
			r.public = true
		}
		return nil
	})
}

// WithAuthorize adds check to the methods given (named as in [WithMode]),
// or to every method without a rule of its own when none are given: after
// the token verified and the user loaded, each check runs in order, and an
// error refuses the call with PermissionDenied (reason "forbidden"). U and
// C must be the Auth's; New refuses a check of other types. Default: none.
func WithAuthorize[U any, C jwtx.Claims](check func(ctx context.Context, claims C, user U) error, methods ...string) Option {
	return option(func(c *config) error {
		if check == nil {
			return fmt.Errorf("%w: grpcjwt: nil check", jwtx.ErrConfig)
		}
		if len(methods) == 0 {
			c.def.checks = append(c.def.checks, check)
			return nil
		}
		for _, m := range methods {
			r, err := c.forPattern(m)
			if err != nil {
				return err
			}
			r.checks = append(r.checks, check)
		}
		return nil
	})
}
