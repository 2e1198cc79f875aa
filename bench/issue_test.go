package bench

import (
	"testing"
)

// BenchmarkIssue mints the fixture's access token on every side: typedjwt
// Issuer.Access (ClaimsFunc, 128-bit random jti, iat/nbf/exp, header typ
// at+jwt), golang-jwt v5 SignedString, jwx v2 jwt.Sign, and the floor
// (json.Marshal, base64, the crypto primitive).
func BenchmarkIssue(b *testing.B) {
	for _, alg := range algs {
		b.Run(alg, func(b *testing.B) {
			for _, s := range inOrder(sides[alg]()) {
				b.Run(s.name, func(b *testing.B) {
					_ = mustToken(b, s)
					issue := s.issue
					var tok string
					var err error
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						tok, err = issue()
					}
					b.StopTimer()
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(len(tok)), "token-bytes")
				})
			}
		})
	}
}
