// Package bench holds the benchmark suite of typedjwt and its peers
// (github.com/golang-jwt/jwt/v5, github.com/lestrrat-go/jwx/v2,
// github.com/go-chi/jwtauth/v5, and a standard-library floor). It is a
// module of its own so that the core module never depends on the peers.
//
// Everything lives in _test.go files; run it with
//
//	go test -run='^$' -bench=. -benchmem
//
// or, for an interleaved run with a table of medians and ratios,
//
//	go run ./cmd/benchtable -rounds 5
//
// See README.md for what is measured and how.
package bench
