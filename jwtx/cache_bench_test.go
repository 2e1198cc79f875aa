package jwtx_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// BenchmarkUserLoading verifies tokens of a fixed set of users from many
// goroutines and reports loader calls per request ("loads/req"), with the
// loader called directly and through a UserCache. With the cache the
// loader runs at most once per user per TTL whatever the request rate: the
// clock is fixed, so once per user in all.
func BenchmarkUserLoading(b *testing.B) {
	const users = 100
	ctx := context.Background()
	key := hsKey(b)
	clock := jwtx.WithClock(testutil.NewClock(issuedAt))
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, clock)
	if err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, users)
	for i := range tokens {
		tok, err := iss.Access(ctx, fmt.Sprintf("user-%d", i))
		if err != nil {
			b.Fatal(err)
		}
		tokens[i] = tok.Raw
	}
	for _, cached := range []bool{false, true} {
		b.Run(fmt.Sprintf("cache=%v", cached), func(b *testing.B) {
			var loads atomic.Int64
			loader := jwtx.UserLoader[User](func(_ context.Context, sub string) (User, error) {
				loads.Add(1)
				return User{Name: sub}, nil
			})
			if cached {
				cache, err := jwtx.NewUserCache(loader, jwtx.WithClock(testutil.NewClock(issuedAt)), jwtx.WithCacheTTL(time.Minute))
				if err != nil {
					b.Fatal(err)
				}
				loader = cache.Load
			}
			ver, err := jwtx.NewVerifier[User, jwtx.RegisteredClaims](key, clock, jwtx.WithUserLoader(loader))
			if err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					tok := tokens[next.Add(1)%users]
					if _, _, err := ver.Verify(ctx, tok); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(loads.Load())/float64(b.N), "loads/req")
		})
	}
}
