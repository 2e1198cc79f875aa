package jsonobj_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// TestObjectN: ObjectN counts the members of every object at every depth
// and stops at the first one beyond the limit, before reading on.
func TestObjectN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		in         string
		maxMembers int
		want       []member
		wantErr    error
	}{
		{name: "empty object, no members allowed", in: `{}`, maxMembers: 0},
		{name: "one member, none allowed", in: `{"a":1}`, maxMembers: 0, wantErr: jsonobj.ErrMembers},
		{name: "at the limit", in: `{"a":1,"b":2}`, maxMembers: 2, want: []member{{"a", "1"}, {"b", "2"}}},
		{name: "over the limit", in: `{"a":1,"b":2,"c":3}`, maxMembers: 2, wantErr: jsonobj.ErrMembers},
		{name: "nested members count", in: `{"a":{"b":{"c":1}}}`, maxMembers: 2, wantErr: jsonobj.ErrMembers},
		{name: "nested at the limit", in: `{"a":{"b":{"c":1}}}`, maxMembers: 3, want: []member{{"a", `{"b":{"c":1}}`}}},
		{name: "objects in arrays count", in: `{"a":[{"x":1},{"x":2},{"x":3}]}`, maxMembers: 3, wantErr: jsonobj.ErrMembers},
		{name: "array elements are not members", in: `{"a":[1,2,3,4,5,6]}`, maxMembers: 1, want: []member{{"a", "[1,2,3,4,5,6]"}}},
		{name: "stops before bad input after the limit", in: `{"a":1,"b":2,"c":` + "\xff", maxMembers: 2, wantErr: jsonobj.ErrMembers},
		{name: "stops before a duplicate after the limit", in: `{"a":1,"b":2,"a":3}`, maxMembers: 2, wantErr: jsonobj.ErrMembers},
		{name: "bad input before the limit", in: `{"a":1,"b":}`, maxMembers: 2, wantErr: jsonobj.ErrSyntax},
		{name: "many members without a bound", in: manyMembers(1000, -1), maxMembers: 1000},
		{name: "many members", in: manyMembers(1000, -1), maxMembers: 32, wantErr: jsonobj.ErrMembers},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []member
			err := jsonobj.ObjectN([]byte(tc.in), testDepth, tc.maxMembers, func(name, value []byte) error {
				if len(got) < 8 {
					got = append(got, member{string(name), string(value)})
				}
				return nil
			})
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("ObjectN() error mismatch (-want +got):\n%s", diff)
			}
			if tc.wantErr == nil && tc.want != nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("ObjectN() members mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}
