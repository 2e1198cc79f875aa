package httpx

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// An Option configures an [Auth]. Only this package can create them.
type Option interface {
	apply(*config) error
}

type option func(*config) error

func (o option) apply(c *config) error { return o(c) }

// config is the configuration of an Auth.
type config struct {
	realm        string
	locations    []Location
	headerName   string
	scheme       string
	queryParam   string
	queryPrefix  string
	accessField  string
	refreshField string
	maxBody      int64
	cookies      Cookies
	csrf         bool
	csrfHeader   string
	csrfField    string
	csrfMethods  map[string]bool
	onError      ErrorHandler
	byReason     map[Reason]ErrorHandler
	events       func(context.Context, Event)
	lazy         bool
	implicit     any
	window       time.Duration
	revoker      jwtx.Revoker
	rotation     jwtx.RotationStore
	maxToken     int // the verifier's size limit
	crossOrigin  *http.CrossOriginProtection
	msgKey       string              // the JSON member of a refusal's message
	answer       func(Reason) Answer // the default answers
}

func defaultConfig() config {
	return config{
		realm:        "api",
		locations:    []Location{FromHeader},
		headerName:   "Authorization",
		scheme:       "Bearer",
		queryParam:   "jwt",
		accessField:  "access_token",
		refreshField: "refresh_token",
		maxBody:      64 << 10,
		csrf:         true,
		csrfHeader:   DefaultCSRFHeader,
		msgKey:       "msg",
		answer:       answerOf,
	}
}

// WithRealm sets the realm of WWW-Authenticate challenges. Default: "api".
func WithRealm(realm string) Option {
	return option(func(c *config) error {
		if realm == "" || strings.ContainsAny(realm, "\"\\\r\n") {
			return fmt.Errorf("%w: realm %q", jwtx.ErrConfig, realm)
		}
		c.realm = realm
		return nil
	})
}

// WithLocations sets where tokens are looked for, in order; the first
// location that holds a token decides, and the others are not read. Tokens
// in the query string end up in access logs, browser history and Referer
// headers: use FromQuery only where nothing else works (WebSockets,
// download links). Default: FromHeader.
func WithLocations(locs ...Location) Option {
	return option(func(c *config) error {
		if len(locs) == 0 {
			return fmt.Errorf("%w: no token locations", jwtx.ErrConfig)
		}
		seen := map[Location]bool{}
		for _, l := range locs {
			if l < FromHeader || l > FromBody || seen[l] {
				return fmt.Errorf("%w: token location %v", jwtx.ErrConfig, l)
			}
			seen[l] = true
		}
		c.locations = append([]Location(nil), locs...)
		return nil
	})
}

// WithAuthorizationHeader sets the header and scheme of the FromHeader
// location. The scheme is compared case-insensitively. Default:
// "Authorization", "Bearer".
//
// An empty scheme reads the whole header value as the token, with no
// scheme before it (flask-jwt-extended's JWT_HEADER_TYPE=""); challenges
// and refresh answers then name the Bearer scheme.
func WithAuthorizationHeader(name, scheme string) Option {
	return option(func(c *config) error {
		if !isToken(name) || (scheme != "" && !isToken(scheme)) {
			return fmt.Errorf("%w: header %q, scheme %q: the header name and the scheme must be HTTP tokens (the scheme may be empty)", jwtx.ErrConfig, name, scheme)
		}
		c.headerName, c.scheme = http.CanonicalHeaderKey(name), scheme
		return nil
	})
}

// challengeScheme is the scheme that challenges and refresh answers name.
func (c *config) challengeScheme() string {
	if c.scheme == "" {
		return "Bearer"
	}
	return c.scheme
}

// WithQueryParam sets the parameter of the FromQuery location. Default: "jwt".
func WithQueryParam(name string) Option {
	return option(func(c *config) error {
		if name == "" {
			return fmt.Errorf("%w: empty query parameter", jwtx.ErrConfig)
		}
		c.queryParam = name
		return nil
	})
}

// WithQueryPrefix makes the FromQuery location take only values that start
// with prefix, and the token after it: flask-jwt-extended's
// JWT_QUERY_STRING_VALUE_PREFIX ("Bearer " in ?jwt=Bearer%20<token>). A
// value without the prefix is a malformed request (400). Default: none.
func WithQueryPrefix(prefix string) Option {
	return option(func(c *config) error {
		if prefix == "" {
			return fmt.Errorf("%w: empty query prefix: leave WithQueryPrefix out for none", jwtx.ErrConfig)
		}
		c.queryPrefix = prefix
		return nil
	})
}

// WithBodyFields sets the JSON body fields of the FromBody location for
// access and refresh tokens. A field matches by its exact name; a body
// that is not one JSON object, names a member twice in any object (after
// unescaping and case folding), is not valid UTF-8 or holds U+0000 is
// refused with [ErrBadRequest], so that no other parser can read another
// token from it. Default: "access_token", "refresh_token".
func WithBodyFields(access, refresh string) Option {
	return option(func(c *config) error {
		if access == "" || refresh == "" {
			return fmt.Errorf("%w: empty body field", jwtx.ErrConfig)
		}
		c.accessField, c.refreshField = access, refresh
		return nil
	})
}

// WithMaxBodySize limits how much of a JSON body FromBody and the CSRF
// form field read; a larger body is refused with [ErrBadRequest]. The body
// is restored for the handler. Default: 64 KiB.
func WithMaxBodySize(n int64) Option {
	return option(func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("%w: body size limit %d", jwtx.ErrConfig, n)
		}
		c.maxBody = n
		return nil
	})
}

// WithCookies sets the names and attributes of the token cookies. Default:
// the zero [Cookies], which is secure.
func WithCookies(ck Cookies) Option {
	return option(func(c *config) error {
		resolved, err := ck.Resolve()
		if err != nil {
			return err
		}
		c.cookies = resolved
		return nil
	})
}

// WithCSRF turns the double-submit CSRF check of cookie-carried tokens on or
// off. Turning it off leaves cookie sessions open to cross-site request
// forgery unless something else (SameSite=Strict, an Origin check) stops
// it. Default: true.
func WithCSRF(on bool) Option {
	return option(func(c *config) error {
		c.csrf = on
		return nil
	})
}

// DefaultCSRFHeader is the request header that echoes the CSRF value unless
// WithCSRFHeader names another.
const DefaultCSRFHeader = "X-CSRF-Token"

// WithCrossOriginProtection adds a check of Fetch Metadata (Sec-Fetch-Site)
// and Origin to cookie-authenticated requests, before the CSRF value is
// compared: p refuses unsafe methods from other origins unless it trusts
// them (see net/http.CrossOriginProtection.AddTrustedOrigin), with
// ErrCrossOrigin (403). It is defence in depth beside the double-submit
// check, for browsers that send these headers. Tokens from the header are
// not subject to it. Default: none.
func WithCrossOriginProtection(p *http.CrossOriginProtection) Option {
	return option(func(c *config) error {
		if p == nil {
			return fmt.Errorf("%w: nil cross-origin protection", jwtx.ErrConfig)
		}
		c.crossOrigin = p
		return nil
	})
}

// WithCSRFHeader sets the request header that must echo the token's csrf
// claim. Default: [DefaultCSRFHeader].
func WithCSRFHeader(name string) Option {
	return option(func(c *config) error {
		if !isToken(name) {
			return fmt.Errorf("%w: CSRF header %q", jwtx.ErrConfig, name)
		}
		c.csrfHeader = http.CanonicalHeaderKey(name)
		return nil
	})
}

// WithCSRFFormField also accepts the CSRF value from a field of an
// application/x-www-form-urlencoded body, for plain HTML forms. Default: none.
func WithCSRFFormField(name string) Option {
	return option(func(c *config) error {
		if name == "" {
			return fmt.Errorf("%w: empty CSRF form field", jwtx.ErrConfig)
		}
		c.csrfField = name
		return nil
	})
}

// WithCSRFMethods limits the CSRF check to the methods listed, for an
// application that routes some unsafe method itself. GET, HEAD, OPTIONS and
// TRACE must not change state and cannot be listed; listed methods match
// whatever their case. Default: every method except GET, HEAD, OPTIONS
// and TRACE (exactly so spelled), which includes POST, PUT, PATCH, DELETE,
// any WebDAV or custom method, and lower-case spellings.
func WithCSRFMethods(methods ...string) Option {
	return option(func(c *config) error {
		if len(methods) == 0 {
			return fmt.Errorf("%w: no CSRF methods given; use WithCSRF(false) to turn the check off", jwtx.ErrConfig)
		}
		m := map[string]bool{}
		for _, method := range methods {
			if safeMethod(strings.ToUpper(method)) {
				return fmt.Errorf("%w: %s is a safe method", jwtx.ErrConfig, method)
			}
			m[strings.ToUpper(method)] = true
		}
		c.csrfMethods = m
		return nil
	})
}

// safeMethod reports whether method must not change state (RFC 9110 §9.2.1)
// and so needs no CSRF check.
func safeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// isToken reports whether s is an RFC 9110 token, as header names are.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// WithErrorHandler answers every refused request. Use [ReasonOf] or
// errors.Is inside it to tell failures apart. Default: the answers of
// [DefaultErrors], with the challenge naming the configured scheme.
func WithErrorHandler(h ErrorHandler) Option {
	return option(func(c *config) error {
		if h == nil {
			return fmt.Errorf("%w: nil error handler", jwtx.ErrConfig)
		}
		c.onError = h
		return nil
	})
}

// WithReasonHandler answers requests refused for one reason, over
// [WithErrorHandler]: for example a 404 for ReasonUserMissing. Default: none.
func WithReasonHandler(reason Reason, h ErrorHandler) Option {
	return option(func(c *config) error {
		if h == nil {
			return fmt.Errorf("%w: nil error handler", jwtx.ErrConfig)
		}
		if c.byReason == nil {
			c.byReason = map[Reason]ErrorHandler{}
		}
		c.byReason[reason] = h
		return nil
	})
}

// WithEvents sets a function called once per request that reaches the
// middleware, with its outcome. Tokens and keys never reach it. See
// [SlogEvents]. Default: none.
func WithEvents(f func(context.Context, Event)) Option {
	return option(func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: nil event function", jwtx.ErrConfig)
		}
		c.events = f
		return nil
	})
}

// WithLazyUser says whether the user is loaded only when a handler first
// asks for it (jwtx.UserFrom, jwtx.UserFromContext), at most once per
// request, instead of before the handler runs. Handlers that need only the
// claims then never touch the user store. Authorization checks,
// HandlerFunc, RefreshHandler and implicit refresh still load it.
// Default: false (the handler does not run when the user cannot be loaded).
func WithLazyUser(lazy bool) Option {
	return option(func(c *config) error {
		c.lazy = lazy
		return nil
	})
}

// WithImplicitRefresh renews cookie sessions: when an access token that came
// from a cookie expires within window, a new one (not fresh) is issued by
// iss and set on the response before the handler runs. The new token stays
// in the family of the one it renews, so that logout, which revokes the
// family, ends it too. Default: off.
func WithImplicitRefresh[U any, C jwtx.Claims](iss *jwtx.Issuer[U, C], window time.Duration) Option {
	return option(func(c *config) error {
		if iss == nil || window <= 0 {
			return fmt.Errorf("%w: implicit refresh needs an issuer and a positive window", jwtx.ErrConfig)
		}
		c.implicit, c.window = iss, window
		return nil
	})
}

// WithRotation turns on refresh-token rotation with reuse detection in
// [Auth.RefreshHandler]: each refresh answers with a new refresh token too,
// in the same family, and retires the one presented; presenting a retired
// one again revokes the family (ReasonReused). Give the Issuer
// jwtx.WithRotation on the same store, which starts each family as it is
// issued: the store refuses a family it does not know. A refresh token
// without a family (issued before rotation was on, or by
// flask-jwt-extended) is adopted into a new family on first use, once. The
// Verifier should ask
// the same store (jwtx.WithRevocation) so that a revoked family's access
// tokens are refused too. Default: off.
func WithRotation(store jwtx.RotationStore) Option {
	return option(func(c *config) error {
		if store == nil {
			return fmt.Errorf("%w: nil rotation store", jwtx.ErrConfig)
		}
		c.rotation = store
		return nil
	})
}

// WithRevoker sets the store that logout revokes tokens in. Default: none,
// so logout only clears cookies.
func WithRevoker(r jwtx.Revoker) Option {
	return option(func(c *config) error {
		if r == nil {
			return fmt.Errorf("%w: nil revoker", jwtx.ErrConfig)
		}
		c.revoker = r
		return nil
	})
}
