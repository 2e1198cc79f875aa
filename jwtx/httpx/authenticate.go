package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/internal/reqctx"
)

// A Mode is what [Auth.Authenticate] requires of a request, as the guards
// of the same names do. The zero Mode is Required.
type Mode uint8

// The modes.
const (
	// Required needs a valid access token (and its user), as [Auth.Required].
	Required Mode = iota
	// Optional accepts a valid access token or none, as [Auth.Optional]: a
	// token that is present but bad is still refused.
	Optional
	// Fresh needs a fresh access token, as [Auth.Fresh].
	Fresh
	// Refresh needs a valid refresh token, as [Auth.RequireRefresh].
	Refresh
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case Required:
		return "required"
	case Optional:
		return "optional"
	case Fresh:
		return "fresh"
	case Refresh:
		return "refresh"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Authenticated is what [Auth.Authenticate] established about a request. U
// is the application's user type and C its claims type, as in the Auth.
type Authenticated[U any, C jwtx.Claims] struct {
	// Request is the request with the verified values in its context, for
	// jwtx.From[C], jwtx.UserFrom[U] and jwtx.RawFrom: hand it on.
	Request *http.Request
	// Claims are the verified claims; the zero C for a request without a
	// token in Optional mode.
	Claims C
	// User is the token's user. It is the zero U for a request without a
	// token, and when WithLazyUser defers the load (no checks given): then
	// jwtx.UserFromContext(Request.Context()) loads it on first use.
	User U
	// Location is where the token came from; 0 for a request without a
	// token in Optional mode.
	Location Location
}

// Authenticate authenticates one request as the guards do, for code that is
// not a middleware chain: a WebSocket upgrade, server-sent events, a router
// of its own, an adapter for another framework. It reads the token from the
// configured locations, applies the CSRF rules, verifies the token as mode
// requires, loads the user (unless WithLazyUser defers it and no check is
// given), runs the checks in order as [Auth.Authorize] does (a check error
// refuses with [ErrForbidden]) and, with WithImplicitRefresh, may set a
// renewed access cookie on w. In Optional mode a request without a token is
// let through with no claims; the checks run only when there is a token.
//
// It reports exactly one event, the request's outcome, as the middleware
// does. On success it returns the verified values and a copy of r that
// carries them. On failure it returns the zero Authenticated and an error
// for [ReasonOf] and errors.Is; it writes nothing to w, so answer with
// [Auth.Refuse], or in a way of your own.
func (a *Auth[U, C]) Authenticate(w http.ResponseWriter, r *http.Request, mode Mode, checks ...func(ctx context.Context, claims C, user U) error) (Authenticated[U, C], error) {
	rl, err := newRule(mode, checks)
	if err == nil {
		var res Authenticated[U, C]
		if res, err = a.authenticate(w, r, rl); err == nil {
			a.succeeded(r, &res)
			return res, nil
		}
	}
	a.emit(r, refusalEvent(err))
	return Authenticated[U, C]{}, err
}

// Refuse answers a request refused with err exactly as the guards do: with
// the WithReasonHandler handler of the error's [Reason], else the
// WithErrorHandler handler, else the default answer (status, RFC 6750
// challenge, JSON body). When the token's signature verified and a later
// step refused it (CSRF, the user, a check), the handler gets r with the
// token's claims in its context (jwtx.From[C], jwtx.RawFrom); for a token
// refused by its claims (expired, revoked, ...), errors.As gives a
// *jwtx.TokenError with what it says. It reports no event:
// [Auth.Authenticate] has reported the request's outcome already.
func (a *Auth[U, C]) Refuse(w http.ResponseWriter, r *http.Request, err error) {
	if rf, ok := err.(*refusal); ok {
		err = rf.err
		if rf.req != nil && rf.req.Context() != r.Context() {
			// A token that verified and was refused later (CSRF, user,
			// checks): the handlers see its claims, as jwtx.From[C].
			r = r.WithContext(rf.req.Context())
		}
	}
	if h, ok := a.cfg.byReason[ReasonOf(err)]; ok {
		h(w, r, err)
		return
	}
	a.cfg.onError(w, r, err)
}

// RefusalHeader returns the headers the default answer to a request
// refused with err carries: the RFC 6750 WWW-Authenticate challenge with
// the Auth's realm and scheme, and Retry-After when the failure is
// temporary. A framework that answers refusals its own way sets them
// beside [Reason.Status] and [Reason.Message].
func (a *Auth[U, C]) RefusalHeader(err error) http.Header {
	h := http.Header{}
	refusalHeader(h, a.cfg.answer(ReasonOf(err)), a.cfg.realm, a.cfg.challengeScheme(), err)
	return h
}

// rule is what one protected route requires.
type rule[U any, C jwtx.Claims] struct {
	want      jwtx.Expect
	optional  bool
	authorize []func(context.Context, C, U) error
	rotating  bool // the refresh endpoint: a replayed adopted token burns its family
}

// newRule returns the rule of a mode and its checks.
func newRule[U any, C jwtx.Claims](mode Mode, checks []func(context.Context, C, U) error) (rule[U, C], error) {
	rl := rule[U, C]{authorize: checks}
	switch mode {
	case Required:
		rl.want = jwtx.ExpectAccess
	case Optional:
		rl.want, rl.optional = jwtx.ExpectAccess, true
	case Fresh:
		rl.want = jwtx.ExpectFresh
	case Refresh:
		rl.want = jwtx.ExpectRefresh
	default:
		return rule[U, C]{}, fmt.Errorf("%w: httpx: unknown mode %v: use Required, Optional, Fresh or Refresh", jwtx.ErrConfig, mode)
	}
	for _, c := range checks {
		if c == nil {
			return rule[U, C]{}, fmt.Errorf("%w: httpx: a check is nil: pass only non-nil check functions", jwtx.ErrConfig)
		}
	}
	return rl, nil
}

// refusal is the error of a refused request, with what its event reports
// beside the cause.
type refusal struct {
	err     error
	loc     Location
	subject string // of a token whose signature verified, or ""
	id      string
	req     *http.Request // with the verified claims, for the handlers; or nil
}

func (e *refusal) Error() string { return e.err.Error() }
func (e *refusal) Unwrap() error { return e.err }

// refusalEvent is the event of a request refused with err, without the
// method and path.
func refusalEvent(err error) Event {
	ev := Event{Reason: ReasonOf(err), Err: err}
	var rf *refusal
	if errors.As(err, &rf) {
		ev.Err, ev.Location, ev.Subject, ev.TokenID = rf.err, rf.loc, rf.subject, rf.id
	}
	var te *jwtx.TokenError
	if ev.Subject == "" && errors.As(err, &te) {
		ev.Subject, ev.TokenID = te.Token.Subject, te.Token.ID
	}
	return ev
}

// refusedIn is refused for a failure inside authenticate, before
// res.Request is set: the handlers of the refusal get r with ctx, which
// carries the verified claims.
func (res Authenticated[U, C]) refusedIn(r *http.Request, ctx context.Context, err error) error {
	res.Request = r.WithContext(ctx)
	return res.refused(err)
}

// refused returns err, a failure after authentication succeeded, with the
// token's location and identity for the event.
func (res Authenticated[U, C]) refused(err error) error {
	rf := &refusal{err: err, loc: res.Location, req: res.Request}
	if res.Location != 0 {
		reg := jwtx.InfoOf(res.Claims)
		rf.subject, rf.id = reg.Subject, reg.ID
	}
	return rf
}

// succeeded reports the event of an authenticated or anonymous request.
func (a *Auth[U, C]) succeeded(r *http.Request, res *Authenticated[U, C]) {
	if a.cfg.events == nil {
		return // nothing to report: spare the claims' copy
	}
	if res.Location == 0 {
		a.emit(r, Event{Reason: ReasonAnonymous})
		return
	}
	reg := jwtx.InfoOf(res.Claims)
	a.emit(r, Event{Reason: ReasonAuthenticated, Location: res.Location, Subject: reg.Subject, TokenID: reg.ID})
}

// authenticate extracts and verifies the token, applies CSRF, loads the
// user, runs the authorization checks and renews an access cookie close to
// expiry; it reports no event. An optional rule lets a request without a
// token through with Location 0. Errors are *refusal, which carry the
// location and, once the signature verified, the token's identity.
func (a *Auth[U, C]) authenticate(w http.ResponseWriter, r *http.Request, rl rule[U, C]) (Authenticated[U, C], error) {
	ctx := r.Context()
	tok, loc, err := a.cfg.extract(r, rl.want)
	switch {
	case err != nil:
		return Authenticated[U, C]{}, &refusal{err: err, loc: loc}
	case tok == "" && rl.optional:
		return Authenticated[U, C]{Request: r}, nil
	case tok == "":
		return Authenticated[U, C]{}, &refusal{err: ErrNoToken}
	}
	claims, raw, err := a.ver.VerifyClaims(ctx, tok, rl.want)
	if err != nil {
		if loc == FromHeader {
			// The header's characters are checked only now: every token
			// the verifier accepts is a valid b64token, and it refuses
			// the others before it uses a key.
			if herr := a.cfg.checkHeaderToken(tok); herr != nil {
				return Authenticated[U, C]{}, &refusal{err: herr, loc: loc}
			}
		}
		if rl.rotating {
			err = a.burnAdopted(ctx, err)
		}
		return Authenticated[U, C]{}, &refusal{err: err, loc: loc}
	}
	res := Authenticated[U, C]{Claims: claims, Location: loc}
	verified, rec := reqctx.WithVerified[U](ctx, claims, raw, uint8(loc))
	ctx = verified
	reg := jwtx.InfoOf(claims)
	// A refusal from here on hands the handlers the request with the
	// verified claims (see refusal.req).
	if err := a.cfg.checkCSRF(r, loc, reg.CSRF); err != nil {
		return Authenticated[U, C]{}, res.refusedIn(r, verified, err)
	}
	if a.cfg.lazy && len(rl.authorize) == 0 {
		ctx = rec.WithLazyUser(ctx, func(ctx context.Context) (U, error) {
			claims, _ := reqctx.Claims[C](verified)
			return a.ver.LoadUser(ctx, claims)
		})
	} else {
		user, err := a.ver.LoadUser(ctx, claims)
		if err != nil {
			return Authenticated[U, C]{}, res.refusedIn(r, verified, err)
		}
		res.User = user
		ctx = rec.WithUser(ctx, user)
		for _, check := range rl.authorize {
			if err := check(ctx, claims, user); err != nil {
				return Authenticated[U, C]{}, res.refusedIn(r, verified, fmt.Errorf("%w: %w", ErrForbidden, err))
			}
		}
	}
	if a.implicit != nil && loc == FromCookie && rl.want != jwtx.ExpectRefresh {
		if err := a.renew(ctx, w, reg); err != nil {
			return Authenticated[U, C]{}, res.refusedIn(r, verified, err)
		}
	}
	res.Request = r.WithContext(ctx)
	return res, nil
}
