package httpx

import (
	"context"
	"fmt"
	"net/http"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Auth turns a jwtx.Verifier into net/http middleware. U is the
// application's user type and C its claims type, as in the Verifier.
//
// Its middleware methods (Required, Optional, Fresh, RequireRefresh and the
// result of Authorize) have the standard func(http.Handler) http.Handler
// shape, so they work with http.ServeMux, chi, gorilla/mux and anything else
// built on net/http. After them, handlers read the verified values with
// jwtx.From[C], jwtx.UserFrom[U] and jwtx.RawFrom.
//
// Guards are not meant to be nested: Authorize already requires a token and
// HandlerFunc takes its own checks; nesting verifies the token once per
// guard and reports one event per guard.
//
// A guard authenticates an OPTIONS request like any other, so it refuses a
// CORS preflight, which carries no credentials: answer preflights with a
// CORS middleware placed in front of the guards (see CORS in the package
// documentation).
//
// An Auth is immutable and safe for concurrent use.
type Auth[U any, C jwtx.Claims] struct {
	ver      *jwtx.Verifier[U, C]
	cfg      config
	implicit *jwtx.Issuer[U, C]
}

// New builds an Auth on ver. Options configure the rest; see [Option].
func New[U any, C jwtx.Claims](ver *jwtx.Verifier[U, C], opts ...Option) (*Auth[U, C], error) {
	if ver == nil {
		return nil, fmt.Errorf("%w: nil verifier", jwtx.ErrConfig)
	}
	a := &Auth[U, C]{ver: ver, cfg: defaultConfig()}
	a.cfg.maxToken = ver.MaxTokenSize()
	cookies, err := Cookies{}.Resolve()
	if err != nil {
		return nil, err
	}
	a.cfg.cookies = cookies
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", jwtx.ErrConfig)
		}
		if err := o.apply(&a.cfg); err != nil {
			return nil, err
		}
	}
	if a.cfg.onError == nil {
		a.cfg.onError = answering(a.cfg.realm, a.cfg.challengeScheme(), a.cfg.msgKey, a.cfg.answer)
	}
	if a.cfg.implicit != nil {
		iss, ok := a.cfg.implicit.(*jwtx.Issuer[U, C])
		if !ok {
			return nil, fmt.Errorf("%w: WithImplicitRefresh takes %T, the Auth needs *jwtx.Issuer[%T, %T]", jwtx.ErrConfig, a.cfg.implicit, *new(U), *new(C))
		}
		a.implicit = iss
	}
	return a, nil
}

// Required lets a request through only with a valid access token (and its
// user), flask-jwt-extended's @jwt_required().
func (a *Auth[U, C]) Required(next http.Handler) http.Handler {
	return a.guard(rule[U, C]{want: jwtx.ExpectAccess}, next)
}

// Optional lets a request through with a valid access token or with none,
// @jwt_required(optional=True). A token that is present but bad is still
// refused. Without a token the context holds no claims.
func (a *Auth[U, C]) Optional(next http.Handler) http.Handler {
	return a.guard(rule[U, C]{want: jwtx.ExpectAccess, optional: true}, next)
}

// Fresh lets a request through only with a fresh access token,
// @jwt_required(fresh=True): for changing a password or an e-mail address.
func (a *Auth[U, C]) Fresh(next http.Handler) http.Handler {
	return a.guard(rule[U, C]{want: jwtx.ExpectFresh}, next)
}

// RequireRefresh lets a request through only with a valid refresh token,
// @jwt_required(refresh=True). [Auth.RefreshHandler] is a ready handler.
func (a *Auth[U, C]) RequireRefresh(next http.Handler) http.Handler {
	return a.guard(rule[U, C]{want: jwtx.ExpectRefresh}, next)
}

// Authorize returns middleware that requires a valid access token and then
// asks check; a check error refuses the request with 403 (ErrForbidden,
// joined with the check's error). The user is loaded for the check even
// with WithLazyUser.
func (a *Auth[U, C]) Authorize(check func(ctx context.Context, claims C, user U) error) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return a.guard(rule[U, C]{want: jwtx.ExpectAccess, authorize: []func(context.Context, C, U) error{check}}, next)
	}
}

// HandlerFunc adapts a handler that takes the typed claims and user as
// arguments (the sanic-jwt-extended style) and protects it as [Auth.Required],
// plus the authorization checks given, as [Auth.Authorize] does, in one pass.
// The user is loaded before f runs, even with WithLazyUser, and a user that
// cannot be loaded refuses the request.
func (a *Auth[U, C]) HandlerFunc(f func(w http.ResponseWriter, r *http.Request, claims C, user U), checks ...func(ctx context.Context, claims C, user U) error) http.Handler {
	return a.serve(rule[U, C]{want: jwtx.ExpectAccess, authorize: checks}, func(w http.ResponseWriter, r *http.Request, _ Location) error {
		user, err := jwtx.UserFromContext[U](r.Context())
		if err != nil {
			return err
		}
		claims, _ := jwtx.From[C](r.Context())
		f(w, r, claims, user)
		return nil
	})
}

func (a *Auth[U, C]) guard(rl rule[U, C], next http.Handler) http.Handler {
	return a.serve(rl, func(w http.ResponseWriter, r *http.Request, _ Location) error {
		next.ServeHTTP(w, r)
		return nil
	})
}

// serve runs the checks of rl and calls next with the verified values in
// the request context and the location the token came from; next runs
// without a verified token only on an optional route that got none. next
// may refuse the request by returning an error before it writes anything;
// the request then gets the error response. Exactly one event is reported
// per request, once its outcome is known.
func (a *Auth[U, C]) serve(rl rule[U, C], next func(http.ResponseWriter, *http.Request, Location) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := a.authenticate(w, r, rl)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if err := next(w, res.Request, res.Location); err != nil {
			a.fail(w, r, res.refused(err))
			return
		}
		a.succeeded(r, &res)
	})
}

// renew issues and sets a new access cookie when the current one expires
// within the implicit-refresh window. The new token stays in the family of
// the current one.
func (a *Auth[U, C]) renew(ctx context.Context, w http.ResponseWriter, reg jwtx.TokenInfo) error {
	now := a.ver.Now()
	if reg.ExpiresAt.IsZero() || reg.ExpiresAt.Sub(now) > a.cfg.window {
		return nil
	}
	user, err := jwtx.UserFromContext[U](ctx)
	if err != nil {
		return err
	}
	tok, err := a.implicit.Access(ctx, user, renewal(reg)...)
	if err != nil {
		return fmt.Errorf("httpx: implicit refresh: %w", err)
	}
	a.cfg.cookies.setToken(w, tok, now)
	return nil
}

// fail reports the event of a request refused with err and answers it.
func (a *Auth[U, C]) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.emit(r, refusalEvent(err))
	a.Refuse(w, r, err)
}

func (a *Auth[U, C]) emit(r *http.Request, e Event) {
	if a.cfg.events == nil {
		return
	}
	e.Method, e.Path = r.Method, r.URL.Path
	a.cfg.events(r.Context(), e)
}
