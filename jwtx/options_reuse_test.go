package jwtx_test

import (
	"sync"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestOptionsAreReusable builds Issuers and Verifiers from one set of
// option values at once (run with -race): an option never writes to what
// it captured, so applying it again, or concurrently, changes nothing.
func TestOptionsAreReusable(t *testing.T) {
	t.Parallel()
	key := testutil.NewKey(t, jwtx.HS256)
	shared := []jwtx.Option{
		jwtx.WithHeaderTypes("application/at+jwt", "application/refresh+jwt"),
		jwtx.WithIssuer("https://id.test"), jwtx.WithAudience("api", "web"),
		jwtx.WithClock(testutil.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))),
		jwtx.WithExpiryRequired(true), jwtx.FlaskCompat(),
	}
	var issOpts []jwtx.IssuerOption
	var verOpts []jwtx.VerifierOption
	for _, o := range shared {
		issOpts, verOpts = append(issOpts, o), append(verOpts, o)
	}
	verOpts = append(verOpts, jwtx.WithLeeway(time.Minute), jwtx.WithAlgorithms(jwtx.HS256))
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key.Private(), issOpts...)
			if err != nil {
				t.Error(err)
				return
			}
			ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](key.Public(), verOpts...)
			if err != nil {
				t.Error(err)
				return
			}
			tok, err := iss.Access(t.Context(), "alice")
			if err != nil {
				t.Error(err)
				return
			}
			if _, _, err := ver.Verify(t.Context(), tok.Raw); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
	wg.Wait()
}
