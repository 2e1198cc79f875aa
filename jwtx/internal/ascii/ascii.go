// Package ascii compares protocol tokens (header types, auth schemes)
// case-insensitively over ASCII only. strings.EqualFold also applies
// Unicode folding, under which the Kelvin sign U+212A equals "k": a
// look-alike an attacker could use to pass a check that a plain-ASCII
// comparison refuses.
package ascii

// EqualFold reports whether a and b are equal under ASCII case folding;
// any byte outside A-Z must match exactly.
func EqualFold[T ~string | ~[]byte](a T, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
