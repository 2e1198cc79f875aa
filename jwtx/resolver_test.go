package jwtx_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// tenants is a ResolveFunc over a fixed table of issuers, each signing
// with its own key, that counts its calls and records the contexts it
// gave out.
type tenants struct {
	keys map[string]*testutil.Key // by issuer
	fail map[string]error         // issuers whose keys cannot be had
	gate chan struct{}            // when set, each call waits for it

	mu    sync.Mutex
	calls map[string]int
	ctxs  map[string]context.Context
}

func newTenants(tb testing.TB, issuers ...string) *tenants {
	tn := &tenants{keys: map[string]*testutil.Key{}, fail: map[string]error{}, calls: map[string]int{}, ctxs: map[string]context.Context{}}
	for _, iss := range issuers {
		tn.keys[iss] = testutil.NewKey(tb, jwtx.ES256, testutil.WithSeed(iss), testutil.WithKeyID("k1"))
	}
	return tn
}

func (tn *tenants) resolve(ctx context.Context, iss string) (jwtx.TrustedIssuer, error) {
	tn.mu.Lock()
	tn.calls[iss]++
	tn.ctxs[iss] = ctx
	tn.mu.Unlock()
	if tn.gate != nil {
		<-tn.gate
	}
	if err := tn.fail[iss]; err != nil {
		return jwtx.TrustedIssuer{}, err
	}
	k, ok := tn.keys[iss]
	if !ok {
		return jwtx.TrustedIssuer{}, fmt.Errorf("tenant lookup: %w", jwtx.ErrIssuer)
	}
	return jwtx.TrustedIssuer{Issuer: iss, Keys: k.Public(), Audience: []string{"api"}}, nil
}

func (tn *tenants) count(iss string) int {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return tn.calls[iss]
}

func (tn *tenants) ctx(iss string) context.Context {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return tn.ctxs[iss]
}

// token signs an access token of iss with the key of signer.
func (tn *tenants) token(tb testing.TB, signer, iss string) string {
	tb.Helper()
	k := tn.keys[signer]
	if k == nil {
		k = testutil.NewKey(tb, jwtx.ES256, testutil.WithSeed("stranger"), testutil.WithKeyID("k1"))
	}
	return testutil.Sign(tb, k, `{"alg":"ES256","kid":"k1","typ":"at+jwt"}`, accessClaims(iss, "api"))
}

func newResolverVerifier(tb testing.TB, tn *tenants, clock jwtx.Clock, opts ...jwtx.ResolverOption) (*jwtx.IssuerResolver, *jwtx.Verifier[jwtx.NoUser, jwtx.AccessTokenClaims]) {
	tb.Helper()
	r, err := jwtx.NewIssuerResolver(context.Background(), tn.resolve, append([]jwtx.ResolverOption{jwtx.WithClock(clock)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(r.Close)
	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](r, jwtx.WithAccessTokenProfile(), jwtx.WithClock(testutil.NewClock(idpEpoch)))
	if err != nil {
		tb.Fatal(err)
	}
	return r, ver
}

func TestIssuerResolver(t *testing.T) {
	t.Parallel()
	const a, b = "https://a.test", "https://b.test"
	tn := newTenants(t, a, b)
	r, ver := newResolverVerifier(t, tn, testutil.NewClock(idpEpoch))
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		signer  string
		iss     string
		wantErr error
	}{
		{name: "tenant a", signer: a, iss: a},
		{name: "tenant a again", signer: a, iss: a},
		{name: "tenant b", signer: b, iss: b},
		{name: "a's key claiming b", signer: a, iss: b, wantErr: jwtx.ErrSignature},
		{name: "unknown tenant", signer: "", iss: "https://evil.test", wantErr: jwtx.ErrIssuer},
		{name: "unknown tenant again", signer: "", iss: "https://evil.test", wantErr: jwtx.ErrIssuer},
	} {
		_, _, err := ver.Verify(ctx, tn.token(t, tc.signer, tc.iss))
		if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
			t.Errorf("%s: Verify() error (-want +got):\n%s", tc.name, diff)
		}
	}
	// Accepted issuers are asked about once; refusals each time, and never kept.
	if diff := cmp.Diff(map[string]int{a: 1, b: 1, "https://evil.test": 2}, tn.calls); diff != "" {
		t.Errorf("ResolveFunc calls (-want +got):\n%s", diff)
	}
	if r.Len() != 2 {
		t.Errorf("Len() = %d, want 2", r.Len())
	}
}

// Tokens of one issuer arriving together wait for one call of the
// ResolveFunc.
func TestIssuerResolverSingleFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const a = "https://a.test"
		tn := newTenants(t, a)
		tn.gate = make(chan struct{})
		_, ver := newResolverVerifier(t, tn, testutil.NewClock(idpEpoch))
		tok := tn.token(t, a, a)
		errs := make(chan error, 8)
		for range 8 {
			go func() { _, _, err := ver.Verify(context.Background(), tok); errs <- err }()
		}
		synctest.Wait()
		close(tn.gate)
		for range 8 {
			if err := <-errs; err != nil {
				t.Errorf("Verify() = %v", err)
			}
		}
		if got := tn.count(a); got != 1 {
			t.Errorf("ResolveFunc calls = %d, want 1", got)
		}
	})
}

// A failure of an accepted issuer is kept for the retry time, then asked
// again; meanwhile its tokens fail with ErrJWKS.
func TestIssuerResolverRetry(t *testing.T) {
	t.Parallel()
	for name, failure := range map[string]error{
		"provider down": errors.New("provider down"),
		// DiscoverKeySet's error when the metadata names another issuer:
		// an accepted issuer's failure, not a refusal, so it is kept and
		// does not cost a fetch per token.
		"metadata names another issuer": fmt.Errorf("%w: %w: discovery: the metadata names another issuer", jwtx.ErrJWKS, jwtx.ErrIssuer),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resolverRetry(t, failure)
		})
	}
}

func resolverRetry(t *testing.T, failure error) {
	const a = "https://a.test"
	tn := newTenants(t, a)
	tn.fail[a] = failure
	clock := testutil.NewClock(idpEpoch)
	_, ver := newResolverVerifier(t, tn, clock, jwtx.WithResolveRetry(time.Minute))
	tok := tn.token(t, a, a)
	for _, step := range []struct {
		advance   time.Duration
		fix       bool
		wantErr   error
		wantCalls int
	}{
		{wantErr: jwtx.ErrJWKS, wantCalls: 1},
		{advance: time.Minute - time.Second, wantErr: jwtx.ErrJWKS, wantCalls: 1},
		{advance: time.Second, wantErr: jwtx.ErrJWKS, wantCalls: 2},
		{advance: time.Minute, fix: true, wantCalls: 3},
		{advance: time.Hour, wantCalls: 3},
	} {
		clock.Advance(step.advance)
		if step.fix {
			delete(tn.fail, a)
		}
		_, _, err := ver.Verify(context.Background(), tok)
		if diff := cmp.Diff(step.wantErr, err, cmpopts.EquateErrors()); diff != "" {
			t.Errorf("at +%v: Verify() error (-want +got):\n%s", clock.Now().Sub(idpEpoch), diff)
		}
		if got := tn.count(a); got != step.wantCalls {
			t.Errorf("at +%v: ResolveFunc calls = %d, want %d", clock.Now().Sub(idpEpoch), got, step.wantCalls)
		}
	}
}

// The resolver keeps at most WithMaxIssuers issuers; the least recently
// used goes, and its context ends so that its key set stops refreshing.
func TestIssuerResolverBound(t *testing.T) {
	t.Parallel()
	const a, b, c = "https://a.test", "https://b.test", "https://c.test"
	tn := newTenants(t, a, b, c)
	r, ver := newResolverVerifier(t, tn, testutil.NewClock(idpEpoch), jwtx.WithMaxIssuers(2))
	for _, iss := range []string{a, b, a, c} { // b is the least recently used when c comes
		if _, _, err := ver.Verify(context.Background(), tn.token(t, iss, iss)); err != nil {
			t.Fatalf("Verify(%s) = %v", iss, err)
		}
	}
	if r.Len() != 2 {
		t.Errorf("Len() = %d, want 2", r.Len())
	}
	if tn.ctx(b).Err() == nil {
		t.Errorf("the evicted issuer's context is still live")
	}
	if tn.ctx(a).Err() != nil || tn.ctx(c).Err() != nil {
		t.Errorf("a kept issuer's context ended")
	}
	if _, _, err := ver.Verify(context.Background(), tn.token(t, b, b)); err != nil {
		t.Errorf("Verify(b after eviction) = %v", err)
	}
	if got := tn.count(b); got != 2 {
		t.Errorf("ResolveFunc calls for b = %d, want 2", got)
	}
	r.Close()
	if tn.ctx(a).Err() == nil {
		t.Errorf("Close left a context live")
	}
}

func TestIssuerResolverConfig(t *testing.T) {
	t.Parallel()
	resolve := func(context.Context, string) (jwtx.TrustedIssuer, error) { return jwtx.TrustedIssuer{}, nil }
	for _, tc := range []struct {
		name    string
		resolve jwtx.ResolveFunc
		opts    []jwtx.ResolverOption
	}{
		{name: "nil func"},
		{name: "no room", resolve: resolve, opts: []jwtx.ResolverOption{jwtx.WithMaxIssuers(0)}},
		{name: "no retry time", resolve: resolve, opts: []jwtx.ResolverOption{jwtx.WithResolveRetry(0)}},
	} {
		if _, err := jwtx.NewIssuerResolver(context.Background(), tc.resolve, tc.opts...); !errors.Is(err, jwtx.ErrConfig) {
			t.Errorf("%s: NewIssuerResolver() = %v, want ErrConfig", tc.name, err)
		}
	}
	// A ResolveFunc answering for another issuer is a configuration error.
	r, err := jwtx.NewIssuerResolver(context.Background(), func(_ context.Context, iss string) (jwtx.TrustedIssuer, error) {
		return jwtx.TrustedIssuer{Issuer: iss + "/", Keys: testutil.NewKey(t, jwtx.ES256).Public(), Audience: []string{"api"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](r, jwtx.WithAccessTokenProfile())
	if err != nil {
		t.Fatal(err)
	}
	tok := testutil.Sign(t, testutil.NewKey(t, jwtx.ES256), `{"alg":"ES256","typ":"at+jwt"}`, accessClaims("https://a.test", "api"))
	if _, _, err := ver.Verify(context.Background(), tok); !errors.Is(err, jwtx.ErrConfig) {
		t.Errorf("Verify() = %v, want ErrConfig", err)
	}
}

// Forged tokens naming issuers the ResolveFunc refuses take no place in
// the cache, so however many there are they evict no tenant. (Found by
// the test against a real provider: a refused issuer being resolved used
// to count against the bound and evict the least recently used tenant.)
func TestIssuerResolverRefusalsEvictNothing(t *testing.T) {
	t.Parallel()
	const a, b = "https://a.test", "https://b.test"
	tn := newTenants(t, a, b)
	r, ver := newResolverVerifier(t, tn, testutil.NewClock(idpEpoch), jwtx.WithMaxIssuers(2))
	for _, iss := range []string{a, b} {
		if _, _, err := ver.Verify(context.Background(), tn.token(t, iss, iss)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		iss := fmt.Sprintf("https://evil-%d.test", i)
		if _, _, err := ver.Verify(context.Background(), tn.token(t, "", iss)); !errors.Is(err, jwtx.ErrIssuer) {
			t.Fatalf("Verify(%s) = %v, want ErrIssuer", iss, err)
		}
	}
	if r.Len() != 2 || tn.ctx(a).Err() != nil || tn.ctx(b).Err() != nil {
		t.Errorf("after refusals: Len() = %d, contexts a %v, b %v; want 2 issuers, both live", r.Len(), tn.ctx(a).Err(), tn.ctx(b).Err())
	}
	for _, iss := range []string{a, b} {
		if _, _, err := ver.Verify(context.Background(), tn.token(t, iss, iss)); err != nil || tn.count(iss) != 1 {
			t.Errorf("Verify(%s) = %v after %d calls, want nil after 1", iss, err, tn.count(iss))
		}
	}
}
