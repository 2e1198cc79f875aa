package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// BenchmarkKeySet verifies an HS256 token against a jwtx.KeySet of 1, 10
// and 100 keys, selected by kid (a map lookup): the cost should not grow
// with the number of keys. Every kid has the same length, and the token is
// signed by the last key of the set.
func BenchmarkKeySet(b *testing.B) {
	for _, n := range inOrder([]int{1, 10, 100}) {
		b.Run("keys="+strconv.Itoa(n), func(b *testing.B) {
			set := make([]*jwtx.Key, n)
			for i := range set {
				k, err := jwtx.NewKey(jwtx.HS256, hmacSecret(i), jwtx.WithKeyID(fmt.Sprintf("key-%03d", i)))
				if err != nil {
					b.Fatal(err)
				}
				set[i] = k
			}
			ks, err := jwtx.NewKeySet(set...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			tok, err := newTypedjwtIssuer(set[n-1], fxRoles).Access(ctx, fxSubject)
			if err != nil {
				b.Fatal(err)
			}
			ver := newTypedjwtVerifier(ks)
			var c Claims
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				c, _, err = ver.Verify(ctx, tok.Raw)
			}
			b.StopTimer()
			if err != nil || c.Tenant != fxTenant {
				b.Fatalf("Verify: %v", err)
			}
		})
	}
}

// hugeToken is a 1 MiB string shaped like a token.
func hugeToken() string {
	const size = 1 << 20
	var sb strings.Builder
	sb.Grow(size)
	sb.WriteString("eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.")
	sb.WriteString(strings.Repeat("A", size-sb.Len()-44))
	sb.WriteString(".")
	sb.WriteString(strings.Repeat("A", 43))
	return sb.String()
}

// BenchmarkTooLarge offers a 1 MiB token. typedjwt must refuse it with
// ErrTooLarge before decoding anything: in nanoseconds, with no allocation.
// The httpx row sends it through the middleware in the Authorization
// header, where the header is scanned before the verifier sees the token.
func BenchmarkTooLarge(b *testing.B) {
	huge := hugeToken()
	ctx := context.Background()
	ver := newTypedjwtVerifier(typedjwtKey(keys["HS256"]()))

	b.Run("typedjwt", func(b *testing.B) {
		if _, _, err := ver.Verify(ctx, huge); !errors.Is(err, jwtx.ErrTooLarge) {
			b.Fatalf("Verify(1 MiB) = %v, want ErrTooLarge", err)
		}
		var err error
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			_, _, err = ver.Verify(ctx, huge)
		}
		b.StopTimer()
		if !errors.Is(err, jwtx.ErrTooLarge) {
			b.Fatal(err)
		}
	})

	b.Run("httpx", func(b *testing.B) {
		auth, err := httpx.New(ver)
		if err != nil {
			b.Fatal(err)
		}
		h := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}))
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		req.Header.Set("Authorization", "Bearer "+huge)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			b.Fatalf("status %d, want 401", rec.Code)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
		}
	})
}
