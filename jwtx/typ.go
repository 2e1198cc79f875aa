package jwtx

import "github.com/typedjwt/typedjwt/jwtx/internal/ascii"

// withoutApplication drops an "application/" prefix from a media type.
func withoutApplication[T ~string | ~[]byte](typ T) T {
	const prefix = "application/"
	if len(typ) > len(prefix) && ascii.EqualFold(typ[:len(prefix)], prefix) {
		return typ[len(prefix):]
	}
	return typ
}

// typMatches compares a header typ with the expected one: RFC 7515 §4.1.9
// media types compare case-insensitively and may omit "application/".
func typMatches(got []byte, want string) bool {
	return ascii.EqualFold(withoutApplication(got), want)
}
