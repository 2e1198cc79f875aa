package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// authRequest is a request of the Authenticate tests: a token in a
// location, a method, and a time after issue.
type authRequest struct {
	method string
	token  tokenFunc
	loc    httpx.Location // FromHeader or FromCookie; the cookie carries no CSRF header
	raw    string         // an Authorization header of its own instead of a token
	after  time.Duration
}

// build returns the request, issuing its token with e at the env's start
// and moving the clock after on.
func (ar authRequest) build(tb testing.TB, e *appEnv) func() *http.Request {
	tb.Helper()
	tok := ar.token(tb, e)
	e.Clock.Advance(ar.after)
	return func() *http.Request {
		r := newRequest(ar.method, "/x", nil)
		switch {
		case ar.raw != "":
			r.Header.Set("Authorization", ar.raw)
		case tok == "":
		case ar.loc == httpx.FromCookie:
			cookie(accessCookie, tok)(r)
			cookie(refreshCookie, tok)(r)
		default:
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		return r
	}
}

// authRequests are the requests every mode is tried with.
func authRequests() map[string]authRequest {
	return map[string]authRequest{
		"no token":              {method: http.MethodGet, token: noToken},
		"malformed header":      {method: http.MethodGet, token: noToken, raw: "Bearer a b"},
		"alice":                 {method: http.MethodGet, token: accessFor("alice")},
		"alice, fresh":          {method: http.MethodGet, token: accessFor("alice", jwtx.AsFresh(true))},
		"bob":                   {method: http.MethodGet, token: accessFor("bob")},
		"alice, expired":        {method: http.MethodGet, token: accessFor("alice"), after: time.Hour},
		"alice, refresh token":  {method: http.MethodGet, token: refreshFor("alice")},
		"forged":                {method: http.MethodGet, token: forged},
		"unknown user":          {method: http.MethodGet, token: accessFor(ghostSubject)},
		"user store fails":      {method: http.MethodGet, token: accessFor(brokenSubject)},
		"cookie, GET":           {method: http.MethodGet, token: accessFor("alice"), loc: httpx.FromCookie},
		"cookie, POST, no CSRF": {method: http.MethodPost, token: accessFor("alice"), loc: httpx.FromCookie},
	}
}

// TestAuthenticateAsMiddleware answers every request in every mode once
// through a guard and once through Authenticate and Refuse: the responses
// and the events must be the same.
func TestAuthenticateAsMiddleware(t *testing.T) {
	t.Parallel()
	type guard struct {
		mode   httpx.Mode
		checks []func(context.Context, Claims, User) error
		mw     func(a *httpx.Auth[User, Claims]) func(http.Handler) http.Handler
	}
	guards := map[string]guard{
		"required": {mode: httpx.Required, mw: func(a *httpx.Auth[User, Claims]) func(http.Handler) http.Handler { return a.Required }},
		"optional": {mode: httpx.Optional, mw: func(a *httpx.Auth[User, Claims]) func(http.Handler) http.Handler { return a.Optional }},
		"fresh":    {mode: httpx.Fresh, mw: func(a *httpx.Auth[User, Claims]) func(http.Handler) http.Handler { return a.Fresh }},
		"refresh":  {mode: httpx.Refresh, mw: func(a *httpx.Auth[User, Claims]) func(http.Handler) http.Handler { return a.RequireRefresh }},
		"authorize": {
			mode:   httpx.Required,
			checks: []func(context.Context, Claims, User) error{isAdmin},
			mw: func(a *httpx.Auth[User, Claims]) func(http.Handler) http.Handler {
				return a.Authorize(isAdmin)
			},
		},
	}
	for gname, g := range guards {
		for rname, ar := range authRequests() {
			for _, lazy := range []bool{false, true} {
				name := gname + "/" + rname
				if lazy {
					name += "/lazy"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					e := newEnv(t)
					var viaGuard, viaCall eventLog
					opts := []httpx.Option{httpx.WithLocations(httpx.FromHeader, httpx.FromCookie), httpx.WithLazyUser(lazy)}
					guarded := g.mw(e.Auth(t, append(opts, httpx.WithEvents(viaGuard.record))...))(http.HandlerFunc(whoami))
					a := e.Auth(t, append(opts, httpx.WithEvents(viaCall.record))...)
					called := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						res, err := a.Authenticate(w, r, g.mode, g.checks...)
						if err != nil {
							a.Refuse(w, r, err)
							return
						}
						whoami(w, res.Request)
					})
					req := ar.build(t, e)
					want, got := testutil.Serve(guarded, req()), testutil.Serve(called, req())
					if diff := cmp.Diff(resultOf(t, want.Result()), resultOf(t, got.Result())); diff != "" {
						t.Errorf("response (-guard +Authenticate):\n%s", diff)
					}
					if diff := cmp.Diff(want.Header(), got.Header()); diff != "" {
						t.Errorf("headers (-guard +Authenticate):\n%s", diff)
					}
					ignoreErr := cmpopts.IgnoreFields(httpx.Event{}, "Err") // two verifications, two error values
					if diff := cmp.Diff(viaGuard.all(), viaCall.all(), ignoreErr); diff != "" {
						t.Errorf("events (-guard +Authenticate):\n%s", diff)
					}
				})
			}
		}
	}
}

// TestAuthenticate checks what Authenticate returns: the typed values and
// the request that carries them, or an error of the right reason.
func TestAuthenticate(t *testing.T) {
	t.Parallel()
	type got struct {
		Sub, User     string // from the result
		CtxSub        string // from the result's request context
		Location      httpx.Location
		Reason        httpx.Reason
		NilRequest    bool
		ContextLoaded bool // the user is in the context (loaded now or lazily)
	}
	for _, tc := range []struct {
		name   string
		req    string // a key of authRequests
		mode   httpx.Mode
		lazy   bool
		checks []func(context.Context, Claims, User) error
		want   got
	}{
		{name: "required", req: "alice", mode: httpx.Required, want: got{Sub: "alice", User: "Alice", CtxSub: "alice", Location: httpx.FromHeader, ContextLoaded: true}},
		{name: "required, cookie", req: "cookie, GET", mode: httpx.Required, want: got{Sub: "alice", User: "Alice", CtxSub: "alice", Location: httpx.FromCookie, ContextLoaded: true}},
		{name: "required, lazy", req: "alice", mode: httpx.Required, lazy: true, want: got{Sub: "alice", CtxSub: "alice", Location: httpx.FromHeader, ContextLoaded: true}},
		{name: "required, lazy with a check", req: "alice", mode: httpx.Required, lazy: true, checks: []func(context.Context, Claims, User) error{isAdmin}, want: got{Sub: "alice", User: "Alice", CtxSub: "alice", Location: httpx.FromHeader, ContextLoaded: true}},
		{name: "required, no token", req: "no token", mode: httpx.Required, want: got{Reason: httpx.ReasonMissing, NilRequest: true}},
		{name: "optional, no token", req: "no token", mode: httpx.Optional, want: got{}},
		{name: "optional, no token, checks skipped", req: "no token", mode: httpx.Optional, checks: []func(context.Context, Claims, User) error{isAdmin}, want: got{}},
		{name: "optional, expired", req: "alice, expired", mode: httpx.Optional, want: got{Reason: httpx.ReasonExpired, NilRequest: true}},
		{name: "fresh", req: "alice, fresh", mode: httpx.Fresh, want: got{Sub: "alice", User: "Alice", CtxSub: "alice", Location: httpx.FromHeader, ContextLoaded: true}},
		{name: "fresh, not fresh", req: "alice", mode: httpx.Fresh, want: got{Reason: httpx.ReasonNotFresh, NilRequest: true}},
		{name: "refresh", req: "alice, refresh token", mode: httpx.Refresh, want: got{Sub: "alice", User: "Alice", CtxSub: "alice", Location: httpx.FromHeader, ContextLoaded: true}},
		{name: "refresh, access token", req: "alice", mode: httpx.Refresh, want: got{Reason: httpx.ReasonWrongType, NilRequest: true}},
		{name: "checks, forbidden", req: "bob", mode: httpx.Required, checks: []func(context.Context, Claims, User) error{isAdmin}, want: got{Reason: httpx.ReasonForbidden, NilRequest: true}},
		{name: "csrf", req: "cookie, POST, no CSRF", mode: httpx.Required, want: got{Reason: httpx.ReasonCSRF, NilRequest: true}},
		{name: "user store fails", req: "user store fails", mode: httpx.Required, want: got{Reason: httpx.ReasonUserLoad, NilRequest: true}},
		{name: "unknown mode", req: "alice", mode: httpx.Mode(9), want: got{Reason: httpx.ReasonInternal, NilRequest: true}},
		{name: "nil check", req: "alice", mode: httpx.Required, checks: []func(context.Context, Claims, User) error{nil}, want: got{Reason: httpx.ReasonInternal, NilRequest: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			a := e.Auth(t, httpx.WithLocations(httpx.FromHeader, httpx.FromCookie), httpx.WithLazyUser(tc.lazy))
			r := authRequests()[tc.req].build(t, e)()
			loadsBefore := e.loads.Load()
			res, err := a.Authenticate(httptest.NewRecorder(), r, tc.mode, tc.checks...)
			g := got{Sub: res.Claims.Subject, User: res.User.Name, Location: res.Location, NilRequest: res.Request == nil}
			if err != nil {
				g.Reason = httpx.ReasonOf(err)
			}
			if res.Request != nil {
				c, _ := jwtx.From[Claims](res.Request.Context())
				g.CtxSub = c.Subject
				_, uerr := jwtx.UserFromContext[User](res.Request.Context())
				g.ContextLoaded = !errors.Is(uerr, jwtx.ErrNoUser)
			}
			if diff := cmp.Diff(tc.want, g); diff != "" {
				t.Errorf("Authenticate (-want +got):\n%s", diff)
			}
			if tc.lazy && len(tc.checks) == 0 && err == nil && e.loads.Load()-loadsBefore != 1 {
				t.Errorf("lazy user: %d loads after reading it once, want 1", e.loads.Load()-loadsBefore)
			}
		})
	}
}

// TestRefuse answers the error of Authenticate through the configured
// handlers, which see the error as the middleware's handlers do.
func TestRefuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var seen error
	a := e.Auth(t, httpx.WithReasonHandler(httpx.ReasonUserMissing, func(w http.ResponseWriter, _ *http.Request, err error) {
		seen = err
		httpx.WriteJSON(w, http.StatusNotFound, map[string]string{"msg": "no such user"})
	}))
	r := authRequests()["unknown user"].build(t, e)()
	_, err := a.Authenticate(httptest.NewRecorder(), r, httpx.Required)
	got := do(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.Refuse(w, r, err) }), r)
	if diff := cmp.Diff(result{Status: http.StatusNotFound, Body: msg("no such user")}, got); diff != "" {
		t.Errorf("Refuse (-want +got):\n%s", diff)
	}
	var ue *jwtx.UserError
	if !errors.As(seen, &ue) || ue.Subject != ghostSubject {
		t.Errorf("the reason handler saw %v, want a *jwtx.UserError for %q", seen, ghostSubject)
	}
}

// TestReasonAnswers pins the status, message and headers of the default
// answer to each reason, which adapters for other frameworks reuse.
func TestReasonAnswers(t *testing.T) {
	t.Parallel()
	type answer struct {
		Status  int
		Message string
		Header  http.Header
	}
	bearerErr := func(code, desc string) http.Header {
		return http.Header{"Www-Authenticate": {challenge(code, desc)}}
	}
	for _, tc := range []struct {
		reason httpx.Reason
		want   answer
	}{
		{httpx.ReasonAuthenticated, answer{Status: http.StatusOK, Header: http.Header{}}},
		{httpx.ReasonAnonymous, answer{Status: http.StatusOK, Header: http.Header{}}},
		{httpx.ReasonMissing, answer{http.StatusUnauthorized, "missing token", http.Header{"Www-Authenticate": {challengeMissing}}}},
		{httpx.ReasonBadRequest, answer{http.StatusBadRequest, "malformed token request", bearerErr("invalid_request", "malformed token request")}},
		{httpx.ReasonExpired, answer{http.StatusUnauthorized, "token expired", bearerErr("invalid_token", "token expired")}},
		{httpx.ReasonSignature, answer{http.StatusUnauthorized, "invalid token", bearerErr("invalid_token", "invalid token")}},
		{httpx.ReasonNotFresh, answer{http.StatusUnauthorized, "fresh token required", bearerErr("invalid_token", "fresh token required")}},
		{httpx.ReasonForbidden, answer{http.StatusForbidden, "forbidden", bearerErr("insufficient_scope", "forbidden")}},
		{httpx.ReasonCSRF, answer{http.StatusForbidden, "CSRF token missing or incorrect", http.Header{}}},
		{httpx.ReasonUnavailable, answer{http.StatusServiceUnavailable, "try again later", http.Header{"Retry-After": {"1"}}}},
		{httpx.ReasonUserLoad, answer{http.StatusInternalServerError, "internal error", http.Header{}}},
		{httpx.Reason("unheard_of"), answer{http.StatusInternalServerError, "internal error", http.Header{}}},
	} {
		t.Run(string(tc.reason), func(t *testing.T) {
			t.Parallel()
			a := newEnv(t).Auth(t)
			got := answer{Status: tc.reason.Status(), Message: tc.reason.Message(), Header: a.RefusalHeader(reasonErr(tc.reason))}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

// reasonErr returns an error that ReasonOf classifies as r.
func reasonErr(r httpx.Reason) error {
	switch r {
	case httpx.ReasonAuthenticated, httpx.ReasonAnonymous:
		return nil
	case httpx.ReasonMissing:
		return httpx.ErrNoToken
	case httpx.ReasonBadRequest:
		return httpx.ErrBadRequest
	case httpx.ReasonExpired:
		return jwtx.ErrExpired
	case httpx.ReasonSignature:
		return jwtx.ErrSignature
	case httpx.ReasonNotFresh:
		return jwtx.ErrNotFresh
	case httpx.ReasonForbidden:
		return httpx.ErrForbidden
	case httpx.ReasonCSRF:
		return httpx.ErrCSRF
	case httpx.ReasonUnavailable:
		return jwtx.ErrRevocationUnavailable
	case httpx.ReasonUserLoad:
		return jwtx.ErrUserLoad
	}
	return errors.New("something else")
}
