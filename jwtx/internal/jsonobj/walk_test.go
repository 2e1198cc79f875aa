package jsonobj_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// TestMembers: Members reports the same members as Object, with the
// offsets of their values, and appends nothing for input it refuses.
func TestMembers(t *testing.T) {
	t.Parallel()
	for _, tc := range objectCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkMembers(t, []byte(tc.in), testDepth)
		})
	}
}

// TestWalk checks the readers of validated input on values of every kind.
func TestWalk(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
	}{
		{name: "string", in: `"abc"`},
		{name: "long string", in: `"` + strings.Repeat("abcdefgh", 9) + `"`},
		{name: "escapes", in: `"a\"b\\c\/\u00e9\ud83d\ude00\n"`},
		{name: "escaped quote at a word boundary", in: `"abcdefg\"hijklmnop"`},
		{name: "non-ASCII", in: `"h\u00e9llo wörld ☃ 😀"`},
		{name: "number", in: `-12.5e+3`},
		{name: "literals", in: `[true,false,null]`},
		{name: "object", in: `{"a":[1,{"b":"}]"}],"c":{}}`},
		{name: "array of strings", in: `[ "x" , "y\"]" ,"z" ]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(`{"v":` + tc.in + `,"w":1}`)
			checkMembers(t, data, testDepth)
		})
	}
}

// checkMembers compares Members with Object on data and, for valid data,
// checks SkipValue, StringEnd and Unescape on every value it reports.
func checkMembers(t *testing.T, data []byte, depth int) {
	t.Helper()
	var want []member
	errObject := jsonobj.Object(data, depth, func(name, value []byte) error {
		want = append(want, member{string(name), string(value)})
		return nil
	})
	prefix := []jsonobj.Member{{Name: []byte("kept")}}
	got, err := jsonobj.Members(data, depth, prefix)
	if (err == nil) != (errObject == nil) {
		t.Fatalf("Members() = %v, Object() = %v", err, errObject)
	}
	if len(got) == 0 || string(got[0].Name) != "kept" {
		t.Fatalf("Members() lost what dst held")
	}
	if err != nil {
		if len(got) != 1 {
			t.Fatalf("Members() = %v and appended %d members", err, len(got)-1)
		}
		return
	}
	var gotMembers []member
	for _, m := range got[1:] {
		gotMembers = append(gotMembers, member{string(m.Name), string(data[m.Start:m.End])})
		if end := jsonobj.SkipValue(data, m.Start); end != m.End {
			t.Errorf("SkipValue(%q) = %d, want %d", data[m.Start:], end, m.End)
		}
		if data[m.Start] == '[' {
			n := 0
			if err := jsonobj.Array(data[m.Start:m.End], depth, func([]byte) error { n++; return nil }); err != nil {
				t.Fatalf("Array(%q) = %v", data[m.Start:m.End], err)
			}
			if m.Elems != n {
				t.Errorf("Members() counts %d elements in %q, want %d", m.Elems, data[m.Start:m.End], n)
			}
		} else if m.Elems != 0 {
			t.Errorf("Members() counts %d elements in %q", m.Elems, data[m.Start:m.End])
		}
		checkValue(t, data[m.Start:m.End])
	}
	if diff := cmp.Diff(want, gotMembers); diff != "" {
		t.Errorf("Members() mismatch with Object() (-want +got):\n%s", diff)
	}
}

// checkValue checks the walk functions inside one valid value.
func checkValue(t *testing.T, value []byte) {
	t.Helper()
	switch value[0] {
	case '"':
		end, escaped := jsonobj.StringEnd(value, 0)
		if end != len(value) {
			t.Errorf("StringEnd(%q) = %d, want %d", value, end, len(value))
		}
		want, err := jsonobj.String(value)
		if err != nil {
			t.Fatalf("String(%q) = %v", value, err)
		}
		body := value[1 : len(value)-1]
		if escaped != (bytes.IndexByte(body, '\\') >= 0) {
			t.Errorf("StringEnd(%q) escaped = %v", value, escaped)
		}
		if escaped {
			body = jsonobj.Unescape(nil, body)
		}
		if !bytes.Equal(body, want) {
			t.Errorf("Unescape(%q) = %q, want %q", value, body, want)
		}
	case '[':
		var elems [][]byte
		if err := jsonobj.Array(value, testDepth, func(v []byte) error {
			elems = append(elems, v)
			return nil
		}); err != nil {
			t.Fatalf("Array(%q) = %v", value, err)
		}
		i := jsonobj.SkipSpace(value, 1)
		for _, e := range elems {
			end := jsonobj.SkipValue(value, i)
			if !bytes.Equal(value[i:end], e) {
				t.Errorf("SkipValue in %q: %q, want %q", value, value[i:end], e)
			}
			checkValue(t, e)
			i = jsonobj.SkipSpace(value, jsonobj.SkipSpace(value, end)+1)
		}
	case '{':
		var nested []jsonobj.Member
		nested, err := jsonobj.Members(value, testDepth, nested)
		if err != nil {
			t.Fatalf("Members(%q) = %v", value, err)
		}
		for _, m := range nested {
			checkValue(t, value[m.Start:m.End])
		}
	}
}

// FuzzWalk checks Members against Object, and the readers of validated
// input (SkipValue, StringEnd, Unescape) against the validating ones, on
// arbitrary input.
func FuzzWalk(f *testing.F) {
	for _, tc := range objectCases() {
		if len(tc.in) <= 1<<10 {
			f.Add([]byte(tc.in))
		}
	}
	for _, tc := range stringCases() {
		f.Add([]byte(`{"a":` + tc.in + `,"b":[` + tc.in + `]}`))
	}
	f.Add([]byte(claims))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkMembers(t, data, fuzzDepth)
	})
}
