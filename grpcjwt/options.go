package grpcjwt

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

// WithMode sets what the calls of the methods given require: httpx.Required,
// Optional, Fresh or Refresh. A method is a full method name,
// "/pkg.Service/Method", or a whole service, "/pkg.Service/"; a method's
// own rule wins over its service's. Without methods, it sets the mode of
// every method that has no rule of its own. Default: httpx.Required.
func WithMode(mode httpx.Mode, methods ...string) Option {
	return option(func(c *rpcauth.Rules) error { return c.SetMode(mode, methods...) })
}

// WithPublic lets the calls of the methods given through without looking
// at their metadata: health checks, login. Methods are named as in
// [WithMode]. Default: none.
func WithPublic(methods ...string) Option {
	return option(func(c *rpcauth.Rules) error { return c.SetPublic(methods...) })
}

// WithAuthorize adds check to the methods given (named as in [WithMode]),
// or to every method without a rule of its own when none are given: after
// the token verified and the user loaded, each check runs in order, and an
// error refuses the call with PermissionDenied (reason "forbidden"). U and
// C must be the Auth's; New refuses a check of other types. Default: none.
func WithAuthorize[U any, C jwtx.Claims](check func(ctx context.Context, claims C, user U) error, methods ...string) Option {
	return option(func(c *rpcauth.Rules) error {
		if check == nil {
			return fmt.Errorf("%w: grpcjwt: nil check", jwtx.ErrConfig)
		}
		return c.AddCheck(check, methods...)
	})
}
