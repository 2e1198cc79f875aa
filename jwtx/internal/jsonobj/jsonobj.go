// Package jsonobj is a strict, allocation-light scanner for JSON objects
// received from untrusted input, such as JWT headers and claims sets.
//
// [Object] checks that a payload is exactly one well-formed JSON object under
// the full RFC 8259 grammar and hands each top-level member to a callback as
// an unescaped name and a raw value. It is stricter than encoding/json, which
// a caller may use afterwards on the same bytes:
//
//   - no object, at any depth, may contain two members whose names are equal
//     after unescaping and case folding, so that encoding/json's "last one
//     wins" rule and its case-insensitive field matching can never be used
//     to smuggle a second "alg", "exp" or "Role" past another parser;
//   - strings must be valid UTF-8, surrogate escapes must come in proper
//     pairs, and U+0000 is rejected in every string;
//   - nesting is bounded by a caller-supplied limit, and [ObjectN] also
//     bounds the number of members, so that the work on untrusted input
//     stops early.
//
// [String] unescapes a raw string value, so a JOSE header can be read without
// encoding/json.
//
// # Allocation
//
// Scanning allocates nothing for objects of up to 16 members whose names
// contain no escape sequences, at any depth. Escaped names are unescaped into
// fresh memory, and objects with more members use a map for the duplicate
// check, so the cost stays roughly linear in the input size.
//
// # Errors
//
// Every error returned by this package, other than one returned by the
// callback, matches exactly one of the sentinels [ErrSyntax], [ErrDuplicate],
// [ErrDepth], [ErrMembers], [ErrEncoding] or [ErrNotString] under
// [errors.Is]. Errors about the input, all but ErrNotString, are an [*Error]
// that gives the reason and the byte offset apart, so that a caller can
// word its own message. Messages never carry any of the input.
//
// The functions have no state and are safe for concurrent use.
package jsonobj

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The kinds of refusal. Their texts name no package: they reach users
// inside the errors of jwtx and httpx.
var (
	// ErrSyntax reports a violation of the RFC 8259 grammar, empty input, trailing data, or a top level that is not an object.
	ErrSyntax = errors.New("invalid JSON")
	// ErrDuplicate reports two members of one object, at any depth, whose names are equal after unescaping and case folding.
	ErrDuplicate = errors.New("duplicate member name")
	// ErrDepth reports objects and arrays nested more deeply than the limit passed to [Object].
	ErrDepth = errors.New("nesting too deep")
	// ErrMembers reports more members, in all objects at every depth, than the limit passed to [ObjectN].
	ErrMembers = errors.New("too many members")
	// ErrEncoding reports invalid UTF-8, an unpaired surrogate escape, or U+0000 in a string.
	ErrEncoding = errors.New("invalid string encoding")
	// ErrNotString reports that a value passed to [String] is not a JSON string.
	ErrNotString = errors.New("value is not a string")
)

const (
	// smallObject is the number of member names per object checked for
	// duplicates by linear search before switching to a map.
	smallObject = 16
	// depthCap bounds the recursion whatever limit the caller passes, so the
	// stack stays a few megabytes at most.
	depthCap = 10000
)

// Object checks that data is exactly one JSON object, optionally surrounded by
// JSON whitespace (space, tab, line feed, carriage return), and then calls fn,
// in order, for each member of the top-level object with the member's
// unescaped name and its raw value: the exact sub-slice of data holding the
// value, without surrounding whitespace. A raw string value keeps its quotes
// and escapes; decode it with [String].
//
// Nested objects and arrays are fully validated, and every object at every
// depth is checked for duplicate names. maxDepth bounds the nesting: the
// top-level object is at depth 1, an object or array directly inside it at
// depth 2, and so on. Exceeding maxDepth returns [ErrDepth]; a maxDepth below
// 1 therefore rejects every input, and one above 10000 is treated as 10000.
// Use a small limit: a JWT needs no more than a handful of levels.
//
// fn is called only after the whole input has been validated, so it never
// sees a member of an input that is then rejected. fn may be nil, in which
// case Object only validates. An error returned by fn stops the iteration and
// is returned unchanged. Values, and names without escapes, alias data; their
// capacity is clipped to their length, so appending to them never overwrites
// data. fn must not modify them, and must copy them to keep them after data
// is reused.
//
// On invalid input Object returns an error matching [ErrSyntax],
// [ErrDuplicate], [ErrDepth] or [ErrEncoding]. It never panics.
func Object(data []byte, maxDepth int, fn func(name, value []byte) error) error {
	return ObjectN(data, maxDepth, math.MaxInt, fn)
}

// ObjectN is [Object] with a bound on the number of members, counted over
// all objects at every depth: it returns [ErrMembers] as soon as it reaches
// member maxMembers+1, without reading further or checking that member's
// name against the others. Use it where the input is read before anything
// vouches for it, so that the cost of a refusal stays bounded however many
// members the input holds.
func ObjectN(data []byte, maxDepth, maxMembers int, fn func(name, value []byte) error) error {
	var buf [smallObject]Member
	var members []Member
	if fn != nil {
		members = buf[:0]
	}
	members, err := scan(data, maxDepth, maxMembers, members, fn != nil)
	if err != nil {
		return err
	}
	for _, m := range members {
		if err := fn(m.Name, data[m.Start:m.End:m.End]); err != nil {
			return err
		}
	}
	return nil
}

// A Member is one member of the top-level object scanned by [Members]:
// its unescaped name and where its raw value lies in the input.
type Member struct {
	// Name aliases the input, with its capacity clipped to its length,
	// unless it contains escape sequences; then it is freshly allocated.
	Name []byte
	// Start and End delimit the raw value: input[Start:End], without
	// surrounding whitespace.
	Start, End int
	// Elems is the number of elements of a value that is an array.
	Elems int
}

// Members checks data as [Object] does and appends the members of its
// top-level object to dst, in order; it appends nothing to dst when data is
// refused. It allocates nothing but the growth of dst and the names with
// escape sequences, so a caller that passes a dst with room for the members
// of a typical input (an array on its stack) scans it without allocating.
// The values of the members are valid JSON: the functions of this package
// for validated input ([SkipValue], [StringEnd], [Unescape]) read them.
func Members(data []byte, maxDepth int, dst []Member) ([]Member, error) {
	return scan(data, maxDepth, math.MaxInt, dst, true)
}

// scan checks data and, with collect, appends its top-level members to dst.
func scan(data []byte, maxDepth, maxMembers int, dst []Member, collect bool) ([]Member, error) {
	s := scanner{data: data, maxDepth: min(maxDepth, depthCap), maxMembers: maxMembers}
	i := s.skipSpace(0)
	if i >= len(data) {
		return dst, errAt(ErrSyntax, "unexpected end of input", i)
	}
	if data[i] != '{' {
		return dst, errAt(ErrSyntax, "top-level value is not an object", i)
	}
	if s.maxDepth < 1 {
		return dst, errAt(ErrDepth, "object exceeds the depth limit", i)
	}
	s.collect = collect
	end, out, err := s.object(i, 1, dst)
	if err == nil {
		if end = s.skipSpace(end); end != len(data) {
			err = errAt(ErrSyntax, "data after the top-level object", end)
		}
	}
	if err != nil {
		return dst, err
	}
	return out, nil
}

// String returns the unescaped contents of value, a raw JSON string value
// including its quotes, as passed to the callback of [Object].
//
// When value contains no escape sequences the result aliases value, with its
// capacity clipped to its length, and nothing is allocated. Otherwise the
// result is freshly allocated.
//
// String returns [ErrNotString] if value does not begin with a quote (a
// number, literal, object, array, leading whitespace or empty input),
// [ErrSyntax] if the string is malformed or followed by anything, and
// [ErrEncoding] for invalid UTF-8, an unpaired surrogate escape or U+0000.
// It never panics.
func String(value []byte) ([]byte, error) {
	if len(value) == 0 || value[0] != '"' {
		return nil, ErrNotString
	}
	s := scanner{data: value}
	end, escaped, err := s.str(0)
	if err != nil {
		return nil, err
	}
	if end != len(value) {
		return nil, errAt(ErrSyntax, "data after the string", end)
	}
	body := value[1 : end-1 : end-1]
	if !escaped {
		return body, nil
	}
	return unescape(make([]byte, 0, len(body)), body), nil
}

// scanner holds the input and the effective limits of one scan, and counts
// the members it has seen.
type scanner struct {
	data       []byte
	maxDepth   int
	maxMembers int
	members    int
	// collect asks object to return the members of the top-level object.
	collect bool
	// elems is the number of elements of the array scanned last.
	elems int
}

// skipSpace returns the offset of the first byte at or after i that is not
// JSON whitespace.
func (s *scanner) skipSpace(i int) int {
	for i < len(s.data) {
		switch s.data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// object scans the object whose opening brace is at data[i] and which sits at
// the given depth, and returns the offset just past its closing brace. With
// s.collect, the members of the top-level object (depth 1) are appended to
// dst, which is returned.
func (s *scanner) object(i, depth int, dst []Member) (int, []Member, error) {
	var names nameSet
	data := s.data
	i = s.skipSpace(i + 1)
	if i < len(data) && data[i] == '}' {
		return i + 1, dst, nil
	}
	for {
		if i >= len(data) {
			return 0, nil, errAt(ErrSyntax, "unexpected end of input in object", i)
		}
		if data[i] != '"' {
			return 0, nil, errAt(ErrSyntax, "expected member name", i)
		}
		start := i
		if s.members++; s.members > s.maxMembers {
			return 0, nil, errAt(ErrMembers, "more members than the limit", start)
		}
		end, escaped, err := s.str(i)
		if err != nil {
			return 0, nil, err
		}
		name := data[start+1 : end-1 : end-1]
		if escaped {
			name = unescape(make([]byte, 0, len(name)), name)
		}

		if names.add(name) {
			return 0, nil, errAt(ErrDuplicate, "repeated member name", start)
		}

		i = s.skipSpace(end)
		if i >= len(data) || data[i] != ':' {
			return 0, nil, errAt(ErrSyntax, "expected colon after member name", i)
		}
		i = s.skipSpace(i + 1)
		valueStart := i
		if i, err = s.value(i, depth); err != nil {
			return 0, nil, err
		}
		if depth == 1 && s.collect {
			m := Member{Name: name, Start: valueStart, End: i}
			if data[valueStart] == '[' {
				m.Elems = s.elems
			}
			dst = append(dst, m)
		}

		i = s.skipSpace(i)
		if i >= len(data) {
			return 0, nil, errAt(ErrSyntax, "unexpected end of input in object", i)
		}
		switch data[i] {
		case ',':
			i = s.skipSpace(i + 1)
		case '}':
			return i + 1, dst, nil
		default:
			return 0, nil, errAt(ErrSyntax, "expected comma or closing brace", i)
		}
	}
}

// nameSet holds the member names of one object. The first names live in
// inline arrays, with a hash of each under case folding, and are searched
// linearly by hash, which needs no allocation; beyond that the set moves to
// a map so that huge objects stay roughly linear to check.
type nameSet struct {
	hash  [smallObject]uint64
	small [smallObject][]byte
	n     int
	large map[string]struct{}
}

// add inserts name and reports whether an equal name was already present.
func (ns *nameSet) add(name []byte) (dup bool) {
	if ns.large != nil {
		key := foldKey(name)
		if _, dup := ns.large[key]; dup {
			return true
		}
		ns.large[key] = struct{}{}
		return false
	}
	h := foldHash(name)
	for k, prev := range ns.hash[:ns.n] {
		if prev == h && bytes.EqualFold(ns.small[k], name) {
			return true
		}
	}
	if ns.n < len(ns.small) {
		ns.hash[ns.n], ns.small[ns.n] = h, name
		ns.n++
		return false
	}
	ns.large = make(map[string]struct{}, 2*smallObject)
	for _, prev := range ns.small {
		ns.large[foldKey(prev)] = struct{}{}
	}
	ns.large[foldKey(name)] = struct{}{}
	return false
}

// foldHash hashes a name (valid UTF-8) under Unicode simple case folding,
// the matching encoding/json uses to pick a struct field: names equal
// under bytes.EqualFold have equal hashes. Each rune counts as the
// smallest rune of its folding orbit, as in foldKey: for ASCII letters,
// the upper case.
func foldHash(name []byte) uint64 {
	const (
		offset = 14695981039346656037 // FNV-1a
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			h = (h ^ uint64(c)) * prime
			i++
			continue
		}
		r, size := utf8.DecodeRune(name[i:])
		h = (h ^ uint64(foldMin(r))) * prime
		i += size
	}
	return h
}

// foldMin returns the smallest rune of the simple folding orbit of r.
func foldMin(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}

// foldKey maps a name to a key shared by exactly the names equal to it
// under simple case folding: each rune becomes the smallest rune of its
// folding orbit.
func foldKey(name []byte) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range string(name) {
		b.WriteRune(foldMin(r))
	}
	return b.String()
}

// array scans the array whose opening bracket is at data[i] and which sits at
// the given depth, and returns the offset just past its closing bracket.
func (s *scanner) array(i, depth int) (int, error) {
	data := s.data
	i = s.skipSpace(i + 1)
	if i < len(data) && data[i] == ']' {
		s.elems = 0
		return i + 1, nil
	}
	for n := 1; ; n++ {
		var err error
		if i, err = s.value(i, depth); err != nil {
			return 0, err
		}
		s.elems = n
		i = s.skipSpace(i)
		if i >= len(data) {
			return 0, errAt(ErrSyntax, "unexpected end of input in array", i)
		}
		switch data[i] {
		case ',':
			i = s.skipSpace(i + 1)
		case ']':
			return i + 1, nil
		default:
			return 0, errAt(ErrSyntax, "expected comma or closing bracket", i)
		}
	}
}

// value scans the value starting at data[i], inside a container at the given
// depth, and returns the offset just past it. The depth limit is checked
// before descending into a nested container.
func (s *scanner) value(i, depth int) (int, error) {
	data := s.data
	if i >= len(data) {
		return 0, errAt(ErrSyntax, "unexpected end of input, expected value", i)
	}
	switch c := data[i]; c {
	case '"':
		end, _, err := s.str(i)
		return end, err
	case '{', '[':
		if depth >= s.maxDepth {
			return 0, errAt(ErrDepth, "value exceeds the depth limit", i)
		}
		if c == '{' {
			end, _, err := s.object(i, depth+1, nil)
			return end, err
		}
		return s.array(i, depth+1)
	case 't':
		return s.literal(i, "true")
	case 'f':
		return s.literal(i, "false")
	case 'n':
		return s.literal(i, "null")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return s.number(i)
	default:
		return 0, errAt(ErrSyntax, "invalid character at start of value", i)
	}
}

// literal checks that lit (true, false or null) appears at data[i] and
// returns the offset just past it.
func (s *scanner) literal(i int, lit string) (int, error) {
	if len(s.data)-i < len(lit) || string(s.data[i:i+len(lit)]) != lit {
		return 0, errAt(ErrSyntax, "invalid literal", i)
	}
	return i + len(lit), nil
}

// number scans the number starting at data[i], which is a minus sign or a
// digit, and returns the offset just past it. Whatever follows is checked by
// the caller.
func (s *scanner) number(i int) (int, error) {
	data := s.data
	start := i
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && isDigit(data[i]):
		i = s.digits(i + 1)
	default:
		return 0, errAt(ErrSyntax, "invalid number", start)
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			return 0, errAt(ErrSyntax, "invalid number fraction", start)
		}
		i = s.digits(i + 1)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return 0, errAt(ErrSyntax, "invalid number exponent", start)
		}
		i = s.digits(i + 1)
	}
	return i, nil
}

// digits returns the offset of the first byte at or after i that is not an
// ASCII digit.
func (s *scanner) digits(i int) int {
	for i < len(s.data) && isDigit(s.data[i]) {
		i++
	}
	return i
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// str scans the string whose opening quote is at data[i]. It returns the
// offset just past the closing quote and whether the string contains escape
// sequences.
func (s *scanner) str(i int) (end int, escaped bool, err error) {
	data := s.data
	i++
	for {
		i = plainRun(data, i)
		if i >= len(data) {
			return 0, false, errAt(ErrSyntax, "unterminated string", i)
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i, err = s.escape(i); err != nil {
				return 0, false, err
			}
		case c == 0:
			return 0, false, errAt(ErrEncoding, "U+0000 in string", i)
		case c < 0x20:
			return 0, false, errAt(ErrSyntax, "unescaped control character in string", i)
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return 0, false, errAt(ErrEncoding, "invalid UTF-8 in string", i)
			}
			i += size
		}
	}
}

// escape checks the escape sequence whose backslash is at data[i] and returns
// the offset just past it. A high surrogate must be immediately followed by an
// escaped low surrogate, and both are consumed together.
func (s *scanner) escape(i int) (int, error) {
	data := s.data
	if i+1 >= len(data) {
		return 0, errAt(ErrSyntax, "unterminated string", len(data))
	}
	switch data[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2, nil
	case 'u':
	default:
		return 0, errAt(ErrSyntax, "invalid escape sequence", i)
	}
	r, ok := hex4(data, i+2)
	switch {
	case !ok:
		return 0, errAt(ErrSyntax, "invalid unicode escape", i)
	case r == 0:
		return 0, errAt(ErrEncoding, "U+0000 in string", i)
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, errAt(ErrEncoding, "unpaired low surrogate", i)
	case r < 0xD800 || r > 0xDBFF:
		return i + 6, nil
	}
	if i+7 >= len(data) || data[i+6] != '\\' || data[i+7] != 'u' {
		return 0, errAt(ErrEncoding, "unpaired high surrogate", i)
	}
	r2, ok := hex4(data, i+8)
	if !ok {
		return 0, errAt(ErrSyntax, "invalid unicode escape", i+6)
	}
	if r2 < 0xDC00 || r2 > 0xDFFF {
		return 0, errAt(ErrEncoding, "unpaired high surrogate", i)
	}
	return i + 12, nil
}

// hex4 decodes the four hexadecimal digits at data[i:i+4].
func hex4(data []byte, i int) (rune, bool) {
	if i < 0 || len(data)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// unescape appends the unescaped form of src, the contents of a string
// already validated by str, to dst.
func unescape(dst, src []byte) []byte {
	for len(src) > 0 {
		k := bytes.IndexByte(src, '\\')
		if k < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:k]...)
		src = src[k:]
		switch src[1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, _ := hex4(src, 2)
			src = src[6:]
			if utf16.IsSurrogate(r) {
				r2, _ := hex4(src, 2)
				r = utf16.DecodeRune(r, r2)
				src = src[6:]
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\' and '/' stand for themselves.
			dst = append(dst, src[1])
		}
		src = src[2:]
	}
	return dst
}
