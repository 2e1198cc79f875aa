package ascii_test

import (
	"testing"

	"github.com/typedjwt/typedjwt/jwtx/internal/ascii"
)

func TestEqualFold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Bearer", "bearer", true},
		{"AT+JWT", "at+jwt", true},
		{"", "", true},
		{"Bearer", "Bearer ", false},
		{"To\u212aen", "token", false}, // Kelvin sign: Unicode folding would say yes
		{"ſub", "sub", false},          // long s
		{"a[", "A{", false},            // '[' and '{' differ by the case bit but are not letters
	} {
		if got := ascii.EqualFold(tc.a, tc.b); got != tc.want {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := ascii.EqualFold([]byte(tc.a), tc.b); got != tc.want {
			t.Errorf("EqualFold([]byte(%q), %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
