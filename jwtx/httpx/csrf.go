package httpx

import (
	"crypto/subtle"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// checkCSRF applies the double-submit check to a request authenticated by
// a cookie: an unsafe method must echo the token's csrf claim in the CSRF
// header (or form field). The value to echo is inside the signed token, so
// a cookie planted by another site cannot supply it. Tokens from other
// locations are not subject to it: a browser never attaches them by itself.
func (cfg *config) checkCSRF(r *http.Request, loc Location, claim string) error {
	if loc != FromCookie {
		return nil
	}
	if !cfg.needsCSRF(r.Method) {
		return cfg.checkCrossOrigin(r)
	}
	return cfg.checkCookieRequest(r, claim)
}

// checkCrossOrigin applies WithCrossOriginProtection, when configured.
func (cfg *config) checkCrossOrigin(r *http.Request) error {
	if cfg.crossOrigin == nil {
		return nil
	}
	if err := cfg.crossOrigin.Check(r); err != nil {
		return fmt.Errorf("%w: %w", ErrCrossOrigin, err)
	}
	return nil
}

// checkCookieRequest applies the cross-origin check and the double-submit
// check to a request that carries cookies: the CSRF header (or form field)
// must equal one of the expected values.
func (cfg *config) checkCookieRequest(r *http.Request, expected ...string) error {
	if err := cfg.checkCrossOrigin(r); err != nil || !cfg.csrf {
		return err
	}
	got, err := cfg.csrfValue(r)
	if err != nil {
		return err
	}
	for _, want := range expected {
		if CSRFEqual(got, want) {
			return nil
		}
	}
	return ErrCSRF
}

// needsCSRF reports whether a request with method needs the CSRF value.
func (cfg *config) needsCSRF(method string) bool {
	if cfg.csrfMethods != nil {
		return cfg.csrfMethods[strings.ToUpper(method)]
	}
	return !safeMethod(method)
}

// csrfValue reads the CSRF value from the header or, when configured, from
// a urlencoded form field. Two values are refused.
func (cfg *config) csrfValue(r *http.Request) (string, error) {
	values := r.Header.Values(cfg.csrfHeader)
	switch {
	case len(values) == 1:
		return values[0], nil
	case len(values) > 1:
		return "", ErrCSRF
	case cfg.csrfField == "" || r.Body == nil || r.Body == http.NoBody:
		return "", ErrCSRF
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return "", ErrCSRF
	}
	body, err := cfg.readBody(r)
	if err != nil {
		return "", err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || len(form[cfg.csrfField]) != 1 {
		return "", ErrCSRF
	}
	return form[cfg.csrfField][0], nil
}

// CSRFEqual compares a CSRF value received with the expected one in
// constant time. Empty values never match.
func CSRFEqual(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
