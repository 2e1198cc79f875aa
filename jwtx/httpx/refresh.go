package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// SetCookies sets the cookies of the given tokens (access, refresh or both)
// with their CSRF cookies; Max-Age follows each token's expiry.
func (a *Auth[U, C]) SetCookies(w http.ResponseWriter, tokens ...jwtx.Token) {
	now := a.ver.Now()
	for _, t := range tokens {
		a.cfg.cookies.setToken(w, t, now)
	}
}

// UnsetCookies deletes the token and CSRF cookies (Max-Age=0 with the
// attributes they were set with).
func (a *Auth[U, C]) UnsetCookies(w http.ResponseWriter) {
	a.cfg.cookies.unset(w)
}

// RefreshHandler returns the refresh endpoint: it takes a refresh token from
// the configured locations, loads its user and answers with a new access
// token from iss, not fresh. A token that came from a cookie is answered
// with cookies (and {"msg": "refreshed"}), so the token never reaches
// JavaScript; otherwise with JSON {"access_token", "token_type",
// "expires_in"}.
func (a *Auth[U, C]) RefreshHandler(iss *jwtx.Issuer[U, C]) http.Handler {
	return a.serve(rule[U, C]{want: jwtx.ExpectRefresh}, func(w http.ResponseWriter, r *http.Request, loc Location) {
		ctx := r.Context()
		user, err := jwtx.UserFromContext[U](ctx)
		if err != nil {
			a.fail(ctx, w, r, err, loc)
			return
		}
		claims, _ := jwtx.From[C](ctx)
		tok, err := iss.Access(ctx, user, jwtx.WithTokenCSRF(jwtx.RegisteredOf(claims).CSRF != ""))
		if err != nil {
			a.fail(ctx, w, r, fmt.Errorf("httpx: refresh: %w", err), loc)
			return
		}
		if loc == FromCookie {
			a.SetCookies(w, tok)
			WriteJSON(w, http.StatusOK, map[string]string{"msg": "refreshed"})
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{
			"access_token": tok.Raw,
			"token_type":   "Bearer",
			"expires_in":   int(tok.MaxAge(a.ver.Now()) / time.Second),
		})
	})
}

// Logout ends the session of a request: it revokes, in the WithRevoker
// store, the access and refresh tokens the request presents and that
// verify, and deletes the cookies. A presented cookie token needs the CSRF
// value as on any unsafe request; tokens that do not verify are left alone.
// It returns the first revocation error, after deleting the cookies.
func (a *Auth[U, C]) Logout(w http.ResponseWriter, r *http.Request) error {
	defer a.UnsetCookies(w)
	if a.cfg.revoker == nil {
		return nil
	}
	var errs []error
	for _, want := range []jwtx.Expect{jwtx.ExpectAccess, jwtx.ExpectRefresh} {
		tok, loc, err := a.cfg.extract(r, want)
		if err != nil {
			continue
		}
		claims, _, err := a.ver.VerifyClaims(r.Context(), tok, want)
		if err != nil {
			continue
		}
		reg := jwtx.RegisteredOf(claims)
		if err := a.cfg.checkCSRF(r, loc, reg.CSRF); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := a.cfg.revoker.Revoke(r.Context(), reg.Info()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LogoutHandler returns a handler that calls [Auth.Logout] and answers
// {"msg": "logged out"}, or the error response of a failed revocation.
func (a *Auth[U, C]) LogoutHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.Logout(w, r); err != nil {
			a.fail(r.Context(), w, r, err, 0)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"msg": "logged out"})
	})
}
