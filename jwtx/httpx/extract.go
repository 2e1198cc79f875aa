package httpx

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/internal/ascii"
	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
	"github.com/typedjwt/typedjwt/jwtx/internal/reqctx"
)

// Location is a place in a request that can hold a token.
type Location uint8

// The token locations.
const (
	// FromHeader reads "Authorization: Bearer <token>" (RFC 6750 §2.1).
	FromHeader Location = iota + 1
	// FromCookie reads the access or refresh cookie (see [Cookies]). Unsafe
	// methods then need the CSRF value.
	FromCookie
	// FromQuery reads a query parameter (RFC 6750 §2.3); see WithQueryParam.
	FromQuery
	// FromBody reads a field of a JSON body; see WithBodyFields. The body
	// must be one JSON object that names no member twice.
	FromBody
)

// LocationFrom returns where the verified token of a request came from,
// for handlers behind a guard (flask-jwt-extended's
// get_jwt_request_location); false for a request without one.
func LocationFrom(ctx context.Context) (Location, bool) {
	l, ok := reqctx.Location(ctx)
	return Location(l), ok
}

// String returns the location's name.
func (l Location) String() string {
	switch l {
	case FromHeader:
		return "header"
	case FromCookie:
		return "cookie"
	case FromQuery:
		return "query"
	case FromBody:
		return "body"
	}
	return "none"
}

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadRequest}, args...)...)
}

// extract finds the token of the wanted kind: the first configured location
// that holds one decides. It returns "" and no error when none does.
func (cfg *config) extract(r *http.Request, want jwtx.Expect) (string, Location, error) {
	for _, loc := range cfg.locations {
		tok, err := cfg.from(r, loc, want)
		if err != nil {
			return "", loc, err
		}
		if tok != "" {
			return tok, loc, nil
		}
	}
	return "", 0, nil
}

// from reads the token of the wanted kind from one location, or "".
func (cfg *config) from(r *http.Request, loc Location, want jwtx.Expect) (string, error) {
	switch loc {
	case FromHeader:
		return cfg.fromHeader(r)
	case FromCookie:
		return cfg.fromCookie(r, want)
	case FromQuery:
		return cfg.fromQuery(r)
	case FromBody:
		return cfg.fromBody(r, want)
	}
	return "", nil
}

// fromHeader reads exactly one "<scheme> <b64token>". An empty header, or
// one with another scheme, holds no token for us; a scheme that is not an
// RFC 9110 token (tabs, non-ASCII) or our scheme followed by anything but
// one space and one token is a bad request.
func (cfg *config) fromHeader(r *http.Request) (string, error) {
	values := r.Header[cfg.headerName] // canonical: see WithHeaderName
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", badRequest("%d %s headers", len(values), cfg.headerName)
	}
	if values[0] == "" {
		return "", nil
	}
	if cfg.scheme == "" { // the bare token, no scheme
		return cfg.headerToken(values[0])
	}
	scheme, tok, _ := strings.Cut(values[0], " ")
	switch {
	case !isToken(scheme):
		return "", badRequest("malformed %s header", cfg.headerName)
	case !ascii.EqualFold(scheme, cfg.scheme):
		return "", nil // another scheme: not a token for us
	}
	return cfg.headerToken(tok)
}

// headerToken checks the token part of the header: an empty one is a bad
// request. The rest of checkHeaderToken waits for a verification that
// fails (see authenticate), as the verifier refuses every token that is
// not a b64token, before it uses a key: checking its characters here too
// would read every token twice.
func (cfg *config) headerToken(tok string) (string, error) {
	if tok == "" {
		return "", badRequest("malformed %s header", cfg.headerName)
	}
	return tok, nil
}

// checkHeaderToken refuses the token part of the header as a bad request
// when it is not a b64token (RFC 6750 §2.1), unless it is longer than the
// verifier reads: that one it refuses by its length, unread.
func (cfg *config) checkHeaderToken(tok string) error {
	if len(tok) > cfg.maxToken || isToken68(tok) {
		return nil
	}
	return badRequest("malformed %s header", cfg.headerName)
}

// isToken68 reports whether s is a non-empty b64token (RFC 6750 §2.1):
// ASCII letters, digits and -._~+/, then any number of "=".
func isToken68(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0) {
			break
		}
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// fromCookie reads the access or refresh cookie. Two cookies of that name
// (cookie tossing from a sibling domain, RFC 6265 §5.4) are refused rather
// than one of them picked.
func (cfg *config) fromCookie(r *http.Request, want jwtx.Expect) (string, error) {
	name := cfg.cookies.tokenName(want)
	found := r.CookiesNamed(name)
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0].Value, nil
	}
	return "", badRequest("%d cookies named %s", len(found), name)
}

func (cfg *config) fromQuery(r *http.Request) (string, error) {
	values := r.URL.Query()[cfg.queryParam]
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", badRequest("%d query parameters %s", len(values), cfg.queryParam)
	}
	if cfg.queryPrefix == "" {
		return values[0], nil
	}
	tok, ok := strings.CutPrefix(values[0], cfg.queryPrefix)
	if !ok || tok == "" {
		return "", badRequest("query parameter %s without its prefix", cfg.queryParam)
	}
	return tok, nil
}

// maxBodyDepth bounds the nesting of a JSON body, as encoding/json does.
const maxBodyDepth = 10000

// fromBody reads a string field of a JSON body of at most maxBody bytes and
// puts the body back for the handler. The body is scanned strictly: one
// JSON object, no member name twice in any object (compared after
// unescaping and case folding), valid UTF-8 and no U+0000, so that a token
// field cannot be given twice, nor read one way here and another way by a
// lenient parser. A null field holds no token.
func (cfg *config) fromBody(r *http.Request, want jwtx.Expect) (string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return "", nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return "", nil
	}
	body, err := cfg.readBody(r)
	if err != nil {
		return "", err
	}
	field := cfg.accessField
	if want == jwtx.ExpectRefresh {
		field = cfg.refreshField
	}
	var raw []byte
	err = jsonobj.Object(body, maxBodyDepth, func(name, value []byte) error {
		if string(name) == field {
			raw = value
		}
		return nil
	})
	if err != nil {
		return "", badRequest("the body must be one JSON object with each member name once: %w", err)
	}
	if raw == nil || string(raw) == "null" {
		return "", nil
	}
	tok, err := jsonobj.String(raw)
	if err != nil {
		return "", badRequest("body field %s must be a string", field)
	}
	return string(tok), nil
}

// readBody reads at most maxBody bytes of the body and restores it.
func (cfg *config) readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, cfg.maxBody+1))
	_ = r.Body.Close() // the server closes it too; a close error changes nothing here
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, badRequest("reading the body: %v", err)
	}
	if int64(len(body)) > cfg.maxBody {
		return nil, badRequest("body larger than %d bytes", cfg.maxBody)
	}
	return body, nil
}
