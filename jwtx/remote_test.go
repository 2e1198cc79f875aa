package jwtx_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// remoteJWKSPath is where the test servers publish their key set.
const remoteJWKSPath = "/.well-known/jwks.json"

// remoteEndpoint is a JWKS endpoint under the test's control: it answers
// with respond, which the test swaps to rotate keys or misbehave, and
// counts every request it receives.
type remoteEndpoint struct {
	fetches atomic.Int64
	mu      sync.Mutex
	respond http.HandlerFunc
}

func (e *remoteEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.fetches.Add(1)
	e.mu.Lock()
	respond := e.respond
	e.mu.Unlock()
	respond(w, r)
}

// set makes the endpoint answer with respond from now on.
func (e *remoteEndpoint) set(respond http.HandlerFunc) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.respond = respond
}

// count returns the number of requests received so far.
func (e *remoteEndpoint) count() int64 { return e.fetches.Load() }

// remoteServer is a remoteEndpoint behind a real httptest server.
type remoteServer struct {
	*remoteEndpoint
	srv *httptest.Server
}

// url returns the JWKS URL of the server.
func (s *remoteServer) url() string { return s.srv.URL + remoteJWKSPath }

// remoteStart starts an HTTP server (HTTPS with tls) on loopback that
// publishes src, closed when the test ends.
func remoteStart(tb testing.TB, src jwtx.PublicKeySource, tls bool) *remoteServer {
	tb.Helper()
	s := &remoteServer{remoteEndpoint: &remoteEndpoint{respond: remoteJWKS(src)}}
	if tls {
		s.srv = httptest.NewTLSServer(s.remoteEndpoint)
	} else {
		s.srv = httptest.NewServer(s.remoteEndpoint)
	}
	tb.Cleanup(s.srv.Close)
	return s
}

// remoteJWKS answers with the public keys of src.
func remoteJWKS(src jwtx.PublicKeySource) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		doc, err := src.PublicJWKS()
		if err != nil {
			http.Error(w, "no keys", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(doc)
	}
}

// remoteBody answers with a fixed status and body.
func remoteBody(status int, contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		w.Write(body)
	}
}

// remoteChunked answers with body in two flushed halves, so that the
// response has no Content-Length.
func remoteChunked(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		half := len(body) / 2
		w.Write(body[:half])
		w.(http.Flusher).Flush()
		w.Write(body[half:])
	}
}

// remoteBlock answers nothing until release is closed or the client gives
// up: an endpoint that hangs.
func remoteBlock(release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
}

// remoteRedirect answers with a redirect to location.
func remoteRedirect(location string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, location, http.StatusFound)
	}
}

// remoteErrors records what the error handler of a RemoteKeySet is told.
type remoteErrors struct {
	mu   sync.Mutex
	errs []error
}

func (e *remoteErrors) handle(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, err)
}

func (e *remoteErrors) all() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.errs...)
}

// remoteCheckReported checks that the handler was told of want errors
// since from, each wrapping jwtx.ErrJWKS.
func remoteCheckReported(tb testing.TB, errs *remoteErrors, from, want int) {
	tb.Helper()
	got := errs.all()[from:]
	if len(got) != want {
		tb.Errorf("error handler called %d times, want %d: %v", len(got), want, got)
	}
	for _, err := range got {
		if !errors.Is(err, jwtx.ErrJWKS) {
			tb.Errorf("error handler got %v, want an error wrapping %v", err, jwtx.ErrJWKS)
		}
	}
}

// remoteEnv is an issuer with a key ring published by a test server and a
// verifier whose keys come from it through a RemoteKeySet.
type remoteEnv struct {
	clock     *testutil.Clock // the RemoteKeySet's clock: rate limit and Health
	ringClock *testutil.Clock // the key ring's clock: retirement
	ring      *jwtx.KeyRing
	iss       *jwtx.Issuer[User, Claims]
	srv       *remoteServer
	errs      *remoteErrors
	keys      *jwtx.RemoteKeySet
	ver       *jwtx.Verifier[jwtx.NoUser, Claims]
}

// remoteSetup starts the environment with a ring whose active key is
// ES256 "k1". Tokens are issued and verified at ringEpoch.
func remoteSetup(tb testing.TB, opts ...jwtx.RemoteOption) *remoteEnv {
	tb.Helper()
	e := &remoteEnv{clock: testutil.NewClock(ringEpoch), ringClock: testutil.NewClock(ringEpoch), errs: &remoteErrors{}}
	e.ring = ringNew(tb, ringES256(tb, "k1"), e.ringClock)
	e.iss = ringIssuer(tb, e.ring, testutil.NewClock(ringEpoch))
	e.srv = remoteStart(tb, e.ring, false)
	base := []jwtx.RemoteOption{
		jwtx.WithJWKSAllowHTTP(true),
		jwtx.WithClock(e.clock),
		jwtx.WithJWKSErrorHandler(e.errs.handle),
	}
	e.keys = remoteKeySet(tb, e.srv.url(), append(base, opts...)...)
	e.ver = ringVerifier(tb, e.keys, testutil.NewClock(ringEpoch))
	return e
}

// remoteKeySet builds a RemoteKeySet that lives as long as the test.
func remoteKeySet(tb testing.TB, url string, opts ...jwtx.RemoteOption) *jwtx.RemoteKeySet {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	keys, err := jwtx.NewRemoteKeySet(ctx, url, opts...)
	if err != nil {
		tb.Fatalf("NewRemoteKeySet: %v", err)
	}
	return keys
}

// token issues an access token with the ring's active key.
func (e *remoteEnv) token(tb testing.TB) string {
	tb.Helper()
	return ringToken(tb, e.iss)
}

// verify verifies tok with the remote keys.
func (e *remoteEnv) verify(tok string) error { return ringVerify(e.ver, tok) }

// checkFetches checks the number of requests the endpoint has received.
func (e *remoteEnv) checkFetches(tb testing.TB, want int64) {
	tb.Helper()
	if got := e.srv.count(); got != want {
		tb.Errorf("JWKS fetches = %d, want %d", got, want)
	}
}

// checkHealth checks what Health reports: the time of the last success and
// whether the last fetch failed.
func (e *remoteEnv) checkHealth(tb testing.TB, wantOK time.Time, wantFailed bool) {
	tb.Helper()
	ok, err := e.keys.Health()
	if !ok.Equal(wantOK) {
		tb.Errorf("Health() last success = %v, want %v", ok, wantOK)
	}
	switch {
	case wantFailed && !errors.Is(err, jwtx.ErrJWKS):
		tb.Errorf("Health() error = %v, want an error wrapping %v", err, jwtx.ErrJWKS)
	case !wantFailed && err != nil:
		tb.Errorf("Health() error = %v, want nil", err)
	}
}

// remoteClaims is a valid claims payload for tokens forged by hand.
func remoteClaims() string {
	return fmt.Sprintf(`{"sub":"mallory","type":"access","iat":%d,"exp":%d}`,
		ringEpoch.Unix(), ringEpoch.Add(time.Hour).Unix())
}

// remoteHeader is the header of a token forged by hand: alg, kid (none
// when kid is "") and typ, in that order.
func remoteHeader(alg, kid string) string {
	if kid == "" {
		return `{"alg":"` + alg + `","typ":"at+jwt"}`
	}
	return `{"alg":"` + alg + `","kid":"` + kid + `","typ":"at+jwt"}`
}

// remoteSignedBy issues an access token signed with k, however the remote
// set describes k.
func remoteSignedBy(tb testing.TB, k *testutil.Key) string {
	tb.Helper()
	return ringToken(tb, ringIssuer(tb, k.Private(), testutil.NewClock(ringEpoch)))
}

// remoteAttacker returns the attacker's ES256 key under kid: the same key
// whatever the kid, and none the tests publish.
func remoteAttacker(tb testing.TB, kid string) *testutil.Key {
	tb.Helper()
	return testutil.NewKey(tb, jwtx.ES256, testutil.WithSeed("remote attacker"), testutil.WithKeyID(kid))
}

// remoteJWK builds a JWK from raw key material with the given members.
func remoteJWK(tb testing.TB, raw any, members map[string]any) jwk.Key {
	tb.Helper()
	j, err := jwk.FromRaw(raw)
	if err != nil {
		tb.Fatalf("jwk.FromRaw(%T): %v", raw, err)
	}
	for name, v := range members {
		if err := j.Set(name, v); err != nil {
			tb.Fatalf("JWK %s: %v", name, err)
		}
	}
	return j
}

// remoteDoc encodes keys as a JWK Set document.
func remoteDoc(tb testing.TB, keys ...jwk.Key) []byte {
	tb.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		if err := set.AddKey(k); err != nil {
			tb.Fatal(err)
		}
	}
	doc, err := json.Marshal(set)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// remotePublicJWK returns k's public JWK (with kid, alg and use "sig").
func remotePublicJWK(tb testing.TB, k *jwtx.Key) jwk.Key {
	tb.Helper()
	b, err := k.PublicJWK()
	if err != nil {
		tb.Fatal(err)
	}
	j, err := jwk.ParseKey(b)
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

// remotePadded returns a JWKS document of exactly size bytes: doc with
// trailing whitespace.
func remotePadded(tb testing.TB, doc []byte, size int) []byte {
	tb.Helper()
	if len(doc) > size {
		tb.Fatalf("document of %d bytes does not fit in %d", len(doc), size)
	}
	return append(append([]byte(nil), doc...), strings.Repeat(" ", size-len(doc))...)
}

func TestRemoteKeySetFetchedAtStart(t *testing.T) {
	t.Parallel()
	e := remoteSetup(t)
	e.checkFetches(t, 1)
	e.checkHealth(t, ringEpoch, false)
	if got := e.keys.Keys().Len(); got != 1 {
		t.Errorf("Keys().Len() = %d, want 1", got)
	}
	for range 10 {
		if err := e.verify(e.token(t)); err != nil {
			t.Fatalf("Verify() = %v, want nil", err)
		}
	}
	// Tokens of a known kid never cause a fetch.
	e.checkFetches(t, 1)
	remoteCheckReported(t, e.errs, 0, 0)
}

func TestRemoteKeySetURL(t *testing.T) {
	t.Parallel()
	ring := ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch))
	plain := remoteStart(t, ring, false)
	secure := remoteStart(t, ring, true)
	closed := remoteStart(t, ring, false)
	closed.srv.Close()
	for _, tc := range []struct {
		name    string
		url     string
		opts    []jwtx.RemoteOption
		wantErr error
		fetched *remoteServer // the server that must have been fetched once
	}{
		{name: "http refused by default", url: plain.url(), wantErr: jwtx.ErrConfig},
		{name: "http refused explicitly", url: plain.url(), opts: []jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(false)}, wantErr: jwtx.ErrConfig},
		{name: "http allowed", url: plain.url(), opts: []jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true)}, fetched: plain},
		{name: "https with the server's client", url: secure.url(), opts: []jwtx.RemoteOption{jwtx.WithJWKSHTTPClient(secure.srv.Client())}, fetched: secure},
		{name: "https with an untrusted certificate", url: secure.url(), wantErr: jwtx.ErrJWKS},
		{name: "https URL, plain server", url: strings.Replace(plain.url(), "http:", "https:", 1), wantErr: jwtx.ErrJWKS},
		{name: "connection refused", url: closed.url(), opts: []jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true)}, wantErr: jwtx.ErrJWKS},
		{name: "ftp", url: "ftp://127.0.0.1/jwks.json", opts: []jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true)}, wantErr: jwtx.ErrConfig},
		{name: "file", url: "file:///etc/passwd", opts: []jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true)}, wantErr: jwtx.ErrConfig},
		{name: "no host", url: "https:///jwks.json", wantErr: jwtx.ErrConfig},
		{name: "relative", url: "/jwks.json", wantErr: jwtx.ErrConfig},
		{name: "empty", url: "", wantErr: jwtx.ErrConfig},
		{name: "unparsable", url: "https://[::1", wantErr: jwtx.ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Not parallel: the fetch counts of the shared servers are
			// read before and after.
			before := map[*remoteServer]int64{plain: plain.count(), secure: secure.count()}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			keys, err := jwtx.NewRemoteKeySet(ctx, tc.url, tc.opts...)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("NewRemoteKeySet() error mismatch (-want +got):\n%s", diff)
			}
			if err != nil && keys != nil {
				t.Errorf("NewRemoteKeySet() = %v with an error, want nil", keys)
			}
			if errors.Is(tc.wantErr, jwtx.ErrConfig) {
				for s, n := range before {
					if s.count() != n {
						t.Errorf("a refused configuration fetched %s", s.srv.URL)
					}
				}
			}
			if tc.fetched != nil {
				if got := tc.fetched.count() - before[tc.fetched]; got != 1 {
					t.Errorf("JWKS fetches = %d, want 1", got)
				}
				if keys.Keys().Len() != 1 {
					t.Errorf("Keys().Len() = %d, want 1", keys.Keys().Len())
				}
			}
		})
	}
}

func TestRemoteKeySetOptionErrors(t *testing.T) {
	t.Parallel()
	srv := remoteStart(t, ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch)), false)
	for _, tc := range []struct {
		name string
		opt  jwtx.RemoteOption
	}{
		{name: "nil option", opt: nil},
		{name: "nil HTTP client", opt: jwtx.WithJWKSHTTPClient(nil)},
		{name: "refresh interval below 1s", opt: jwtx.WithJWKSRefreshInterval(time.Second - 1)},
		{name: "zero refresh interval", opt: jwtx.WithJWKSRefreshInterval(0)},
		{name: "negative refresh interval", opt: jwtx.WithJWKSRefreshInterval(-time.Minute)},
		{name: "zero minimum refresh interval", opt: jwtx.WithJWKSMinRefreshInterval(0)},
		{name: "negative minimum refresh interval", opt: jwtx.WithJWKSMinRefreshInterval(-time.Second)},
		{name: "zero timeout", opt: jwtx.WithJWKSTimeout(0)},
		{name: "negative timeout", opt: jwtx.WithJWKSTimeout(-time.Second)},
		{name: "zero size limit", opt: jwtx.WithJWKSMaxSize(0)},
		{name: "negative size limit", opt: jwtx.WithJWKSMaxSize(-1)},
		{name: "no algorithms", opt: jwtx.WithJWKSAlgorithms()},
		{name: "nil error handler", opt: jwtx.WithJWKSErrorHandler(nil)},
		{name: "nil clock", opt: jwtx.WithClock(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			keys, err := jwtx.NewRemoteKeySet(t.Context(), srv.url(), jwtx.WithJWKSAllowHTTP(true), tc.opt)
			if !errors.Is(err, jwtx.ErrConfig) {
				t.Errorf("NewRemoteKeySet() error = %v, want %v", err, jwtx.ErrConfig)
			}
			if keys != nil {
				t.Errorf("NewRemoteKeySet() = %v with an error, want nil", keys)
			}
		})
	}
	if n := srv.count(); n != 0 {
		t.Errorf("refused configurations fetched the JWKS %d times", n)
	}
}

// Every refresh interval from 1s up is valid, as documented.
func TestRemoteKeySetRefreshIntervals(t *testing.T) {
	t.Parallel()
	srv := remoteStart(t, ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch)), false)
	for _, d := range []time.Duration{time.Second, time.Minute, 10 * time.Minute, 15 * time.Minute, time.Hour} {
		t.Run(d.String(), func(t *testing.T) {
			t.Parallel()
			_, err := jwtx.NewRemoteKeySet(t.Context(), srv.url(), jwtx.WithJWKSAllowHTTP(true), jwtx.WithJWKSRefreshInterval(d))
			if err != nil {
				t.Errorf("NewRemoteKeySet(WithJWKSRefreshInterval(%v)) = %v, want nil", d, err)
			}
		})
	}
}

// A token with a new kid causes exactly one fetch and verifies; known kids
// cause none; a removed kid stops verifying once a fetch drops it; a second
// rotation within the minimum refresh interval waits for the interval.
func TestRemoteKeySetRotation(t *testing.T) {
	t.Parallel()
	const minRefresh = 30 * time.Second
	e := remoteSetup(t, jwtx.WithJWKSMinRefreshInterval(minRefresh))
	tok1 := e.token(t)
	if err := e.verify(tok1); err != nil {
		t.Fatalf("Verify(k1 token) = %v", err)
	}
	e.checkFetches(t, 1)

	ringRotate(t, e.ring, ringES256(t, "k2"), time.Hour)
	tok2 := e.token(t)
	if err := e.verify(tok2); err != nil {
		t.Fatalf("Verify(k2 token) after rotation = %v", err)
	}
	e.checkFetches(t, 2)
	for _, tok := range []string{tok2, tok1, tok2, tok1} {
		if err := e.verify(tok); err != nil {
			t.Errorf("Verify() = %v, want nil", err)
		}
	}
	e.checkFetches(t, 2)
	if got := e.keys.Keys().Len(); got != 2 {
		t.Errorf("Keys().Len() = %d, want 2", got)
	}

	// k1's retirement ends: the issuer stops publishing it, and the
	// verifier stops accepting it after the next fetch.
	e.ringClock.Advance(time.Hour)
	if err := e.keys.Refresh(context.Background()); err != nil {
		t.Fatalf("Refresh() = %v", err)
	}
	e.checkFetches(t, 3)
	if err := e.verify(tok1); !errors.Is(err, jwtx.ErrKeyNotFound) {
		t.Errorf("Verify(k1 token) after k1 was removed = %v, want %v", err, jwtx.ErrKeyNotFound)
	}
	// That unknown kid was within the minimum refresh interval of the
	// fetch for k2, so it caused no fetch.
	e.checkFetches(t, 3)

	// A second rotation within the interval is not seen until it passes.
	ringRotate(t, e.ring, ringES256(t, "k3"), time.Hour)
	tok3 := e.token(t)
	e.clock.Advance(minRefresh - time.Second)
	if err := e.verify(tok3); !errors.Is(err, jwtx.ErrKeyNotFound) {
		t.Errorf("Verify(k3 token) within the minimum refresh interval = %v, want %v", err, jwtx.ErrKeyNotFound)
	}
	e.checkFetches(t, 3)
	e.clock.Advance(time.Second)
	if err := e.verify(tok3); err != nil {
		t.Errorf("Verify(k3 token) after the minimum refresh interval = %v, want nil", err)
	}
	e.checkFetches(t, 4)
	if err := e.verify(tok2); err != nil {
		t.Errorf("Verify(k2 token) = %v, want nil", err)
	}
	e.checkFetches(t, 4)
	remoteCheckReported(t, e.errs, 0, 0)
}

// A flood of tokens with random kids, signed by an attacker, causes at
// most one fetch per minimum refresh interval (A11), even when they arrive
// concurrently; the legitimate tokens keep verifying.
func TestRemoteKeySetUnknownKIDFlood(t *testing.T) {
	t.Parallel()
	const minRefresh = 30 * time.Second
	e := remoteSetup(t, jwtx.WithJWKSMinRefreshInterval(minRefresh))
	good := e.token(t)
	flood := func(n int) {
		t.Helper()
		toks := make(chan string, n)
		for range n {
			kid := make([]byte, 16)
			rand.Read(kid)
			toks <- remoteSignedBy(t, remoteAttacker(t, hex.EncodeToString(kid)))
		}
		close(toks)
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				seen := 0
				for tok := range toks {
					if err := e.verify(tok); !errors.Is(err, jwtx.ErrKeyNotFound) {
						t.Errorf("Verify(attacker token) = %v, want %v", err, jwtx.ErrKeyNotFound)
					}
					if seen++; seen%8 == 0 { // now and then
						if err := e.verify(good); err != nil {
							t.Errorf("Verify(good token) during the flood = %v, want nil", err)
						}
					}
				}
			})
		}
		wg.Wait()
	}

	flood(1000)
	e.checkFetches(t, 2) // the start, and the first unknown kid
	e.clock.Advance(minRefresh - time.Second)
	flood(100)
	e.checkFetches(t, 2)
	e.clock.Advance(time.Second)
	flood(100)
	e.checkFetches(t, 3)
	remoteCheckReported(t, e.errs, 0, 0)
	e.checkHealth(t, ringEpoch.Add(minRefresh), false)
}
