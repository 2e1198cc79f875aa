package jsonobj_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// TestErrorParts: an error about the input is an *Error whose kind is the
// sentinel it matches, with the reason and the offset apart.
func TestErrorParts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		in       string
		want     jsonobj.Error
		wantText string
	}{
		{name: "syntax", in: `{"a" 1}`, want: jsonobj.Error{Kind: jsonobj.ErrSyntax, Reason: "expected colon after member name", Offset: 5},
			wantText: "invalid JSON: expected colon after member name at offset 5"},
		{name: "duplicate", in: `{"a":1,"A":2}`, want: jsonobj.Error{Kind: jsonobj.ErrDuplicate, Reason: "repeated member name", Offset: 7},
			wantText: "duplicate member name: repeated member name at offset 7"},
		{name: "depth", in: `{"a":[[1]]}`, want: jsonobj.Error{Kind: jsonobj.ErrDepth, Reason: "value exceeds the depth limit", Offset: 6},
			wantText: "nesting too deep: value exceeds the depth limit at offset 6"},
		{name: "members", in: `{"a":1,"b":2,"c":3}`, want: jsonobj.Error{Kind: jsonobj.ErrMembers, Reason: "more members than the limit", Offset: 13},
			wantText: "too many members: more members than the limit at offset 13"},
		{name: "encoding", in: "{\"a\":\"\xff\"}", want: jsonobj.Error{Kind: jsonobj.ErrEncoding, Reason: "invalid UTF-8 in string", Offset: 6},
			wantText: "invalid string encoding: invalid UTF-8 in string at offset 6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := jsonobj.ObjectN([]byte(tc.in), 2, 2, nil)
			var got *jsonobj.Error
			if !errors.As(err, &got) {
				t.Fatalf("ObjectN(%q) = %v, not an *Error", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("ObjectN(%q) error mismatch (-want +got):\n%s", tc.in, diff)
			}
			if diff := cmp.Diff(tc.wantText, err.Error()); diff != "" {
				t.Errorf("message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
