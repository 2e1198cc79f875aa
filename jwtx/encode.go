package jwtx

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// claimsEncoder writes a claims value as a JSON object: the registered
// claims by hand, the claims type's own fields by plans (see claimplan.go)
// when each of them has one, else through encoding/json. It is the mirror
// of decodeClaims, and as there, encoding/json never sees the registered
// claims, whose MarshalJSON methods cost more than the rest.
type claimsEncoder struct {
	// fields are C's own fields in order, encoded by their plans, when
	// direct is set.
	fields []planField
	direct bool
	// own is a struct type of C's own exported top-level fields with their
	// tags, or nil when C has none; from[k] is the index in C of own's
	// field k. encoding/json encodes it when direct is not set.
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
		return claimsEncoder{direct: true}
	}
	if marshalsItself(t) {
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
	e.fields, e.direct = encodePlans(t)
	return e
}

// encodeClaims appends the JSON object of c, whose registered claims are
// r, to dst. With registeredOnly, only the registered claims are written
// (a refresh token without claims). The result passes the verifier's
// parser (jsonobj): the registered part and the fields with plans by
// construction, given no U+0000 in their strings, the rest by a scan, so
// that a token this package mints is always one it accepts.
func encodeClaims[C Claims](e *claimsEncoder, dst []byte, c *C, r *RegisteredClaims, registeredOnly bool) ([]byte, error) {
	if e.whole && !registeredOnly {
		whole := ptrTo(*c)
		*registeredOf(whole) = *r
		b, err := json.Marshal(whole)
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
	switch {
	case registeredOnly:
	case e.direct:
		var err error
		if dst, err = appendOwn(dst, reflect.ValueOf(c).Elem(), e.fields, len(dst) > start+1); err != nil {
			return dst, err
		}
	case e.own != nil:
		// The fields are copied into a value of the built type, off a
		// copy of c, so that c stays where it is.
		src := reflect.ValueOf(ptrTo(*c)).Elem()
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

// ptrTo returns a pointer to a copy of v.
func ptrTo[T any](v T) *T { return &v }

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

// appendString writes s as a JSON string the way encoding/json does, byte
// for byte: each byte that is not valid UTF-8 becomes U+FFFD, control
// characters and the characters <, >, & and U+2028, U+2029 are escaped.
// The issuer writes claim values with it, the verifier re-encodes claim
// names.
func appendString[T ~string | ~[]byte](dst []byte, s T) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i = htmlSafeRun(s, i); i >= len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default: // other control characters, <, > and &
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// htmlSafeRun returns the offset of the first byte at or after i that
// appendString cannot copy as it is: a control character, a quote, a
// backslash, <, >, & or a byte of a multi-byte UTF-8 sequence; len(s) if
// there is none. It reads eight bytes at a time, as jsonobj does.
func htmlSafeRun[T ~string | ~[]byte](s T, i int) int {
	const (
		lsb = 0x0101010101010101
		msb = 0x8080808080808080
	)
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		q, b := w^(lsb*'"'), w^(lsb*'\\')
		lt, gt, amp := w^(lsb*'<'), w^(lsb*'>'), w^(lsb*'&')
		m := (w-lsb*0x20)&^w | (q-lsb)&^q | (b-lsb)&^b | (lt-lsb)&^lt | (gt-lsb)&^gt | (amp-lsb)&^amp
		if m = (m | w) & msb; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c >= utf8.RuneSelf, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return i
		}
	}
	return i
}

// marshalsItself reports whether encoding/json hands values of type t to
// a method of t instead of encoding them by their kind.
func marshalsItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	for _, i := range []reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()} {
		if t.Implements(i) || p.Implements(i) {
			return true
		}
	}
	return t.Kind() == reflect.Interface
}

// encodePlans returns the plans of C's own fields, in order, and whether
// every one of them has a plan that encodes it as encoding/json does:
// strings, booleans, integers, and slices, pointers and structs of them,
// with no type that marshals itself, no ",string", no omitzero on a type
// with an IsZero method, and no two names of a struct equal under case
// folding (the verifier refuses such objects: encoding/json and a scan
// report it).
func encodePlans(t reflect.Type) ([]planField, bool) {
	p := planner{}
	var fields []planField
	names := make(map[string]bool)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type == reflect.TypeFor[RegisteredClaims]() {
			continue
		}
		name, _, ok := jsonField(f)
		switch {
		case !ok:
			continue
		case f.Anonymous, names[name], !encodableField(f), !encodable(f.Type, map[reflect.Type]bool{}):
			return nil, false
		}
		names[name] = true
		fields = append(fields, newPlanField(f, name, p.build(f.Type)))
	}
	return fields, true
}

// encodableField reports whether the tag of f leaves its encoding to its
// type's plan.
func encodableField(f reflect.StructField) bool {
	tag := f.Tag.Get("json")
	if tagOption(tag, "string") {
		return false
	}
	if tagOption(tag, "omitzero") {
		z := reflect.TypeFor[interface{ IsZero() bool }]()
		return !f.Type.Implements(z) && !reflect.PointerTo(f.Type).Implements(z)
	}
	return true
}

// encodable reports whether every type reachable from t can be encoded by
// a plan; seen holds the types already on the walk.
func encodable(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	if marshalsItself(t) {
		return false
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8 && encodable(t.Elem(), seen)
	case reflect.Pointer:
		return encodable(t.Elem(), seen)
	case reflect.Struct:
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				return false
			}
			name, _, ok := jsonField(f)
			if !ok {
				continue
			}
			if _, dup := foldMatchString(names, name); dup || !encodableField(f) || !encodable(f.Type, seen) {
				return false
			}
			names = append(names, name)
		}
		return true
	}
	return false
}

// appendOwn appends C's own fields, of the struct v, to dst as members of
// the claims object, after a comma when comma is set. Scalars, and slices
// and pointers of them, are written in place; deeper values go through
// appendValue into a buffer of their own, so that dst, which may live on
// the caller's stack, never enters a recursion (escape analysis would move
// it to the heap).
func appendOwn(dst []byte, v reflect.Value, fields []planField, comma bool) ([]byte, error) {
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && emptyValue(fv) || f.omitZero && fv.IsZero() {
			continue
		}
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		dst = append(appendString(dst, f.name), ':')
		pl := f.plan
		switch {
		case pl.kind <= uintPlan:
		case (pl.kind == slicePlan || pl.kind == pointerPlan) && pl.elem.kind <= uintPlan:
			if fv.IsNil() {
				dst = append(dst, "null"...)
				continue
			}
			if pl.kind == pointerPlan {
				pl, fv = pl.elem, fv.Elem()
				break
			}
			dst = append(dst, '[')
			for k := 0; k < fv.Len(); k++ {
				if k > 0 {
					dst = append(dst, ',')
				}
				var err error
				if dst, err = appendScalar(dst, pl.elem, fv.Index(k)); err != nil {
					return dst, err
				}
			}
			dst = append(dst, ']')
			continue
		default:
			b, err := appendValue(nil, pl, fv, 2)
			if err != nil {
				return dst, err
			}
			dst = append(dst, b...)
			continue
		}
		var err error
		if dst, err = appendScalar(dst, pl, fv); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendScalar appends v, a string, a boolean or an integer.
func appendScalar(dst []byte, pl *plan, v reflect.Value) ([]byte, error) {
	switch pl.kind {
	case stringPlan:
		s := v.String()
		if strings.IndexByte(s, 0) >= 0 {
			return dst, jsonobj.ErrEncoding
		}
		return appendString(dst, s), nil
	case boolPlan:
		return strconv.AppendBool(dst, v.Bool()), nil
	case intPlan:
		return strconv.AppendInt(dst, v.Int(), 10), nil
	case uintPlan:
		return strconv.AppendUint(dst, v.Uint(), 10), nil
	}
	return dst, fmt.Errorf("jwtx: no encoding for %v", pl.typ)
}

// appendFields appends the fields of the struct v to dst as members of an
// object, after a comma when comma is set; depth is that of the values'
// containers.
func appendFields(dst []byte, v reflect.Value, fields []planField, comma bool, depth int) ([]byte, error) {
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && emptyValue(fv) || f.omitZero && fv.IsZero() {
			continue
		}
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		dst = append(appendString(dst, f.name), ':')
		var err error
		if dst, err = appendValue(dst, f.plan, fv, depth); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendValue appends v as encoding/json would. A container deeper than
// the verifier reads, or U+0000 in a string, which it refuses, is an error.
func appendValue(dst []byte, pl *plan, v reflect.Value, depth int) ([]byte, error) {
	switch pl.kind {
	case stringPlan, boolPlan, intPlan, uintPlan:
		return appendScalar(dst, pl, v)
	case pointerPlan:
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		return appendValue(dst, pl.elem, v.Elem(), depth)
	case slicePlan:
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		if depth > maxClaimsDepth-1 {
			return dst, jsonobj.ErrDepth
		}
		dst = append(dst, '[')
		for k := 0; k < v.Len(); k++ {
			if k > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, pl.elem, v.Index(k), depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case structPlan:
		if depth > maxClaimsDepth-1 {
			return dst, jsonobj.ErrDepth
		}
		dst, err := appendFields(append(dst, '{'), v, pl.order, false, depth+1)
		return append(dst, '}'), err
	}
	return dst, fmt.Errorf("jwtx: no encoding for %v", pl.typ)
}

// emptyValue is encoding/json's test for omitempty, for the kinds plans
// encode.
func emptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Pointer:
		return v.IsNil()
	}
	return false
}
