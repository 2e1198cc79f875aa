package bench

import (
	"testing"
)

// BenchmarkVerify verifies the fixture's access token: typedjwt (every
// default check on, plus iss and aud), golang-jwt v5 ParseWithClaims, jwx v2
// jwt.Parse, and the standard-library floor, for each algorithm. Each side
// verifies a token it minted itself with the same claims; the token-bytes
// metric records its size.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range algs {
		b.Run(alg, func(b *testing.B) {
			for _, s := range inOrder(sides[alg]()) {
				b.Run(s.name, func(b *testing.B) { benchVerify(b, s) })
			}
		})
	}
}

// BenchmarkVerifySize is BenchmarkVerify for HS256 tokens of other sizes:
// the fixture with 1, 10 and 100 roles, and with as many roles as fit in a
// 4 KiB token (see sizes), for typedjwt, golang-jwt and the floor.
func BenchmarkVerifySize(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			for _, s := range inOrder(sizedSides[sz.name]()) {
				b.Run(s.name, func(b *testing.B) { benchVerify(b, s) })
			}
		})
	}
}

// benchVerify times s verifying a token it minted.
func benchVerify(b *testing.B, s side) {
	tok := mustToken(b, s)
	verify := s.verify
	var r result
	var err error
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err = verify(tok)
	}
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	checkResult(b, s.name, r, s.roles)
	b.ReportMetric(float64(len(tok)), "token-bytes")
}

// BenchmarkParallelVerify is BenchmarkVerify for HS256 and ES256 under
// b.RunParallel: run it with -cpu=1,2,... to see throughput grow with cores
// (ns/op is wall time per verification across all goroutines).
func BenchmarkParallelVerify(b *testing.B) {
	for _, alg := range []string{"HS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			for _, s := range inOrder(sides[alg]()) {
				if s.name == "jwx" {
					continue
				}
				b.Run(s.name, func(b *testing.B) {
					tok := mustToken(b, s)
					verify := s.verify
					b.ReportAllocs()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						var err error
						for pb.Next() {
							if _, err = verify(tok); err != nil {
								break
							}
						}
						if err != nil {
							b.Error(err)
						}
					})
				})
			}
		})
	}
}
