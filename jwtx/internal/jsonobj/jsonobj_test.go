package jsonobj_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// testDepth is the depth limit used by tests that are not about depth.
const testDepth = 32

// claims is a typical JWT claims set.
const claims = `{"iss":"https://issuer.test","sub":"user-42","aud":["api"],"exp":1700000300,` +
	`"nbf":1700000000,"iat":1700000000,"jti":"9b2c4f1e-7d3a-4c55-9e61-0f3b2a8d7c10","type":"access",` +
	`"fresh":false,"roles":["admin","user"]}`

// member is one member reported by Object, as strings for readable diffs.
type member struct {
	Name, Value string
}

// objectCase is one input for Object, with the members it must report or the
// error it must return.
type objectCase struct {
	name     string
	in       string
	maxDepth int // 0 means testDepth
	want     []member
	wantErr  error
}

// nest returns an object whose deepest array sits at the given depth.
func nest(depth int) string {
	return `{"a":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`
}

// nestObjects returns an object whose deepest object sits at the given depth.
func nestObjects(depth int) string {
	return strings.Repeat(`{"a":`, depth-1) + "{}" + strings.Repeat("}", depth-1)
}

// manyMembers returns an object with n distinct members, plus a final member
// named like member dup when dup is not negative.
func manyMembers(n, dup int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		fmt.Fprintf(&b, `"m%d":%d,`, i, i)
	}
	if dup >= 0 {
		fmt.Fprintf(&b, `"m%d":0,`, dup)
	}
	return strings.TrimSuffix(b.String(), ",") + "}"
}

// objectCases returns the table for TestObject, which also seeds FuzzObject.
func objectCases() []objectCase {
	deepest := nest(10000)
	return []objectCase{
		// Accepted inputs.
		{name: "empty object", in: `{}`},
		{name: "trailing whitespace", in: "{} \t\r\n"},
		{name: "leading whitespace", in: " \n{}"},
		{name: "whitespace inside empty", in: "{ \t\n\r}"},
		{name: "one member", in: `{"a":1}`, want: []member{{"a", "1"}}},
		{
			name: "values without surrounding whitespace",
			in:   "{ \"a\" :\t[ 1 , 2 ] ,\n\"b\" : \"x y\" \r}",
			want: []member{{"a", "[ 1 , 2 ]"}, {"b", `"x y"`}},
		},
		{
			name: "member order",
			in:   `{"z":1,"a":2,"m":3}`,
			want: []member{{"z", "1"}, {"a", "2"}, {"m", "3"}},
		},
		{
			name: "nested",
			in:   `{"a":{"b":{"c":[1,{"d":null}]}},"e":[]}`,
			want: []member{{"a", `{"b":{"c":[1,{"d":null}]}}`}, {"e", "[]"}},
		},
		{
			name: "literals",
			in:   `{"t":true,"f":false,"n":null}`,
			want: []member{{"t", "true"}, {"f", "false"}, {"n", "null"}},
		},
		{
			name: "numbers",
			in:   `{"a":0,"b":-0,"c":12,"d":-12,"e":1.5,"f":-0.25,"g":1e9,"h":1E+9,"i":2.5e-3,"j":0e0,"k":1e999}`,
			want: []member{
				{"a", "0"}, {"b", "-0"}, {"c", "12"}, {"d", "-12"}, {"e", "1.5"}, {"f", "-0.25"},
				{"g", "1e9"}, {"h", "1E+9"}, {"i", "2.5e-3"}, {"j", "0e0"}, {"k", "1e999"},
			},
		},
		{
			name: "escapes in values stay raw",
			in:   `{"a":"\"\\\/\b\f\n\r\t\u00e9"}`,
			want: []member{{"a", `"\"\\\/\b\f\n\r\t\u00e9"`}},
		},
		{name: "escaped name", in: `{"s\u0075b":1}`, want: []member{{"sub", "1"}}},
		{name: "escaped quote in name", in: `{"a\"b":1}`, want: []member{{`a"b`, "1"}}},
		{name: "surrogate pair name", in: `{"\ud83d\ude00":1}`, want: []member{{"\U0001F600", "1"}}},
		{name: "upper-case hex", in: `{"\uD83D\uDE00":1}`, want: []member{{"\U0001F600", "1"}}},
		{name: "raw UTF-8", in: `{"é€😀":"ü"}`, want: []member{{"é€😀", `"ü"`}}},
		{name: "raw U+FFFD", in: "{\"\xef\xbf\xbd\":1}", want: []member{{"\uFFFD", "1"}}},
		{name: "DEL is not a control character", in: "{\"\x7f\":1}", want: []member{{"\x7f", "1"}}},
		{name: "empty name", in: `{"":1}`, want: []member{{"", "1"}}},
		{name: "distinct names", in: `{"exp":1,"ex":2,"xp":3}`, want: []member{{"exp", "1"}, {"ex", "2"}, {"xp", "3"}}},
		{name: "same name in sibling objects", in: `{"a":[{"x":1},{"x":2}]}`, want: []member{{"a", `[{"x":1},{"x":2}]`}}},
		{name: "same name in parent and child", in: `{"a":{"a":1}}`, want: []member{{"a", `{"a":1}`}}},
		{name: "names differing after escape", in: `{"a":1,"\u0042":2}`, want: []member{{"a", "1"}, {"B", "2"}}},

		// Not one object.
		{name: "empty input", in: ``, wantErr: jsonobj.ErrSyntax},
		{name: "whitespace only", in: " \n", wantErr: jsonobj.ErrSyntax},
		{name: "array", in: `[]`, wantErr: jsonobj.ErrSyntax},
		{name: "string", in: `"x"`, wantErr: jsonobj.ErrSyntax},
		{name: "number", in: `1`, wantErr: jsonobj.ErrSyntax},
		{name: "null", in: `null`, wantErr: jsonobj.ErrSyntax},
		{name: "trailing garbage", in: `{}x`, wantErr: jsonobj.ErrSyntax},
		{name: "two objects", in: `{}{}`, wantErr: jsonobj.ErrSyntax},
		{name: "comment", in: `{"a":1}//c`, wantErr: jsonobj.ErrSyntax},
		{name: "block comment", in: `{/**/"a":1}`, wantErr: jsonobj.ErrSyntax},
		{name: "byte order mark", in: "\xef\xbb\xbf{}", wantErr: jsonobj.ErrSyntax},
		{name: "NUL after object", in: "{}\x00", wantErr: jsonobj.ErrSyntax},
		{name: "form feed is not whitespace", in: "{}\f", wantErr: jsonobj.ErrSyntax},
		{name: "unterminated", in: `{"a":1`, wantErr: jsonobj.ErrSyntax},
		{name: "only brace", in: `{`, wantErr: jsonobj.ErrSyntax},

		// Grammar.
		{name: "single quotes", in: `{'a':1}`, wantErr: jsonobj.ErrSyntax},
		{name: "bare name", in: `{a:1}`, wantErr: jsonobj.ErrSyntax},
		{name: "missing colon", in: `{"a" 1}`, wantErr: jsonobj.ErrSyntax},
		{name: "missing value", in: `{"a":}`, wantErr: jsonobj.ErrSyntax},
		{name: "missing comma", in: `{"a":1 "b":2}`, wantErr: jsonobj.ErrSyntax},
		{name: "trailing comma", in: `{"a":1,}`, wantErr: jsonobj.ErrSyntax},
		{name: "leading comma", in: `{,"a":1}`, wantErr: jsonobj.ErrSyntax},
		{name: "trailing comma in array", in: `{"a":[1,]}`, wantErr: jsonobj.ErrSyntax},
		{name: "empty array element", in: `{"a":[1,,2]}`, wantErr: jsonobj.ErrSyntax},
		{name: "unclosed array", in: `{"a":[1}`, wantErr: jsonobj.ErrSyntax},
		{name: "mismatched brackets", in: `{"a":[}]}`, wantErr: jsonobj.ErrSyntax},
		{name: "NaN", in: `{"exp":NaN}`, wantErr: jsonobj.ErrSyntax},
		{name: "Infinity", in: `{"exp":Infinity}`, wantErr: jsonobj.ErrSyntax},
		{name: "negative Infinity", in: `{"exp":-Infinity}`, wantErr: jsonobj.ErrSyntax},
		{name: "leading zero", in: `{"a":01}`, wantErr: jsonobj.ErrSyntax},
		{name: "negative leading zero", in: `{"a":-01}`, wantErr: jsonobj.ErrSyntax},
		{name: "lone minus", in: `{"a":-}`, wantErr: jsonobj.ErrSyntax},
		{name: "minus at end of input", in: `{"a":-`, wantErr: jsonobj.ErrSyntax},
		{name: "leading plus", in: `{"a":+1}`, wantErr: jsonobj.ErrSyntax},
		{name: "trailing dot", in: `{"a":1.}`, wantErr: jsonobj.ErrSyntax},
		{name: "leading dot", in: `{"a":.5}`, wantErr: jsonobj.ErrSyntax},
		{name: "empty exponent", in: `{"a":1e}`, wantErr: jsonobj.ErrSyntax},
		{name: "signed empty exponent", in: `{"a":1e+}`, wantErr: jsonobj.ErrSyntax},
		{name: "hex number", in: `{"a":0x10}`, wantErr: jsonobj.ErrSyntax},
		{name: "truncated true", in: `{"a":tru}`, wantErr: jsonobj.ErrSyntax},
		{name: "capitalised literal", in: `{"a":True}`, wantErr: jsonobj.ErrSyntax},
		{name: "literal with suffix", in: `{"a":nullx}`, wantErr: jsonobj.ErrSyntax},
		{name: "unterminated string", in: `{"a":"x}`, wantErr: jsonobj.ErrSyntax},
		{name: "bad escape", in: `{"a":"\x41"}`, wantErr: jsonobj.ErrSyntax},
		{name: "escaped single quote", in: `{"a":"\'"}`, wantErr: jsonobj.ErrSyntax},
		{name: "short unicode escape", in: `{"a":"\u12"}`, wantErr: jsonobj.ErrSyntax},
		{name: "non-hex unicode escape", in: `{"a":"\u12g4"}`, wantErr: jsonobj.ErrSyntax},
		{name: "backslash at end of input", in: `{"a":"\`, wantErr: jsonobj.ErrSyntax},
		{name: "bad escape in name", in: `{"\q":1}`, wantErr: jsonobj.ErrSyntax},
		{name: "bad escape after high surrogate", in: `{"a":"\ud800\u12"}`, wantErr: jsonobj.ErrSyntax},
		{name: "raw newline", in: "{\"a\":\"x\ny\"}", wantErr: jsonobj.ErrSyntax},
		{name: "raw tab", in: "{\"a\":\"x\ty\"}", wantErr: jsonobj.ErrSyntax},
		{name: "raw control in name", in: "{\"\x1f\":1}", wantErr: jsonobj.ErrSyntax},

		// String encoding.
		{name: "invalid byte", in: "{\"a\":\"\xff\"}", wantErr: jsonobj.ErrEncoding},
		{name: "overlong slash", in: "{\"a\":\"\xc0\xaf\"}", wantErr: jsonobj.ErrEncoding},
		{name: "UTF-8 encoded surrogate", in: "{\"a\":\"\xed\xa0\x80\"}", wantErr: jsonobj.ErrEncoding},
		{name: "above U+10FFFF", in: "{\"a\":\"\xf4\x90\x80\x80\"}", wantErr: jsonobj.ErrEncoding},
		{name: "truncated sequence", in: "{\"a\":\"\xe2\x82\"}", wantErr: jsonobj.ErrEncoding},
		{name: "stray continuation byte", in: "{\"a\":\"\x80\"}", wantErr: jsonobj.ErrEncoding},
		{name: "invalid byte in name", in: "{\"\xff\":1}", wantErr: jsonobj.ErrEncoding},
		{name: "lone high surrogate", in: `{"a":"\ud800"}`, wantErr: jsonobj.ErrEncoding},
		{name: "lone low surrogate", in: `{"a":"\udc00"}`, wantErr: jsonobj.ErrEncoding},
		{name: "reversed surrogates", in: `{"a":"\udc00\ud800"}`, wantErr: jsonobj.ErrEncoding},
		{name: "high surrogate then letter", in: `{"a":"\ud800x"}`, wantErr: jsonobj.ErrEncoding},
		{name: "high surrogate then BMP escape", in: `{"a":"\ud800\u0041"}`, wantErr: jsonobj.ErrEncoding},
		{name: "two high surrogates", in: `{"a":"\ud800\ud800"}`, wantErr: jsonobj.ErrEncoding},
		{name: "lone surrogate in name", in: `{"\udfff":1}`, wantErr: jsonobj.ErrEncoding},
		{name: "escaped NUL", in: `{"a":"\u0000"}`, wantErr: jsonobj.ErrEncoding},
		{name: "escaped NUL in name", in: `{"\u0000":1}`, wantErr: jsonobj.ErrEncoding},
		{name: "raw NUL", in: "{\"a\":\"\x00\"}", wantErr: jsonobj.ErrEncoding},

		// Duplicates.
		{name: "duplicate at top level", in: `{"exp":1,"exp":2}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate with different values", in: `{"alg":"none","b":1,"alg":"RS256"}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate empty names", in: `{"":1,"":2}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate nested", in: `{"a":{"b":1,"b":2}}`, wantErr: jsonobj.ErrDuplicate},
		{name: "case variants", in: `{"Exp":1,"exp":2}`, wantErr: jsonobj.ErrDuplicate},
		{name: "nested case variants", in: `{"org":{"id":"victim","ID":"attacker"}}`, wantErr: jsonobj.ErrDuplicate},
		{name: "Kelvin sign folds to k", in: `{"kid":1,"\u212aid":2}`, wantErr: jsonobj.ErrDuplicate},
		{name: "long s folds to s", in: `{"sub":1,"\u017fub":2}`, wantErr: jsonobj.ErrDuplicate},
		{name: "large object case variant", in: strings.TrimSuffix(manyMembers(40, -1), "}") + `,"M3":1}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate escaped equal", in: `{"sub":1,"s\u0075b":2}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate both escaped", in: `{"\u0061":1,"\u0061":2}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate escaped slash", in: `{"\/":1,"/":2}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate surrogate pair", in: `{"😀":1,"\ud83d\ude00":2}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate in array of objects", in: `{"a":[{"x":1},{"x":1,"x":2}]}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate deep in arrays", in: `{"a":[[[{"y":{"z":1,"z":1}}]]]}`, wantErr: jsonobj.ErrDuplicate},
		{name: "duplicate before syntax error", in: `{"a":1,"a":2`, wantErr: jsonobj.ErrDuplicate},

		// Large objects use a map for the duplicate check.
		{name: "16 members", in: manyMembers(16, -1), want: numbered(16)},
		{name: "17 members", in: manyMembers(17, -1), want: numbered(17)},
		{name: "17th member repeats the first", in: manyMembers(16, 0), wantErr: jsonobj.ErrDuplicate},
		{name: "18th member repeats the 17th", in: manyMembers(17, 16), wantErr: jsonobj.ErrDuplicate},
		{name: "5000 members", in: manyMembers(5000, -1), want: numbered(5000)},
		{name: "duplicate after 5000 members", in: manyMembers(5000, 3), wantErr: jsonobj.ErrDuplicate},
		{name: "large nested object", in: `{"a":` + manyMembers(100, 99) + `}`, wantErr: jsonobj.ErrDuplicate},
		{name: "large escaped duplicate", in: strings.TrimSuffix(manyMembers(40, -1), "}") + `,"m\u0033":1}`, wantErr: jsonobj.ErrDuplicate},

		// Depth.
		{name: "depth exactly the limit", in: nest(5), maxDepth: 5, want: []member{{"a", "[[[[]]]]"}}},
		{name: "depth one over the limit", in: nest(6), maxDepth: 5, wantErr: jsonobj.ErrDepth},
		{name: "objects exactly the limit", in: nestObjects(5), maxDepth: 5, want: []member{{"a", `{"a":{"a":{"a":{}}}}`}}},
		{name: "objects one over the limit", in: nestObjects(6), maxDepth: 5, wantErr: jsonobj.ErrDepth},
		{name: "flat object at limit 1", in: `{"a":1}`, maxDepth: 1, want: []member{{"a", "1"}}},
		{name: "empty array at limit 1", in: `{"a":[]}`, maxDepth: 1, wantErr: jsonobj.ErrDepth},
		{name: "negative limit", in: `{}`, maxDepth: -1, wantErr: jsonobj.ErrDepth},
		{name: "100000 brackets", in: `{"a":` + strings.Repeat("[", 100000), wantErr: jsonobj.ErrDepth},
		{name: "100000 objects", in: strings.Repeat(`{"a":`, 100000), wantErr: jsonobj.ErrDepth},
		{name: "above the hard cap", in: nest(10001), maxDepth: 1 << 30, wantErr: jsonobj.ErrDepth},
		{name: "at the hard cap", in: deepest, maxDepth: 1 << 30, want: []member{{"a", deepest[5 : len(deepest)-1]}}},
	}
}

// numbered returns the members produced by manyMembers(n, -1).
func numbered(n int) []member {
	ms := make([]member, n)
	for i := range ms {
		ms[i] = member{Name: fmt.Sprintf("m%d", i), Value: fmt.Sprint(i)}
	}
	return ms
}

// collect runs Object and returns the members it reported.
func collect(data []byte, maxDepth int) ([]member, error) {
	var got []member
	err := jsonobj.Object(data, maxDepth, func(name, value []byte) error {
		got = append(got, member{Name: string(name), Value: string(value)})
		return nil
	})
	return got, err
}

func TestObject(t *testing.T) {
	t.Parallel()
	for _, tc := range objectCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			maxDepth := tc.maxDepth
			if maxDepth == 0 {
				maxDepth = testDepth
			}
			got, err := collect([]byte(tc.in), maxDepth)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Object() error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Object() members mismatch (-want +got):\n%s", diff)
			}
			if err := jsonobj.Object([]byte(tc.in), maxDepth, nil); !errors.Is(err, tc.wantErr) {
				t.Errorf("Object() with nil fn = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestObjectDepthZero(t *testing.T) {
	t.Parallel()
	err := jsonobj.Object([]byte(`{}`), 0, nil)
	if diff := cmp.Diff(jsonobj.ErrDepth, err, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Object(`{}`, 0) error mismatch (-want +got):\n%s", diff)
	}
}

func TestObjectCallbackError(t *testing.T) {
	t.Parallel()
	errStop := errors.New("stop")
	for _, tc := range []struct {
		name    string
		stopAt  string
		want    []string
		wantErr error
	}{
		{name: "first member", stopAt: "a", want: []string{"a"}, wantErr: errStop},
		{name: "middle member", stopAt: "b", want: []string{"a", "b"}, wantErr: errStop},
		{name: "never", stopAt: "", want: []string{"a", "b", "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			err := jsonobj.Object([]byte(`{"a":1,"b":2,"c":3}`), testDepth, func(name, _ []byte) error {
				got = append(got, string(name))
				if string(name) == tc.stopAt {
					return errStop
				}
				return nil
			})
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Object() error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Object() names mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObjectErrorIsUnchanged(t *testing.T) {
	t.Parallel()
	errStop := errors.New("stop")
	err := jsonobj.Object([]byte(`{"a":1}`), testDepth, func(_, _ []byte) error { return errStop })
	// The callback's error must come back itself, not merely wrapped.
	if err != errStop {
		t.Errorf("Object() = %v, want the callback's error itself", err)
	}
}

// TestObjectAliasing checks that values and unescaped names point into the
// input and that appending to them cannot overwrite it.
func TestObjectAliasing(t *testing.T) {
	t.Parallel()
	data := []byte(`{"a" : "x" , "b":[1, 2] ,"c":{"d":true}}`)
	orig := bytes.Clone(data)
	err := jsonobj.Object(data, testDepth, func(name, value []byte) error {
		if !within(data, name) || !within(data, value) {
			t.Errorf("member %q: name or value does not alias the input", name)
		}
		if cap(name) != len(name) || cap(value) != len(value) {
			t.Errorf("member %q: capacity not clipped", name)
		}
		_ = append(name, '!')
		_ = append(value, '!')
		return nil
	})
	if err != nil {
		t.Fatalf("Object() = %v", err)
	}
	if diff := cmp.Diff(orig, data); diff != "" {
		t.Errorf("input modified (-want +got):\n%s", diff)
	}
}

// within reports whether sub is a non-empty sub-slice of data.
func within(data, sub []byte) bool {
	if len(sub) == 0 {
		return false
	}
	for i := range data {
		if &data[i] == &sub[0] {
			return i+len(sub) <= len(data)
		}
	}
	return false
}

// stringCase is one input for String.
type stringCase struct {
	name    string
	in      string
	want    string
	wantErr error
}

// stringCases returns the table for TestString, which also seeds FuzzString.
func stringCases() []stringCase {
	return []stringCase{
		{name: "plain", in: `"abc"`, want: "abc"},
		{name: "empty", in: `""`, want: ""},
		{name: "short escapes", in: `"a\"b\\c\/d\be\ff\ng\rh\ti"`, want: "a\"b\\c/d\be\ff\ng\rh\ti"},
		{name: "unicode escape", in: `"caf\u00e9"`, want: "café"},
		{name: "three-byte escape", in: `"\u20AC"`, want: "€"},
		{name: "surrogate pair", in: `"\ud83d\ude00!"`, want: "😀!"},
		{name: "lowest surrogate pair", in: `"\ud800\udc00"`, want: "\U00010000"},
		{name: "highest surrogate pair", in: `"\udbff\udfff"`, want: "\U0010FFFF"},
		{name: "escaped U+FFFD", in: `"\ufffd"`, want: "\uFFFD"},
		{name: "line separator", in: `"\u2028"`, want: "\u2028"},
		{name: "raw UTF-8", in: `"é€😀"`, want: "é€😀"},
		{name: "escape at both ends", in: `"\tx\t"`, want: "\tx\t"},
		{name: "nil", in: ``, wantErr: jsonobj.ErrNotString},
		{name: "number", in: `1`, wantErr: jsonobj.ErrNotString},
		{name: "null", in: `null`, wantErr: jsonobj.ErrNotString},
		{name: "object", in: `{}`, wantErr: jsonobj.ErrNotString},
		{name: "array", in: `["a"]`, wantErr: jsonobj.ErrNotString},
		{name: "leading space", in: ` "a"`, wantErr: jsonobj.ErrNotString},
		{name: "single quotes", in: `'a'`, wantErr: jsonobj.ErrNotString},
		{name: "lone quote", in: `"`, wantErr: jsonobj.ErrSyntax},
		{name: "unterminated", in: `"abc`, wantErr: jsonobj.ErrSyntax},
		{name: "trailing data", in: `"a"b`, wantErr: jsonobj.ErrSyntax},
		{name: "trailing space", in: `"a" `, wantErr: jsonobj.ErrSyntax},
		{name: "two strings", in: `"a""b"`, wantErr: jsonobj.ErrSyntax},
		{name: "bad escape", in: `"\x"`, wantErr: jsonobj.ErrSyntax},
		{name: "short unicode escape", in: `"\u12"`, wantErr: jsonobj.ErrSyntax},
		{name: "non-hex escape", in: `"\u12G4"`, wantErr: jsonobj.ErrSyntax},
		{name: "raw control", in: "\"\x01\"", wantErr: jsonobj.ErrSyntax},
		{name: "raw NUL", in: "\"\x00\"", wantErr: jsonobj.ErrEncoding},
		{name: "escaped NUL", in: `"\u0000"`, wantErr: jsonobj.ErrEncoding},
		{name: "lone high surrogate", in: `"\ud800"`, wantErr: jsonobj.ErrEncoding},
		{name: "lone low surrogate", in: `"\udc00"`, wantErr: jsonobj.ErrEncoding},
		{name: "high surrogate at end", in: `"\ud800\u"`, wantErr: jsonobj.ErrSyntax},
		{name: "high surrogate then U+E000", in: `"\udbff\ue000"`, wantErr: jsonobj.ErrEncoding},
		{name: "high surrogate then U+D7FF", in: `"\ud800\ud7ff"`, wantErr: jsonobj.ErrEncoding},
		{name: "invalid byte", in: "\"\xff\"", wantErr: jsonobj.ErrEncoding},
		{name: "overlong", in: "\"\xc0\xaf\"", wantErr: jsonobj.ErrEncoding},
		{name: "encoded surrogate", in: "\"\xed\xa0\x80\"", wantErr: jsonobj.ErrEncoding},
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	for _, tc := range stringCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := jsonobj.String([]byte(tc.in))
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("String() error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStringAliasing(t *testing.T) {
	t.Parallel()
	in := []byte(`"abc"`)
	got, err := jsonobj.String(in)
	if err != nil {
		t.Fatalf("String() = %v", err)
	}
	if &got[0] != &in[1] {
		t.Errorf("String() result does not alias its input")
	}
	if cap(got) != len(got) {
		t.Errorf("String() result capacity %d, want %d", cap(got), len(got))
	}
}

// TestAllocations is not parallel: testing.AllocsPerRun panics in a parallel
// test, because other goroutines would skew its count.
func TestAllocations(t *testing.T) {
	sixteen := []byte(`{"a":` + manyMembers(16, -1) + `,"b":[` + manyMembers(16, -1) + `]}`)
	for _, tc := range []struct {
		name string
		in   []byte
		fn   func(name, value []byte) error
	}{
		{name: "claims", in: []byte(claims), fn: func(_, _ []byte) error { return nil }},
		{name: "claims nil fn", in: []byte(claims)},
		{
			name: "claims with String",
			in:   []byte(claims),
			fn: func(_, value []byte) error {
				if value[0] == '"' {
					_, err := jsonobj.String(value)
					return err
				}
				return nil
			},
		},
		{name: "16 members per object", in: sixteen, fn: func(_, _ []byte) error { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			allocs := testing.AllocsPerRun(100, func() {
				err = jsonobj.Object(tc.in, testDepth, tc.fn)
			})
			if err != nil {
				t.Fatalf("Object() = %v", err)
			}
			if allocs != 0 {
				t.Errorf("Object() allocated %v times per run, want 0", allocs)
			}
		})
	}
}

func BenchmarkObject(b *testing.B) {
	data := []byte(claims)
	fn := func(_, _ []byte) error { return nil }
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := jsonobj.Object(data, testDepth, fn); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkString(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   string
	}{
		{name: "plain", in: `"https://issuer.test"`},
		{name: "escaped", in: `"https:\/\/issuer.test\u00e9"`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := []byte(bc.in)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := jsonobj.String(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
