package jsonobj_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// TestArray: Array accepts exactly one JSON array under Object's rules and
// reports its elements raw, in order.
func TestArray(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		in       string
		maxDepth int // 0 means testDepth
		want     []string
		wantErr  error
	}{
		{name: "empty", in: `[]`},
		{name: "whitespace", in: " [ \t]\n"},
		{name: "elements of every kind", in: `[1,"a",true,null,{"b":[2]},[]]`, want: []string{"1", `"a"`, "true", "null", `{"b":[2]}`, "[]"}},
		{name: "whitespace around elements", in: "[ 1 ,\n\"x y\" ]", want: []string{"1", `"x y"`}},
		{name: "escapes stay raw", in: `["\u0041"]`, want: []string{`"\u0041"`}},
		{name: "depth limit reached", in: `[[1]]`, maxDepth: 2, want: []string{"[1]"}},
		{name: "depth limit exceeded", in: `[[[1]]]`, maxDepth: 2, wantErr: jsonobj.ErrDepth},
		{name: "depth zero", in: `[]`, maxDepth: -1, wantErr: jsonobj.ErrDepth},
		{name: "object", in: `{}`, wantErr: jsonobj.ErrSyntax},
		{name: "string", in: `"a"`, wantErr: jsonobj.ErrSyntax},
		{name: "empty input", in: ``, wantErr: jsonobj.ErrSyntax},
		{name: "two arrays", in: `[][]`, wantErr: jsonobj.ErrSyntax},
		{name: "trailing comma", in: `[1,]`, wantErr: jsonobj.ErrSyntax},
		{name: "unterminated", in: `[1`, wantErr: jsonobj.ErrSyntax},
		{name: "bad element after good ones", in: `[1,2,x]`, wantErr: jsonobj.ErrSyntax},
		{name: "duplicate in an element", in: `[{"a":1,"A":2}]`, wantErr: jsonobj.ErrDuplicate},
		{name: "invalid UTF-8", in: "[\"\xff\"]", wantErr: jsonobj.ErrEncoding},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			maxDepth := tc.maxDepth
			if maxDepth == 0 {
				maxDepth = testDepth
			}
			var got []string
			err := jsonobj.Array([]byte(tc.in), maxDepth, func(value []byte) error {
				got = append(got, string(value))
				return nil
			})
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Array() error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Array() elements mismatch (-want +got):\n%s", diff)
			}
			if err := jsonobj.Array([]byte(tc.in), maxDepth, nil); !errors.Is(err, tc.wantErr) {
				t.Errorf("Array() with nil fn = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestArrayCallbackError: the callback's error stops the iteration and
// comes back unchanged.
func TestArrayCallbackError(t *testing.T) {
	t.Parallel()
	errStop := errors.New("stop")
	var got []string
	err := jsonobj.Array([]byte(`[1,2,3]`), testDepth, func(value []byte) error {
		got = append(got, string(value))
		if string(value) == "2" {
			return errStop
		}
		return nil
	})
	if err != errStop {
		t.Errorf("Array() = %v, want the callback's error itself", err)
	}
	if diff := cmp.Diff([]string{"1", "2"}, got); diff != "" {
		t.Errorf("Array() elements mismatch (-want +got):\n%s", diff)
	}
}
