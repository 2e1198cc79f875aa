package httpx_test

// Attack catalogue D6: JWKS retrieval hardening.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// atkProvider is an identity provider: a key ring whose public half an
// endpoint serves through httpx.JWKSHandler, and an issuer signing with its
// active key. Everything reads one clock.
type atkProvider struct {
	clock *testutil.Clock
	ring  *jwtx.KeyRing
	iss   *jwtx.Issuer[User, Claims]
}

func atkNewProvider(tb testing.TB) *atkProvider {
	tb.Helper()
	p := &atkProvider{clock: testutil.NewClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))}
	ring, err := jwtx.NewKeyRing(atkES256(tb, "k1"), jwtx.WithClock(p.clock))
	if err != nil {
		tb.Fatalf("NewKeyRing: %v", err)
	}
	p.ring = ring
	p.iss = atkIssuer(tb, ring, p.clock)
	return p
}

// atkES256 returns a signing key of the test's own with kid.
func atkES256(tb testing.TB, kid string) *jwtx.Key {
	tb.Helper()
	return testutil.NewKey(tb, jwtx.ES256, testutil.WithSeed(tb.Name()+"/"+kid), testutil.WithKeyID(kid)).Private()
}

// atkIssuer builds an issuer of the tests' User and Claims on key, which
// may be a key ring and so cannot come from testutil.NewEnv.
func atkIssuer(tb testing.TB, key jwtx.SigningKey, clock *testutil.Clock) *jwtx.Issuer[User, Claims] {
	tb.Helper()
	iss, err := jwtx.NewIssuer[User, Claims](key, jwtx.WithClock(clock), jwtx.WithIdentity(userID))
	if err != nil {
		tb.Fatalf("NewIssuer: %v", err)
	}
	return iss
}

// atkToken issues alice's access token with iss.
func atkToken(tb testing.TB, iss *jwtx.Issuer[User, Claims]) string {
	tb.Helper()
	tok, err := iss.Access(context.Background(), userOf("alice"))
	if err != nil {
		tb.Fatalf("Access: %v", err)
	}
	return tok.Raw
}

// atkRemoteOpts are the RemoteKeySet options of D6: plain HTTP allowed
// for the loopback test server, the clock of the rate limit, and the
// recording client.
func atkRemoteOpts(p *atkProvider, client *http.Client, extra ...jwtx.RemoteOption) []jwtx.RemoteOption {
	return append([]jwtx.RemoteOption{
		jwtx.WithJWKSAllowHTTP(true),
		jwtx.WithClock(p.clock),
		jwtx.WithJWKSHTTPClient(client),
	}, extra...)
}

// atkRemoteMux serves GET /me, protected by a Verifier whose keys come
// from rks, which testutil.NewEnv cannot take.
func atkRemoteMux(tb testing.TB, rks *jwtx.RemoteKeySet, clock *testutil.Clock) *http.ServeMux {
	tb.Helper()
	ver, err := jwtx.NewVerifier[User, Claims](rks, jwtx.WithClock(clock),
		jwtx.WithUserLoader(func(_ context.Context, sub string) (User, error) {
			if u, ok := testUsers()[sub]; ok {
				return u, nil
			}
			return User{}, jwtx.ErrUserNotFound
		}))
	if err != nil {
		tb.Fatalf("NewVerifier: %v", err)
	}
	a, err := httpx.New(ver)
	if err != nil {
		tb.Fatalf("httpx.New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /me", a.Required(http.HandlerFunc(whoami)))
	return mux
}

// atkCheckMe checks the answer to GET /me with tok.
func atkCheckMe(tb testing.TB, mux http.Handler, tok string, want result) {
	tb.Helper()
	if diff := cmp.Diff(want, do(tb, mux, newRequest(http.MethodGet, "/me", nil, bearer(tok)))); diff != "" {
		tb.Errorf("GET /me (-want +got):\n%s", diff)
	}
}

// atkJWKSDoc returns a JWK Set document holding the keys of src and the
// extra JWK texts.
func atkJWKSDoc(tb testing.TB, src jwtx.PublicKeySource, extra ...string) string {
	tb.Helper()
	doc, err := src.PublicJWKS()
	if err != nil {
		tb.Fatalf("PublicJWKS: %v", err)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		tb.Fatalf("JWKS: %v", err)
	}
	var keys []string
	for _, k := range set.Keys {
		keys = append(keys, string(k))
	}
	return `{"keys":[` + strings.Join(append(keys, extra...), ",") + `]}`
}

// D6 covers JWKS retrieval through jwtx.NewRemoteKeySet against loopback
// servers. http:// is refused unless WithJWKSAllowHTTP allows it; a
// redirect to another origin (the metadata service) is refused without
// being followed; size and time are capped; use "enc" and oct keys are
// dropped, and a set with nothing else is refused; invalid JSON and HTTP
// 500 fail the fetch and keep the last good keys (Health reports it);
// after a rotation new kids are picked up and removed ones stop verifying;
// a flood of unknown kids causes one fetch.
//
// Gap, not tested as a failure because the library offers no bound to
// configure: after failed fetches the last good keys are kept
// indefinitely, not "for a bounded time, then fail closed"; Health()
// exposes the age of the keys for alerting. See SECURITY.md.

// TestJWKSNeedsHTTPS covers D6: http:// is refused, without a request,
// unless WithJWKSAllowHTTP allows it; https:// works.
func TestJWKSNeedsHTTPS(t *testing.T) {
	t.Parallel()
	t.Run("D6/http-refused-without-WithJWKSAllowHTTP", func(t *testing.T) {
		t.Parallel()
		p := atkNewProvider(t)
		ep := atkStartEndpoint(t, false, httpx.JWKSHandler(p.ring, time.Minute))
		rks, err := jwtx.NewRemoteKeySet(t.Context(), ep.url())
		if !errors.Is(err, jwtx.ErrConfig) || rks != nil {
			t.Errorf("NewRemoteKeySet(http://) = %v, %v; want nil, an error wrapping %v", rks, err, jwtx.ErrConfig)
		}
		if n := ep.hits.Load(); n != 0 {
			t.Errorf("the endpoint received %d requests, want 0", n)
		}
	})

	t.Run("D6/https-accepted", func(t *testing.T) {
		t.Parallel()
		p := atkNewProvider(t)
		ep := atkStartEndpoint(t, true, httpx.JWKSHandler(p.ring, time.Minute))
		rks, err := jwtx.NewRemoteKeySet(t.Context(), ep.url(), jwtx.WithJWKSHTTPClient(ep.srv.Client()))
		if err != nil {
			t.Fatalf("NewRemoteKeySet(https://) = %v", err)
		}
		atkCheckMe(t, atkRemoteMux(t, rks, p.clock), atkToken(t, p.iss), okAs("alice", "Alice"))
	})
}

// atkFailure is an endpoint that fails a fetch, and the RemoteKeySet
// options it needs.
type atkFailure struct {
	name    string
	respond func(t *testing.T, p *atkProvider) http.Handler
	opts    []jwtx.RemoteOption
}

// atkFailures are the failing endpoints of D6: a redirect to the metadata
// service, 100 MiB bodies, a stalled body, invalid JSON and HTTP 500.
// Each gets the body of its own when it fails the first fetch.
func atkFailures(firstFetch bool) []atkFailure {
	fixed := func(h http.Handler) func(*testing.T, *atkProvider) http.Handler {
		return func(*testing.T, *atkProvider) http.Handler { return h }
	}
	huge := func(withLength bool) func(*testing.T, *atkProvider) http.Handler {
		return func(t *testing.T, p *atkProvider) http.Handler { return atkHuge(atkJWKSDoc(t, p.ring), withLength) }
	}
	// dribble stalls until the test ends; the client's timeout must end
	// the fetch first.
	dribble := func(t *testing.T, _ *atkProvider) http.Handler {
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		return atkDribble(release)
	}
	short := []jwtx.RemoteOption{jwtx.WithJWKSTimeout(100 * time.Millisecond)}
	invalidJSON, status500 := "not json", ""
	if firstFetch {
		invalidJSON, status500 = `{"keys":[{"kty":"EC",`, `{"keys":[]}`
	}
	return []atkFailure{
		{name: "D6/redirect-to-169.254.169.254", respond: fixed(http.RedirectHandler("http://169.254.169.254/latest/meta-data/", http.StatusFound))},
		{name: "D6/100-MiB-JSON-chunked", respond: huge(false)},
		{name: "D6/100-MiB-JSON-Content-Length", respond: huge(true)},
		{name: "D6/dribbling-1-byte-then-stalling", respond: dribble, opts: short},
		{name: "D6/invalid-JSON", respond: fixed(atkFixed(http.StatusOK, invalidJSON))},
		{name: "D6/HTTP-500", respond: fixed(atkFixed(http.StatusInternalServerError, status500))},
	}
}

// TestJWKSFailedFirstFetch covers D6: endpoints that fail at the first
// fetch leave no RemoteKeySet, nothing trusted, and no request to any
// host but the endpoint.
func TestJWKSFailedFirstFetch(t *testing.T) {
	t.Parallel()
	failures := append(atkFailures(true), atkFailure{name: "D6/only-use-enc-and-oct-keys", respond: func(t *testing.T, _ *atkProvider) http.Handler {
		return atkFixed(http.StatusOK, atkJWKSDoc(t, atkPublicOnly{}, atkEncJWK(t), atkOctJWK(t)))
	}})
	for _, tc := range failures {
		t.Run(tc.name+"/first-fetch", func(t *testing.T) {
			t.Parallel()
			p := atkNewProvider(t)
			ep := atkStartEndpoint(t, false, http.NotFoundHandler())
			ep.set(tc.respond(t, p))
			client, tr := atkClientFor(ep)
			rks, err := jwtx.NewRemoteKeySet(t.Context(), ep.url(), atkRemoteOpts(p, client, tc.opts...)...)
			if !errors.Is(err, jwtx.ErrJWKS) || rks != nil {
				t.Errorf("NewRemoteKeySet() = %v, %v; want nil, an error wrapping %v", rks, err, jwtx.ErrJWKS)
			}
			if diff := cmp.Diff([]string{tr.allowed}, tr.seen()); diff != "" {
				t.Errorf("outbound requests by host (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJWKSFailedRefreshKeepsKeys covers D6: the same failures after a good
// start fail Refresh, the keys fetched before keep verifying, and Health
// says so.
func TestJWKSFailedRefreshKeepsKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range atkFailures(false) {
		t.Run(tc.name+"/after-good-start", func(t *testing.T) {
			t.Parallel()
			p := atkNewProvider(t)
			start := p.clock.Now()
			ep := atkStartEndpoint(t, false, httpx.JWKSHandler(p.ring, time.Minute))
			client, tr := atkClientFor(ep)
			rks, err := jwtx.NewRemoteKeySet(t.Context(), ep.url(), atkRemoteOpts(p, client, tc.opts...)...)
			if err != nil {
				t.Fatalf("NewRemoteKeySet() = %v", err)
			}
			mux := atkRemoteMux(t, rks, p.clock)
			tok := atkToken(t, p.iss)
			atkCheckMe(t, mux, tok, okAs("alice", "Alice"))
			p.clock.Advance(time.Minute)
			ep.set(tc.respond(t, p))
			if err := rks.Refresh(context.Background()); !errors.Is(err, jwtx.ErrJWKS) {
				t.Errorf("Refresh() = %v, want an error wrapping %v", err, jwtx.ErrJWKS)
			}
			last, err := rks.Health()
			if !errors.Is(err, jwtx.ErrJWKS) || !last.Equal(start) {
				t.Errorf("Health() = %v, %v; want %v, an error wrapping %v", last, err, start, jwtx.ErrJWKS)
			}
			atkCheckMe(t, mux, tok, okAs("alice", "Alice"))
			if diff := cmp.Diff([]string{tr.allowed, tr.allowed}, tr.seen()); diff != "" {
				t.Errorf("outbound requests by host (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJWKSDropsUnusableKeys covers D6: keys for "enc" and symmetric keys
// in a published set are dropped, and tokens they signed are refused.
func TestJWKSDropsUnusableKeys(t *testing.T) {
	t.Parallel()
	t.Run("D6/use-enc-and-oct-keys-dropped", func(t *testing.T) {
		t.Parallel()
		p := atkNewProvider(t)
		ep := atkStartEndpoint(t, false, atkFixed(http.StatusOK, atkJWKSDoc(t, p.ring, atkEncJWK(t), atkOctJWK(t))))
		client, _ := atkClientFor(ep)
		rks, err := jwtx.NewRemoteKeySet(t.Context(), ep.url(), atkRemoteOpts(p, client)...)
		if err != nil {
			t.Fatalf("NewRemoteKeySet() = %v", err)
		}
		if got := rks.Keys().Len(); got != 1 {
			t.Errorf("Keys().Len() = %d, want 1", got)
		}
		mux := atkRemoteMux(t, rks, p.clock)
		atkCheckMe(t, mux, atkToken(t, p.iss), okAs("alice", "Alice"))
		atkCheckMe(t, mux, atkToken(t, atkIssuer(t, atkES256(t, "enc"), p.clock)), refusedToken("invalid token"))
		atkCheckMe(t, mux, atkToken(t, atkIssuer(t, atkOctKey(t).Private(), p.clock)), refusedToken("invalid token"))
	})
}

// TestRemoteKeySetFollowsRotation covers D6: after a rotation the new kid
// is fetched, and the removed one no longer verifies.
func TestRemoteKeySetFollowsRotation(t *testing.T) {
	t.Parallel()
	t.Run("D6/rotation", func(t *testing.T) {
		t.Parallel()
		p := atkNewProvider(t)
		ep := atkStartEndpoint(t, false, httpx.JWKSHandler(p.ring, time.Minute))
		client, _ := atkClientFor(ep)
		rks, err := jwtx.NewRemoteKeySet(t.Context(), ep.url(), atkRemoteOpts(p, client)...)
		if err != nil {
			t.Fatalf("NewRemoteKeySet() = %v", err)
		}
		mux := atkRemoteMux(t, rks, p.clock)
		old := atkToken(t, p.iss)
		atkCheckMe(t, mux, old, okAs("alice", "Alice"))
		// k2 replaces k1, which leaves the published set at once.
		if err := p.ring.Rotate(atkES256(t, "k2"), 0); err != nil {
			t.Fatal(err)
		}
		atkCheckMe(t, mux, atkToken(t, p.iss), okAs("alice", "Alice")) // the new kid is fetched
		atkCheckMe(t, mux, old, refusedToken("invalid token"))         // the removed kid no longer verifies
		if n := ep.hits.Load(); n != 2 {
			t.Errorf("JWKS fetches = %d, want 2", n)
		}
	})
}

// TestUnknownKIDFloodFetchesOnce covers D6: fifty tokens with random
// unknown kids at once cause one fetch.
func TestUnknownKIDFloodFetchesOnce(t *testing.T) {
	t.Parallel()
	t.Run("D6/unknown-kid-flood-one-fetch", func(t *testing.T) {
		t.Parallel()
		p := atkNewProvider(t)
		ep := atkStartEndpoint(t, false, httpx.JWKSHandler(p.ring, time.Minute))
		client, _ := atkClientFor(ep)
		rks, err := jwtx.NewRemoteKeySet(t.Context(), ep.url(), atkRemoteOpts(p, client)...)
		if err != nil {
			t.Fatalf("NewRemoteKeySet() = %v", err)
		}
		mux := atkRemoteMux(t, rks, p.clock)
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				kid := make([]byte, 12)
				rand.Read(kid)
				h := `{"alg":"ES256","typ":"at+jwt","kid":"` + base64.RawURLEncoding.EncodeToString(kid) + `"}`
				tok := testutil.Compact(h, `{"sub":"alice","type":"access"}`, []byte(strings.Repeat("\x01", 64)))
				rec := testutil.Serve(mux, newRequest(http.MethodGet, "/me", nil, bearer(tok)))
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("request %d: status %d, want 401", i, rec.Code)
				}
			})
		}
		wg.Wait()
		if n := ep.hits.Load(); n != 2 {
			t.Errorf("JWKS fetches = %d, want 2 (start, then one for all unknown kids)", n)
		}
	})
}

// atkPublicOnly is a PublicKeySource with no keys.
type atkPublicOnly struct{}

func (atkPublicOnly) PublicJWKS() ([]byte, error) { return []byte(`{"keys":[]}`), nil }

// atkEncJWK is the public JWK of atkES256("enc") marked "use":"enc".
func atkEncJWK(tb testing.TB) string {
	tb.Helper()
	b, err := atkES256(tb, "enc").PublicJWK()
	if err != nil {
		tb.Fatal(err)
	}
	s := strings.Replace(string(b), `"use":"sig"`, `"use":"enc"`, 1)
	if !strings.Contains(s, `"use":"enc"`) {
		tb.Fatalf("JWK %s has no use", b)
	}
	return s
}

// atkOctKey is a symmetric key with kid "oct".
func atkOctKey(tb testing.TB) *testutil.Key {
	tb.Helper()
	return testutil.NewKey(tb, jwtx.HS256, testutil.WithSeed("atk-oct"), testutil.WithKeyID("oct"))
}

// atkOctJWK is the JWK of atkOctKey, which a public key set must never
// carry.
func atkOctJWK(tb testing.TB) string {
	tb.Helper()
	return `{"kty":"oct","kid":"oct","alg":"HS256","use":"sig","k":"` + base64.RawURLEncoding.EncodeToString(atkOctKey(tb).Secret()) + `"}`
}
