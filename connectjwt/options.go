package connectjwt

import (
	"context"
	"fmt"

	"github.com/typedjwt/typedjwt/internal/rpcauth"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// An Option configures an [Auth]. Only this package can create them.
type Option interface {
	apply(*rpcauth.Rules) error
}

type option func(*rpcauth.Rules) error

func (o option) apply(c *rpcauth.Rules) error { return o(c) }

// WithMode sets what the calls of the procedures given require:
// httpx.Required, Optional, Fresh or Refresh. A procedure is named
// "/pkg.Service/Method", or a whole service "/pkg.Service/"; a procedure's
// own rule wins over its service's. Without procedures, it sets the mode of
// every procedure that has no rule of its own. Default: httpx.Required.
func WithMode(mode httpx.Mode, procedures ...string) Option {
	return option(func(c *rpcauth.Rules) error { return c.SetMode(mode, procedures...) })
}

// WithPublic lets the calls of the procedures given through without
// looking at their headers: health checks, login. Procedures are named as
// in [WithMode]. Default: none.
func WithPublic(procedures ...string) Option {
	return option(func(c *rpcauth.Rules) error { return c.SetPublic(procedures...) })
}

// WithAuthorize adds check to the procedures given (named as in
// [WithMode]), or to every procedure without a rule of its own when none
// are given: after the token verified and the user loaded, each check runs
// in order, and an error refuses the call with CodePermissionDenied (reason
// "forbidden"). U and C must be the Auth's; New refuses a check of other
// types. Default: none.
func WithAuthorize[U any, C jwtx.Claims](check func(ctx context.Context, claims C, user U) error, procedures ...string) Option {
	return option(func(c *rpcauth.Rules) error {
		if check == nil {
			return fmt.Errorf("%w: connectjwt: nil check", jwtx.ErrConfig)
		}
		return c.AddCheck(check, procedures...)
	})
}
