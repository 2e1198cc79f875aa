package jwtx

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// claimsEncoder writes a claims value as a JSON object: the registered
// claims by hand, the claims type's own fields through encoding/json. It is
// the mirror of decodeClaims, and as there, encoding/json never sees the
// registered claims, whose MarshalJSON methods cost more than the rest.
type claimsEncoder struct {
	// own is a struct type of C's own exported top-level fields with their
	// tags, or nil when C has none; from[k] is the index in C of own's
	// field k.
	own  reflect.Type
	from []int
	// whole is set when C cannot be split that way (it marshals itself, or
	// embeds other structs, whose methods a built type would not carry):
	// it is then encoded whole with encoding/json.
	whole bool
}

// newClaimsEncoder prepares the encoder of C, a struct checked by
// inspectClaims.
func newClaimsEncoder[C Claims]() claimsEncoder {
	t := reflect.TypeFor[C]()
	if t == reflect.TypeFor[RegisteredClaims]() {
		return claimsEncoder{}
	}
	if t.Implements(reflect.TypeFor[json.Marshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Marshaler]()) {
		return claimsEncoder{whole: true}
	}
	var e claimsEncoder
	var fields []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		switch {
		case f.Anonymous && f.Type == reflect.TypeFor[RegisteredClaims]():
			continue
		case f.Anonymous:
			return claimsEncoder{whole: true}
		case !f.IsExported():
			continue
		}
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
		e.from = append(e.from, i)
	}
	if len(fields) > 0 {
		e.own = reflect.StructOf(fields)
	}
	return e
}

// encode appends the JSON object of c to dst. With registeredOnly, only
// the registered claims are written (a refresh token without claims). The
// result passes the verifier's parser (jsonobj): the registered part by
// construction, given no U+0000 in its strings, the rest by a scan, so that
// a token this package mints is always one it accepts.
func (e claimsEncoder) encode(dst []byte, c any, r *RegisteredClaims, registeredOnly bool) ([]byte, error) {
	if e.whole && !registeredOnly {
		b, err := json.Marshal(c)
		if err == nil {
			err = jsonobj.Object(b, maxClaimsDepth, nil)
		}
		return append(dst, b...), err
	}
	if err := checkRegisteredStrings(r); err != nil {
		return dst, err
	}
	start := len(dst)
	dst = appendRegistered(append(dst, '{'), r)
	if e.own != nil && !registeredOnly {
		src := reflect.ValueOf(c).Elem()
		own := reflect.New(e.own)
		for k, i := range e.from {
			own.Elem().Field(k).Set(src.Field(i))
		}
		b, err := json.Marshal(own.Interface())
		if err == nil {
			err = jsonobj.Object(b, maxClaimsDepth-1, nil)
		}
		if err != nil {
			return dst, err
		}
		if len(b) > 2 {
			if len(dst) > start+1 {
				dst = append(dst, ',')
			}
			dst = append(dst, b[1:len(b)-1]...)
		}
	}
	return append(dst, '}'), nil
}

// checkRegisteredStrings refuses U+0000 in a registered string claim,
// which the verifier's parser refuses in every string.
func checkRegisteredStrings(r *RegisteredClaims) error {
	for _, s := range [...]string{r.Issuer, r.Subject, r.ID, string(r.Type), r.CSRF, r.Family} {
		if strings.IndexByte(s, 0) >= 0 {
			return jsonobj.ErrEncoding
		}
	}
	for _, a := range r.Audience {
		if strings.IndexByte(a, 0) >= 0 {
			return jsonobj.ErrEncoding
		}
	}
	return nil
}

// appendRegistered writes the registered claims that are set, as
// encoding/json would with their omitempty and omitzero tags.
func appendRegistered(dst []byte, r *RegisteredClaims) []byte {
	first := true
	name := func(n string) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, '"')
		dst = append(dst, n...)
		dst = append(dst, '"', ':')
	}
	str := func(n, v string) {
		if v != "" {
			name(n)
			dst = appendString(dst, v)
		}
	}
	date := func(n string, d NumericDate) {
		if !d.IsZero() {
			name(n)
			dst = appendDate(dst, d)
		}
	}
	str("iss", r.Issuer)
	str("sub", r.Subject)
	if len(r.Audience) > 0 {
		name("aud")
		dst = appendAudience(dst, r.Audience)
	}
	date("exp", r.ExpiresAt)
	date("nbf", r.NotBefore)
	date("iat", r.IssuedAt)
	str("jti", r.ID)
	str("type", string(r.Type))
	if !r.Fresh.IsZero() {
		name("fresh")
		if until, ok := r.Fresh.Until(); ok {
			dst = appendDate(dst, NumericDate{until})
		} else {
			dst = strconv.AppendBool(dst, r.Fresh.value)
		}
	}
	str("csrf", r.CSRF)
	str("fam", r.Family)
	return dst
}

// appendAudience writes one audience as a string and several as an array.
func appendAudience(dst []byte, a Audience) []byte {
	if len(a) == 1 {
		return appendString(dst, a[0])
	}
	dst = append(dst, '[')
	for i, v := range a {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, v)
	}
	return append(dst, ']')
}

// appendDate writes whole seconds, or seconds with a fraction.
func appendDate(dst []byte, d NumericDate) []byte {
	if d.Nanosecond() == 0 {
		return strconv.AppendInt(dst, d.Unix(), 10)
	}
	return strconv.AppendFloat(dst, float64(d.Unix())+float64(d.Nanosecond())/1e9, 'f', -1, 64)
}

// appendString writes s as a JSON string the way encoding/json does: each
// byte that is not valid UTF-8 becomes U+FFFD, control characters and the
// characters <, >, & and U+2028, U+2029 are escaped. The issuer writes claim
// values with it, the verifier re-encodes claim names.
func appendString[T ~string | ~[]byte](dst []byte, s T) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
