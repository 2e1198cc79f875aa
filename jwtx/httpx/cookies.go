package httpx

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Cookies names the token cookies and sets their attributes. The zero value
// is secure: HttpOnly token cookies, Secure, SameSite=Lax, the refresh
// cookie only on RefreshPath, and prefixed names the browser enforces
// (__Host- means Secure, Path=/ and no Domain; __Secure- means Secure).
// Beside each token cookie goes a CSRF cookie that JavaScript can read, to
// echo in the X-CSRF-Token header.
type Cookies struct {
	// AccessName is the access token cookie. Default: "__Host-access_token",
	// or "access_token" when Insecure.
	AccessName string
	// RefreshName is the refresh token cookie. Default:
	// "__Secure-refresh_token", or "refresh_token" when Insecure.
	RefreshName string
	// AccessCSRFName is the CSRF cookie of the access token. Default:
	// "__Host-csrf_access_token", or "csrf_access_token" when Insecure.
	AccessCSRFName string
	// RefreshCSRFName is the CSRF cookie of the refresh token. Default:
	// "__Host-csrf_refresh_token", or "csrf_refresh_token" when Insecure.
	RefreshCSRFName string
	// Domain is the cookies' Domain; "" (the default) means host-only. A
	// Domain also lets sibling hosts read and overwrite the cookies.
	Domain string
	// Path is the access cookie's path. Default: "/".
	Path string
	// RefreshPath is the refresh cookie's path, so the refresh token is sent
	// only to the refresh endpoint and what else lives under it; put the
	// logout route there too (see Auth.Logout). Default: "/refresh".
	RefreshPath string
	// SameSite is the cookies' SameSite mode. Default: http.SameSiteLaxMode.
	SameSite http.SameSite
	// Insecure drops the Secure attribute, for plain-HTTP development only:
	// browsers then send the cookies over unencrypted connections.
	Insecure bool
	// Session sets the cookies without Max-Age, as session cookies that the
	// browser drops when it closes (flask-jwt-extended's
	// JWT_SESSION_COOKIE); the tokens still expire by their exp. Default:
	// false, Max-Age follows each token's expiry.
	Session bool
}

// Resolve returns c with the defaults filled in, or an error when the names
// and attributes contradict each other (a __Host- name with a Domain, a
// path other than "/" or Insecure; a __Secure- name with Insecure).
func (c Cookies) Resolve() (Cookies, error) {
	host, secure := "__Host-", "__Secure-"
	if c.Insecure {
		host, secure = "", ""
	}
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&c.AccessName, host+"access_token")
	def(&c.RefreshName, secure+"refresh_token")
	def(&c.AccessCSRFName, host+"csrf_access_token")
	def(&c.RefreshCSRFName, host+"csrf_refresh_token")
	def(&c.Path, "/")
	def(&c.RefreshPath, "/refresh")
	if c.SameSite == 0 {
		c.SameSite = http.SameSiteLaxMode
	}
	check := func(name, path string) error {
		switch {
		case !isToken(name):
			return fmt.Errorf("%w: invalid cookie name %q", jwtx.ErrConfig, name)
		case strings.HasPrefix(name, "__Host-") && (c.Insecure || c.Domain != "" || path != "/"):
			return fmt.Errorf("%w: cookie %s needs Secure, Path=/ and no Domain", jwtx.ErrConfig, name)
		case strings.HasPrefix(name, "__Secure-") && c.Insecure:
			return fmt.Errorf("%w: cookie %s needs Secure", jwtx.ErrConfig, name)
		}
		return nil
	}
	seen := map[string]bool{}
	for _, ck := range []struct{ name, path string }{
		{c.AccessName, c.Path}, {c.RefreshName, c.RefreshPath}, {c.AccessCSRFName, "/"}, {c.RefreshCSRFName, "/"},
	} {
		if err := check(ck.name, ck.path); err != nil {
			return Cookies{}, err
		}
		if seen[ck.name] {
			return Cookies{}, fmt.Errorf("%w: two cookies named %s", jwtx.ErrConfig, ck.name)
		}
		seen[ck.name] = true
	}
	if c.SameSite == http.SameSiteNoneMode && c.Insecure {
		return Cookies{}, fmt.Errorf("%w: SameSite=None needs Secure", jwtx.ErrConfig)
	}
	return c, nil
}

// tokenName returns the name of the cookie of the wanted kind of token.
func (c *Cookies) tokenName(want jwtx.Expect) string {
	if want == jwtx.ExpectRefresh {
		return c.RefreshName
	}
	return c.AccessName
}

// cookie builds one cookie; maxAge < 0 deletes it.
func (c *Cookies) cookie(name, value, path string, httpOnly bool, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     path,
		Domain:   c.Domain,
		MaxAge:   maxAge,
		Secure:   !c.Insecure,
		HttpOnly: httpOnly,
		SameSite: c.SameSite,
	}
}

// setToken sets the cookie of one token and its CSRF cookie, with Max-Age
// from the token's expiry (a session cookie for a token without exp).
func (c *Cookies) setToken(w http.ResponseWriter, tok jwtx.Token, now time.Time) {
	maxAge := int(tok.MaxAge(now) / time.Second)
	switch {
	case !tok.ExpiresAt.IsZero() && maxAge <= 0:
		maxAge = -1
	case c.Session:
		maxAge = 0
	}
	name, csrfName, path := c.AccessName, c.AccessCSRFName, c.Path
	if tok.Type == jwtx.Refresh {
		name, csrfName, path = c.RefreshName, c.RefreshCSRFName, c.RefreshPath
	}
	http.SetCookie(w, c.cookie(name, tok.Raw, path, true, maxAge))
	if tok.CSRF != "" {
		http.SetCookie(w, c.cookie(csrfName, tok.CSRF, "/", false, maxAge))
	}
}

// unset deletes all four cookies with the attributes they were set with.
func (c *Cookies) unset(w http.ResponseWriter, kinds ...jwtx.TokenType) {
	if len(kinds) == 0 || slices.Contains(kinds, jwtx.Access) {
		http.SetCookie(w, c.cookie(c.AccessName, "", c.Path, true, -1))
		http.SetCookie(w, c.cookie(c.AccessCSRFName, "", "/", false, -1))
	}
	if len(kinds) == 0 || slices.Contains(kinds, jwtx.Refresh) {
		http.SetCookie(w, c.cookie(c.RefreshName, "", c.RefreshPath, true, -1))
		http.SetCookie(w, c.cookie(c.RefreshCSRFName, "", "/", false, -1))
	}
}

// SetCookies sets the cookies of the given tokens (access, refresh or both)
// with their CSRF cookies; Max-Age follows each token's expiry.
func (a *Auth[U, C]) SetCookies(w http.ResponseWriter, tokens ...jwtx.Token) {
	now := a.ver.Now()
	for _, t := range tokens {
		a.cfg.cookies.setToken(w, t, now)
	}
}

// Cookies returns the cookie names and attributes in use, defaults filled
// in: pages read the CSRF cookie names from it.
func (a *Auth[U, C]) Cookies() Cookies { return a.cfg.cookies }

// UnsetCookies deletes the token and CSRF cookies (Max-Age=0 with the
// attributes they were set with): all four, or those of the kinds given
// (jwtx.Access, jwtx.Refresh), as flask-jwt-extended's
// unset_access_cookies and unset_refresh_cookies do.
func (a *Auth[U, C]) UnsetCookies(w http.ResponseWriter, kinds ...jwtx.TokenType) {
	a.cfg.cookies.unset(w, kinds...)
}
