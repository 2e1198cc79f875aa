package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Logout ends the session of a request: it revokes, in the WithRevoker
// store, every access and refresh token the request presents that
// verifies (an expired one included: it still names its family), and
// deletes the cookies. Browsers send the refresh cookie only under
// Cookies.RefreshPath and drop an expired access cookie, so mount the
// logout route under RefreshPath (refresh at /auth/refresh, logout at
// /auth/logout, RefreshPath "/auth/") for it to see the refresh token of a
// cookie session; otherwise a logout after the access cookie expired finds
// nothing to revoke. A store that revokes families (jwtx.MemoryStore,
// redisstore) also ends the refresh token of the login, which browsers do
// not send to a logout route outside the refresh cookie's path. Tokens
// that do not verify are left alone.
//
// A token cookie the request repeats does not stop it: a sibling domain
// can plant a second refresh cookie beside the session's (it cannot be a
// __Host- cookie, as it has its own path), so every value that verifies is
// revoked and the cookies are deleted, while the middleware and
// RefreshHandler refuse such a request. When a presented token came from a
// cookie, the request must carry the CSRF value of one of the cookie
// tokens (whatever its method: logout changes state); the value of a token
// from a repeated cookie counts only when a CSRF cookie holds it too, as
// whoever planted the cookie knows its token's value. An error (a
// malformed request, CSRF, a store that cannot answer) leaves the cookies
// in place.
func (a *Auth[U, C]) Logout(w http.ResponseWriter, r *http.Request) error {
	_, err := a.logout(w, r)
	return err
}

// presented is a verified token a logout request carries.
type presented struct {
	loc  Location
	info jwtx.TokenInfo
	// repeated marks a token from a cookie name the request carries more
	// than once, one of which may have been planted.
	repeated bool
}

// logout does the work of Logout and returns the tokens it verified. Each
// location is read for each kind of token, so that a header access token
// does not hide the refresh cookie.
func (a *Auth[U, C]) logout(w http.ResponseWriter, r *http.Request) ([]presented, error) {
	var tokens []presented
	for _, want := range []jwtx.Expect{jwtx.ExpectAccess, jwtx.ExpectRefresh} {
		for _, loc := range a.cfg.locations {
			toks, repeated, err := a.cfg.logoutTokens(r, loc, want)
			if err != nil {
				return nil, err
			}
			for _, tok := range toks {
				info, err := a.authentic(r.Context(), tok, want)
				switch {
				case errors.Is(err, jwtx.ErrRevocationUnavailable), errors.Is(err, jwtx.ErrJWKS):
					return nil, err
				case err == nil:
					tokens = append(tokens, presented{loc: loc, info: info, repeated: repeated})
				}
			}
		}
	}
	if err := a.checkLogoutRequest(r, tokens); err != nil {
		return nil, err
	}
	if a.cfg.revoker != nil {
		for _, t := range tokens {
			if a.cfg.rotation != nil && t.info.Type == jwtx.Refresh && t.info.Family == "" {
				// A refresh token without a family may have been adopted
				// into one (see refresh): its logout ends that family.
				t.info.Family = adoptedFamily(t.info)
			}
			if err := a.cfg.revoker.Revoke(r.Context(), t.info); err != nil {
				return nil, fmt.Errorf("%w: %w", jwtx.ErrRevocationUnavailable, err)
			}
		}
	}
	a.UnsetCookies(w)
	return tokens, nil
}

// logoutTokens returns the tokens of the wanted kind that a logout request
// presents in loc, and whether loc is a cookie the request repeats. Unlike
// extract, it returns every value of a repeated cookie, so that a planted
// cookie cannot keep the session's from being revoked.
func (cfg *config) logoutTokens(r *http.Request, loc Location, want jwtx.Expect) ([]string, bool, error) {
	if loc != FromCookie {
		tok, err := cfg.from(r, loc, want)
		if err == nil && loc == FromHeader && tok != "" {
			err = cfg.checkHeaderToken(tok) // which authenticate defers
		}
		if err != nil || tok == "" {
			return nil, false, err
		}
		return []string{tok}, false, nil
	}
	found := r.CookiesNamed(cfg.cookies.tokenName(want))
	var toks []string
	for _, c := range found {
		if c.Value != "" {
			toks = append(toks, c.Value)
		}
	}
	return toks, len(found) > 1, nil
}

// checkLogoutRequest guards a logout that touches cookies, whatever its
// method: one that revokes cookie tokens needs the CSRF value of one of
// them, which for a token from a repeated cookie must also be the value of
// a CSRF cookie; one that would only delete cookies (the token cookies
// expired, were not sent, or none of them counts) needs the value of a
// CSRF cookie, so that another site cannot end the session by posting a
// form. A logout without any of the cookies needs neither.
func (a *Auth[U, C]) checkLogoutRequest(r *http.Request, tokens []presented) error {
	ck := a.cfg.cookies
	var csrfCookies []string
	carries := false
	for _, name := range []string{ck.AccessName, ck.RefreshName, ck.AccessCSRFName, ck.RefreshCSRFName} {
		found := r.CookiesNamed(name)
		carries = carries || len(found) > 0
		if name == ck.AccessCSRFName || name == ck.RefreshCSRFName {
			for _, c := range found {
				csrfCookies = append(csrfCookies, c.Value)
			}
		}
	}
	if !carries {
		return nil
	}
	var expected []string
	for _, t := range tokens {
		if t.loc != FromCookie {
			continue
		}
		if !t.repeated || slices.ContainsFunc(csrfCookies, func(v string) bool { return CSRFEqual(v, t.info.CSRF) }) {
			expected = append(expected, t.info.CSRF)
		}
	}
	if len(expected) == 0 {
		expected = csrfCookies
	}
	return a.cfg.checkCookieRequest(r, expected...)
}

// LogoutHandler returns a handler that calls [Auth.Logout] and answers
// {"msg": "logged out"} (event reason "logged_out"), or the error response
// of a refused logout.
func (a *Auth[U, C]) LogoutHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tokens, err := a.logout(w, r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		ev := Event{Reason: ReasonLoggedOut}
		if len(tokens) > 0 {
			ev.Location, ev.Subject, ev.TokenID = tokens[0].loc, tokens[0].info.Subject, tokens[0].info.ID
		}
		a.emit(r, ev)
		WriteJSON(w, http.StatusOK, map[string]string{"msg": "logged out"})
	})
}

// authentic returns what a token presented to logout says, when its
// signature verifies and it passes every check, or fails only by its
// expiry or by a revocation (checked last): an expired or retired token
// still names the family to revoke.
func (a *Auth[U, C]) authentic(ctx context.Context, tok string, want jwtx.Expect) (jwtx.TokenInfo, error) {
	claims, _, err := a.ver.VerifyClaims(ctx, tok, want)
	if err == nil {
		return jwtx.InfoOf(claims), nil
	}
	var te *jwtx.TokenError
	if errors.As(err, &te) {
		if ce, ok := te.Err.(*jwtx.ClaimError); ok && ce.Claim == "exp" && errors.Is(ce, jwtx.ErrExpired) {
			return te.Token, nil
		}
		if errors.Is(te.Err, jwtx.ErrRevoked) {
			return te.Token, nil
		}
	}
	return jwtx.TokenInfo{}, err
}
