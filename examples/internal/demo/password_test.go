package demo

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testIterations keeps password hashing cheap in tests; the code is the
// same as with PasswordIterations.
const testIterations = 10

func TestHashPassword(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		password string // what is hashed
		iter     int
		try      string // what is checked against the hash
		want     bool
		wantErr  error
	}{
		{name: "right password", password: "wonderland", iter: testIterations, try: "wonderland", want: true},
		{name: "wrong password", password: "wonderland", iter: testIterations, try: "looking-glass"},
		{name: "case matters", password: "wonderland", iter: testIterations, try: "Wonderland"},
		{name: "prefix", password: "wonderland", iter: testIterations, try: "wonder"},
		{name: "empty password", password: "", iter: testIterations, try: "", want: true},
		{name: "not the empty password", password: "", iter: testIterations, try: "wonderland"},
		{name: "non-ASCII", password: "Wunderländ", iter: testIterations, try: "Wunderländ", want: true},
		{name: "one iteration", password: "wonderland", iter: 1, try: "wonderland", want: true},
		{name: "no iterations", password: "wonderland", iter: 0, wantErr: cmpopts.AnyError},
		{name: "negative iterations", password: "wonderland", iter: -1, wantErr: cmpopts.AnyError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := HashPassword(tc.password, tc.iter)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("HashPassword(%q, %d) error mismatch (-want +got):\n%s", tc.password, tc.iter, diff)
			}
			if err != nil {
				if h != (PasswordHash{}) {
					t.Errorf("HashPassword(%q, %d) returned a non-zero hash with its error", tc.password, tc.iter)
				}
				return
			}
			if diff := cmp.Diff(tc.want, h.Matches(tc.try)); diff != "" {
				t.Errorf("Matches(%q) mismatch (-want +got):\n%s", tc.try, diff)
			}
		})
	}
}

// Each hash has its own salt, so the same password never hashes the same
// twice, and each keeps the work factor it was made with.
func TestHashPasswordSalt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		iter1, iter2 int
	}{
		{name: "same work factor", iter1: testIterations, iter2: testIterations},
		{name: "different work factors", iter1: testIterations, iter2: testIterations + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h1, err := HashPassword("wonderland", tc.iter1)
			if err != nil {
				t.Fatal(err)
			}
			h2, err := HashPassword("wonderland", tc.iter2)
			if err != nil {
				t.Fatal(err)
			}
			if h1.salt == h2.salt || h1.key == h2.key {
				t.Errorf("two hashes of one password share their salt or key")
			}
			got := []bool{h1.Matches("wonderland"), h2.Matches("wonderland")}
			if diff := cmp.Diff([]bool{true, true}, got); diff != "" {
				t.Errorf("Matches mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestZeroPasswordHash(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		password string
	}{
		{name: "empty", password: ""},
		{name: "non-empty", password: "wonderland"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if (PasswordHash{}).Matches(tc.password) {
				t.Errorf("the zero PasswordHash matches %q", tc.password)
			}
		})
	}
}
