package jsonobj_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// fuzzDepth is the depth limit used by FuzzObject; it is low so that the
// fuzzer reaches it.
const fuzzDepth = 6

// sentinels are the errors the package may return on bad input.
func sentinels() []error {
	return []error{jsonobj.ErrSyntax, jsonobj.ErrDuplicate, jsonobj.ErrDepth, jsonobj.ErrMembers, jsonobj.ErrEncoding, jsonobj.ErrNotString}
}

// matchesOneSentinel reports whether err matches exactly one sentinel.
func matchesOneSentinel(err error) bool {
	n := 0
	for _, s := range sentinels() {
		if errors.Is(err, s) {
			n++
		}
	}
	return n == 1
}

func FuzzObject(f *testing.F) {
	for _, tc := range objectCases() {
		if len(tc.in) <= 1<<10 {
			f.Add([]byte(tc.in))
		}
	}
	for _, tc := range stringCases() {
		f.Add([]byte(`{"a":` + tc.in + `}`))
		f.Add([]byte(`{` + tc.in + `:1}`))
	}
	f.Add([]byte(claims))
	f.Add([]byte(nest(fuzzDepth)))
	f.Add([]byte(nest(fuzzDepth + 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := jsonobj.Object(data, fuzzDepth, nil)
		keys, refOK := reference(data, fuzzDepth)
		// data is a valid object exactly when, wrapped in brackets, it is
		// a valid array, one level deeper, whose only element is an object.
		var elems [][]byte
		arrErr := jsonobj.Array(append(append([]byte("["), data...), ']'), fuzzDepth+1, func(value []byte) error {
			elems = append(elems, value)
			return nil
		})
		oneObject := arrErr == nil && len(elems) == 1 && elems[0][0] == '{'
		if (err == nil) != oneObject {
			t.Fatalf("Object(%q) = %v, but Array of it = %v with elements %q", data, err, arrErr, elems)
		}
		if err == nil && !bytes.Equal(elems[0], bytes.Trim(data, " \t\r\n")) {
			t.Fatalf("Array of %q reported the element %q", data, elems[0])
		}
		if err != nil {
			if !matchesOneSentinel(err) {
				t.Fatalf("Object(%q) = %v, which matches no single sentinel", data, err)
			}
			if refOK {
				t.Fatalf("Object(%q) = %v, but the reference accepts it", data, err)
			}
			return
		}
		if !refOK {
			t.Fatalf("Object(%q) accepted input the reference rejects", data)
		}
		if !json.Valid(data) {
			t.Fatalf("Object(%q) accepted input json.Valid rejects", data)
		}
		want := decode(t, data)

		// ObjectN accepts the object with a bound of exactly its number
		// of members, and refuses it with one fewer.
		n := countMembers(want)
		if err := jsonobj.ObjectN(data, fuzzDepth, n, nil); err != nil {
			t.Errorf("ObjectN(%q, %d members) = %v", data, n, err)
		}
		if err := jsonobj.ObjectN(data, fuzzDepth, n-1, nil); n > 0 && (!errors.Is(err, jsonobj.ErrMembers) || !matchesOneSentinel(err)) {
			t.Errorf("ObjectN(%q, %d members) = %v, want only ErrMembers", data, n-1, err)
		}

		var names []string
		err = jsonobj.Object(data, fuzzDepth, func(name, value []byte) error {
			names = append(names, string(name))
			if !within(data, value) {
				t.Errorf("value %q of %q does not alias the input", value, name)
			}
			if diff := cmp.Diff(want[string(name)], decodeValue(t, value)); diff != "" {
				t.Errorf("value of %q mismatch (-encoding/json +Object):\n%s", name, diff)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Object(%q) with fn = %v, without fn accepted", data, err)
		}
		if diff := cmp.Diff(keys, names); diff != "" {
			t.Errorf("member names mismatch (-reference +Object):\n%s", diff)
		}
	})
}

func FuzzString(f *testing.F) {
	for _, tc := range stringCases() {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := jsonobj.String(data)
		if err != nil {
			if !matchesOneSentinel(err) {
				t.Fatalf("String(%q) = %v, which matches no single sentinel", data, err)
			}
			if referenceString(data) {
				t.Fatalf("String(%q) = %v, but the reference accepts it", data, err)
			}
			return
		}
		if !referenceString(data) {
			t.Fatalf("String(%q) accepted input the reference rejects", data)
		}
		var want string
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("String(%q) accepted input encoding/json rejects: %v", data, err)
		}
		if diff := cmp.Diff(want, string(got)); diff != "" {
			t.Errorf("String(%q) mismatch (-encoding/json +String):\n%s", data, diff)
		}
	})
}

// decode decodes data, which must be one object, the way encoding/json
// would, keeping numbers exact.
func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("encoding/json cannot decode accepted input %q: %v", data, err)
	}
	if m == nil {
		t.Fatalf("encoding/json decoded accepted input %q as null", data)
	}
	return m
}

// countMembers counts the members of the objects in v, a value decoded by
// encoding/json from input without duplicate names, at every depth.
func countMembers(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			n += 1 + countMembers(e)
		}
	case []any:
		for _, e := range v {
			n += countMembers(e)
		}
	}
	return n
}

// decodeValue decodes one raw member value with encoding/json.
func decodeValue(t *testing.T, value []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("encoding/json cannot decode member value %q: %v", value, err)
	}
	if dec.InputOffset() != int64(len(value)) {
		t.Fatalf("member value %q holds more than one value", value)
	}
	return v
}

// reference is an independent implementation of Object's acceptance rule,
// built on encoding/json. It reports whether data is a valid JSON object with
// valid UTF-8, no U+0000, no unpaired surrogate escapes, no two names in
// one object equal under case folding, and nesting no deeper than maxDepth,
// and returns the top-level names in order.
func reference(data []byte, maxDepth int) ([]string, bool) {
	if !json.Valid(data) || !utf8.Valid(data) || !escapesOK(data) {
		return nil, false
	}
	type frame struct {
		object    bool
		names     []string
		expectKey bool
	}
	var (
		stack []frame
		keys  []string
		first = true
	)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return keys, !first
		}
		if err != nil {
			return nil, false
		}
		if first && tok != json.Delim('{') {
			return nil, false
		}
		first = false
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				continue
			}
			name := tok.(string)
			for _, prev := range stack[n-1].names {
				if strings.EqualFold(prev, name) {
					return nil, false
				}
			}
			stack[n-1].names = append(stack[n-1].names, name)
			stack[n-1].expectKey = false
			if n == 1 {
				keys = append(keys, name)
			}
			continue
		}
		switch tok {
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, expectKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		}
		if len(stack) > maxDepth {
			return nil, false
		}
	}
}

// referenceString reports whether data is exactly one JSON string with valid
// UTF-8, no U+0000 and no unpaired surrogate escapes.
func referenceString(data []byte) bool {
	return len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"' &&
		json.Valid(data) && utf8.Valid(data) && escapesOK(data)
}

// escapesOK reports whether the escape sequences in data, which json.Valid
// accepts, contain neither \u0000 nor an unpaired surrogate. In valid JSON a
// backslash occurs only inside strings and starts a well-formed escape.
func escapesOK(data []byte) bool {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] != 'u' {
			i++
			continue
		}
		r := hexRune(data[i+2 : i+6])
		i += 5
		switch {
		case r == 0:
			return false
		case r >= 0xDC00 && r <= 0xDFFF:
			return false
		case r >= 0xD800 && r <= 0xDBFF:
			if i+6 >= len(data) || data[i+1] != '\\' || data[i+2] != 'u' {
				return false
			}
			low := hexRune(data[i+3 : i+7])
			if utf16.DecodeRune(r, low) == utf8.RuneError {
				return false
			}
			i += 6
		}
	}
	return true
}

// hexRune decodes four hexadecimal digits already checked by json.Valid.
func hexRune(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case c >= 'a':
			c = c - 'a' + 10
		case c >= 'A':
			c = c - 'A' + 10
		default:
			c -= '0'
		}
		r = r<<4 | rune(c)
	}
	return r
}
