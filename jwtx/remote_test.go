package jwtx_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/typedjwt/typedjwt/jwtx"
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
	clock     *ringClock // the RemoteKeySet's clock: rate limit and Health
	ringClock *ringClock // the key ring's clock: retirement
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
	e := &remoteEnv{clock: ringClockAt(ringEpoch), ringClock: ringClockAt(ringEpoch), errs: &remoteErrors{}}
	e.ring = ringNew(tb, ringES256(tb, "k1"), e.ringClock)
	e.iss = ringIssuer(tb, e.ring, clockAt(ringEpoch))
	e.srv = remoteStart(tb, e.ring, false)
	base := []jwtx.RemoteOption{
		jwtx.WithJWKSAllowHTTP(true),
		jwtx.WithJWKSClock(e.clock),
		jwtx.WithJWKSErrorHandler(e.errs.handle),
	}
	e.keys = remoteKeySet(tb, e.srv.url(), append(base, opts...)...)
	e.ver = ringVerifier(tb, e.keys, clockAt(ringEpoch))
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

// remoteForge builds a compact token with header alg and kid (none when
// kid is "") over remoteClaims, signed by sign.
func remoteForge(alg, kid string, sign func(signingInput []byte) []byte) string {
	h := map[string]string{"alg": alg, "typ": "at+jwt"}
	if kid != "" {
		h["kid"] = kid
	}
	hb, _ := json.Marshal(h)
	enc := base64.RawURLEncoding
	in := enc.EncodeToString(hb) + "." + enc.EncodeToString([]byte(remoteClaims()))
	return in + "." + enc.EncodeToString(sign([]byte(in)))
}

// remoteHS256 signs with HMAC-SHA-256 under secret.
func remoteHS256(secret []byte) func([]byte) []byte {
	return func(in []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(in)
		return m.Sum(nil)
	}
}

// remoteRS256 signs with RSASSA-PKCS1-v1_5 and SHA-256.
func remoteRS256(tb testing.TB, priv *rsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		d := sha256.Sum256(in)
		sig, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, d[:])
		if err != nil {
			tb.Fatal(err)
		}
		return sig
	}
}

// remoteSignedBy issues an access token with a signing key built from priv
// for alg and kid, however the remote set describes that key.
func remoteSignedBy(tb testing.TB, alg jwtx.Algorithm, priv any, kid string) string {
	tb.Helper()
	var k *jwtx.Key
	var err error
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		k, err = jwtx.NewKey(alg, p, jwtx.WithKeyID(kid))
	case *ecdsa.PrivateKey:
		k, err = jwtx.NewKey(alg, p, jwtx.WithKeyID(kid))
	case ed25519.PrivateKey:
		k, err = jwtx.NewKey(alg, p, jwtx.WithKeyID(kid))
	case []byte:
		k, err = jwtx.NewKey(alg, p, jwtx.WithKeyID(kid))
	default:
		tb.Fatalf("remoteSignedBy: %T", priv)
	}
	if err != nil {
		tb.Fatalf("NewKey(%s): %v", alg, err)
	}
	return ringToken(tb, ringIssuer(tb, k, clockAt(ringEpoch)))
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
	j, err := k.JWK()
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
	ring := ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch))
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
	srv := remoteStart(t, ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch)), false)
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
		{name: "nil clock", opt: jwtx.WithJWKSClock(nil)},
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
	srv := remoteStart(t, ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch)), false)
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
	e.ringClock.advance(time.Hour)
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
	e.clock.advance(minRefresh - time.Second)
	if err := e.verify(tok3); !errors.Is(err, jwtx.ErrKeyNotFound) {
		t.Errorf("Verify(k3 token) within the minimum refresh interval = %v, want %v", err, jwtx.ErrKeyNotFound)
	}
	e.checkFetches(t, 3)
	e.clock.advance(time.Second)
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
	attacker := ringECPriv(t)
	flood := func(n int) {
		t.Helper()
		toks := make(chan string, n)
		for range n {
			kid := make([]byte, 16)
			rand.Read(kid)
			toks <- remoteSignedBy(t, jwtx.ES256, attacker, hex.EncodeToString(kid))
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
	e.clock.advance(minRefresh - time.Second)
	flood(100)
	e.checkFetches(t, 2)
	e.clock.advance(time.Second)
	flood(100)
	e.checkFetches(t, 3)
	remoteCheckReported(t, e.errs, 0, 0)
	e.checkHealth(t, ringEpoch.Add(minRefresh), false)
}

// When the endpoint fails in any way after a good start, Refresh fails
// with ErrJWKS, Health and the error handler say so, and the keys fetched
// before keep verifying; when it recovers, so does the set.
func TestRemoteKeySetEndpointFailures(t *testing.T) {
	t.Parallel()
	const maxSize = 4096
	elsewhere := remoteStart(t, ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch)), false)
	secret := []byte("0123456789abcdef0123456789abcdef")
	for _, tc := range []struct {
		name    string
		opts    []jwtx.RemoteOption
		breakIt func(t *testing.T, e *remoteEnv)
		down    bool // the endpoint does not come back
	}{
		{name: "server down", down: true, breakIt: func(_ *testing.T, e *remoteEnv) { e.srv.srv.Close() }},
		{name: "500 with a key set", breakIt: func(t *testing.T, e *remoteEnv) {
			e.srv.set(remoteBody(http.StatusInternalServerError, "application/json", ringPublic(t, e.ring)))
		}},
		{name: "404", breakIt: func(_ *testing.T, e *remoteEnv) {
			e.srv.set(remoteBody(http.StatusNotFound, "text/plain", []byte("not found")))
		}},
		{name: "garbage", breakIt: func(_ *testing.T, e *remoteEnv) {
			e.srv.set(remoteBody(http.StatusOK, "application/json", []byte(`{"keys":[{"kty":`)))
		}},
		{name: "HTML", breakIt: func(_ *testing.T, e *remoteEnv) {
			e.srv.set(remoteBody(http.StatusOK, "text/html", []byte("<html><body>maintenance</body></html>")))
		}},
		{name: "keys not an array", breakIt: func(_ *testing.T, e *remoteEnv) {
			e.srv.set(remoteBody(http.StatusOK, "application/json", []byte(`{"keys":"none"}`)))
		}},
		{name: "empty set", breakIt: func(_ *testing.T, e *remoteEnv) {
			e.srv.set(remoteBody(http.StatusOK, "application/json", []byte(`{"keys":[]}`)))
		}},
		{name: "no usable key", breakIt: func(t *testing.T, e *remoteEnv) {
			enc := remoteJWK(t, &ringECPriv(t).PublicKey, map[string]any{"kid": "enc", "alg": "ES256", "use": "enc"})
			oct := remoteJWK(t, secret, map[string]any{"kid": "oct", "alg": "HS256"})
			priv := remoteJWK(t, ringECPriv(t), map[string]any{"kid": "priv", "alg": "ES256"})
			e.srv.set(remoteBody(http.StatusOK, "application/json", remoteDoc(t, enc, oct, priv)))
		}},
		{name: "duplicate kids", breakIt: func(t *testing.T, e *remoteEnv) {
			a := remotePublicJWK(t, ringES256(t, "same"))
			b := remotePublicJWK(t, ringES256(t, "same"))
			e.srv.set(remoteBody(http.StatusOK, "application/json", remoteDoc(t, a, b)))
		}},
		{name: "too large", opts: []jwtx.RemoteOption{jwtx.WithJWKSMaxSize(maxSize)}, breakIt: func(t *testing.T, e *remoteEnv) {
			e.srv.set(remoteBody(http.StatusOK, "application/json", remotePadded(t, ringPublic(t, e.ring), maxSize+1)))
		}},
		{name: "too large, no Content-Length", opts: []jwtx.RemoteOption{jwtx.WithJWKSMaxSize(maxSize)}, breakIt: func(t *testing.T, e *remoteEnv) {
			e.srv.set(remoteChunked(remotePadded(t, ringPublic(t, e.ring), 100*maxSize)))
		}},
		{name: "slow", opts: []jwtx.RemoteOption{jwtx.WithJWKSTimeout(100 * time.Millisecond)}, breakIt: func(t *testing.T, e *remoteEnv) {
			release := make(chan struct{})
			t.Cleanup(func() { close(release) }) // before the server closes
			e.srv.set(remoteBlock(release))
		}},
		{name: "redirect to another origin", breakIt: func(_ *testing.T, e *remoteEnv) {
			e.srv.set(remoteRedirect(elsewhere.url()))
		}},
		{name: "redirect to a metadata service", breakIt: func(_ *testing.T, e *remoteEnv) {
			e.srv.set(remoteRedirect("http://169.254.169.254/latest/meta-data/"))
		}},
		{name: "redirect to https", breakIt: func(_ *testing.T, e *remoteEnv) {
			e.srv.set(remoteRedirect(strings.Replace(e.srv.url(), "http:", "https:", 1)))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := remoteSetup(t, tc.opts...)
			tok := e.token(t)
			if err := e.verify(tok); err != nil {
				t.Fatalf("Verify() before the failure = %v", err)
			}
			e.clock.advance(time.Minute)
			tc.breakIt(t, e)

			err := e.keys.Refresh(context.Background())
			if !errors.Is(err, jwtx.ErrJWKS) {
				t.Errorf("Refresh() = %v, want an error wrapping %v", err, jwtx.ErrJWKS)
			}
			e.checkHealth(t, ringEpoch, true)
			if errs := e.errs.all(); len(errs) == 0 || !errors.Is(errs[len(errs)-1], jwtx.ErrJWKS) {
				t.Errorf("error handler got %v, want a last error wrapping %v", errs, jwtx.ErrJWKS)
			}
			remoteCheckReported(t, e.errs, 0, len(e.errs.all()))
			fetches := e.srv.count()
			if err := e.verify(tok); err != nil {
				t.Errorf("Verify() with the cached keys = %v, want nil", err)
			}
			if got := e.keys.Keys().Len(); got != 1 {
				t.Errorf("Keys().Len() = %d, want 1", got)
			}
			if e.srv.count() != fetches {
				t.Errorf("Verify() of a known kid fetched the JWKS")
			}
			if elsewhere.count() != 0 {
				t.Errorf("the redirect target was fetched %d times", elsewhere.count())
			}
			if tc.down {
				return
			}

			e.clock.advance(time.Minute)
			e.srv.set(remoteJWKS(e.ring))
			if err := e.keys.Refresh(context.Background()); err != nil {
				t.Fatalf("Refresh() after recovery = %v", err)
			}
			e.checkHealth(t, ringEpoch.Add(2*time.Minute), false)
			if err := e.verify(tok); err != nil {
				t.Errorf("Verify() after recovery = %v, want nil", err)
			}
		})
	}
}

// Without a good first fetch there is no RemoteKeySet.
func TestRemoteKeySetFirstFetchFails(t *testing.T) {
	t.Parallel()
	const maxSize = 4096
	ring := ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch))
	elsewhere := remoteStart(t, ring, false)
	for _, tc := range []struct {
		name    string
		opts    []jwtx.RemoteOption
		respond func(t *testing.T) http.HandlerFunc
	}{
		{name: "500", respond: func(*testing.T) http.HandlerFunc {
			return remoteBody(http.StatusInternalServerError, "text/plain", nil)
		}},
		{name: "garbage", respond: func(*testing.T) http.HandlerFunc {
			return remoteBody(http.StatusOK, "application/json", []byte("\x00\xff garbage"))
		}},
		{name: "empty body", respond: func(*testing.T) http.HandlerFunc {
			return remoteBody(http.StatusOK, "application/json", nil)
		}},
		{name: "only an oct key", respond: func(t *testing.T) http.HandlerFunc {
			oct := remoteJWK(t, []byte("0123456789abcdef0123456789abcdef"), map[string]any{"kid": "oct", "alg": "HS256"})
			return remoteBody(http.StatusOK, "application/json", remoteDoc(t, oct))
		}},
		{name: "too large", opts: []jwtx.RemoteOption{jwtx.WithJWKSMaxSize(maxSize)}, respond: func(t *testing.T) http.HandlerFunc {
			return remoteBody(http.StatusOK, "application/json", remotePadded(t, ringPublic(t, ring), maxSize+1))
		}},
		{name: "redirect to another origin", respond: func(*testing.T) http.HandlerFunc {
			return remoteRedirect(elsewhere.url())
		}},
		{name: "slow", opts: []jwtx.RemoteOption{jwtx.WithJWKSTimeout(50 * time.Millisecond)}, respond: func(t *testing.T) http.HandlerFunc {
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			return remoteBlock(release)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := remoteStart(t, ring, false)
			srv.set(tc.respond(t))
			opts := append([]jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true)}, tc.opts...)
			keys, err := jwtx.NewRemoteKeySet(t.Context(), srv.url(), opts...)
			if !errors.Is(err, jwtx.ErrJWKS) {
				t.Errorf("NewRemoteKeySet() error = %v, want %v", err, jwtx.ErrJWKS)
			}
			if keys != nil {
				t.Errorf("NewRemoteKeySet() = %v with an error, want nil", keys)
			}
			if got := srv.count(); got != 1 {
				t.Errorf("JWKS fetches = %d, want 1", got)
			}
		})
	}
	if elsewhere.count() != 0 {
		t.Errorf("the redirect target was fetched %d times", elsewhere.count())
	}
}

// The size limit is exact, with and without a Content-Length.
func TestRemoteKeySetMaxSize(t *testing.T) {
	t.Parallel()
	const maxSize = 2048
	ring := ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch))
	doc := ringPublic(t, ring)
	for _, tc := range []struct {
		name    string
		respond http.HandlerFunc
		wantErr error
	}{
		{name: "limit, Content-Length", respond: remoteBody(http.StatusOK, "application/json", remotePadded(t, doc, maxSize))},
		{name: "limit+1, Content-Length", respond: remoteBody(http.StatusOK, "application/json", remotePadded(t, doc, maxSize+1)), wantErr: jwtx.ErrJWKS},
		{name: "limit, chunked", respond: remoteChunked(remotePadded(t, doc, maxSize))},
		{name: "limit+1, chunked", respond: remoteChunked(remotePadded(t, doc, maxSize+1)), wantErr: jwtx.ErrJWKS},
		{name: "1 MiB, chunked", respond: remoteChunked(remotePadded(t, doc, 1<<20)), wantErr: jwtx.ErrJWKS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := remoteStart(t, ring, false)
			srv.set(tc.respond)
			_, err := jwtx.NewRemoteKeySet(t.Context(), srv.url(), jwtx.WithJWKSAllowHTTP(true), jwtx.WithJWKSMaxSize(maxSize))
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("NewRemoteKeySet() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// A redirect within the origin is followed; one elsewhere is not.
func TestRemoteKeySetRedirects(t *testing.T) {
	t.Parallel()
	ring := ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch))
	elsewhere := remoteStart(t, ring, false)
	for _, tc := range []struct {
		name    string
		target  func(srv *remoteServer) string
		wantErr error
	}{
		{name: "same origin, relative", target: func(*remoteServer) string { return "/keys" }},
		{name: "same origin, absolute", target: func(srv *remoteServer) string { return srv.srv.URL + "/keys" }},
		{name: "other port", target: func(*remoteServer) string { return elsewhere.url() }, wantErr: jwtx.ErrJWKS},
		{name: "other host name", target: func(srv *remoteServer) string {
			return strings.Replace(srv.srv.URL, "127.0.0.1", "localhost", 1) + "/keys"
		}, wantErr: jwtx.ErrJWKS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := remoteStart(t, ring, false)
			target := tc.target(srv)
			srv.set(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == remoteJWKSPath {
					remoteRedirect(target)(w, r)
					return
				}
				remoteJWKS(ring)(w, r)
			})
			_, err := jwtx.NewRemoteKeySet(t.Context(), srv.url(), jwtx.WithJWKSAllowHTTP(true))
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("NewRemoteKeySet() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if elsewhere.count() != 0 {
		t.Errorf("the other origin was fetched %d times", elsewhere.count())
	}
}

// Keys that cannot verify JWS signatures are dropped from a fetched set
// and reported, while the set's other keys stay usable (A12, A13, D6).
func TestRemoteKeySetDropsUnusableKeys(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123456789abcdef")
	rsaPriv := ringRSA(t, 0)
	ecPriv := ringECPriv(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	members := func(kv ...any) map[string]any {
		m := map[string]any{"kid": "bad"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	rs256 := remoteSignedBy(t, jwtx.RS256, rsaPriv, "bad")
	es256 := remoteSignedBy(t, jwtx.ES256, ecPriv, "bad")
	for _, tc := range []struct {
		name    string
		bad     func(t *testing.T) jwk.Key
		opts    []jwtx.RemoteOption
		token   string // signed by the bad key's private half, kid "bad"
		dropped bool
	}{
		// Controls: keys that are fine.
		{name: "RSA, use sig", bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RS256", "use", "sig"))
		}, token: rs256},
		{name: "EC, key_ops verify", bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &ecPriv.PublicKey, members("alg", "ES256", "key_ops", []string{"verify"}))
		}, token: es256},
		{name: "EC without alg", bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &ecPriv.PublicKey, members())
		}, token: es256},

		{name: "use enc", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RS256", "use", "enc"))
		}, token: rs256},
		{name: "key_ops encrypt", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RS256", "key_ops", []string{"encrypt", "wrapKey"}))
		}, token: rs256},
		{name: "key_ops sign without verify", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &ecPriv.PublicKey, members("alg", "ES256", "key_ops", []string{"sign"}))
		}, token: es256},
		{name: "alg RSA-OAEP", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RSA-OAEP"))
		}, token: rs256},
		{name: "RSA without alg", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members())
		}, token: rs256},
		{name: "alg not allowed", dropped: true, opts: []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.ES256)}, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RS256"))
		}, token: rs256},
		{name: "ES256 on P-384", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &p384.PublicKey, members("alg", "ES256"))
		}, token: remoteSignedBy(t, jwtx.ES384, p384, "bad")},
		{name: "RSA-1024", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &weak.PublicKey, members("alg", "RS256"))
		}, token: remoteForge("RS256", "bad", remoteRS256(t, weak))},
		{name: "EC private key", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, ecPriv, members("alg", "ES256"))
		}, token: es256},
		{name: "RSA private key", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, rsaPriv, members("alg", "RS256"))
		}, token: rs256},
		{name: "Ed25519 private key", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, edPriv, members("alg", "EdDSA"))
		}, token: remoteSignedBy(t, jwtx.EdDSA, edPriv, "bad")},
		{name: "oct key", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, secret, members("alg", "HS256"))
		}, token: remoteSignedBy(t, jwtx.HS256, secret, "bad")},
		{name: "oct key, use sig", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, secret, members("alg", "HS256", "use", "sig", "key_ops", []string{"verify"}))
		}, token: remoteSignedBy(t, jwtx.HS256, secret, "bad")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			good := ringES256(t, "good")
			doc := remoteDoc(t, remotePublicJWK(t, good), tc.bad(t))
			srv := remoteStart(t, ringNew(t, good, clockAt(ringEpoch)), false)
			srv.set(remoteBody(http.StatusOK, "application/jwk-set+json", doc))
			var errs remoteErrors
			opts := append([]jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true), jwtx.WithJWKSErrorHandler(errs.handle)}, tc.opts...)
			keys := remoteKeySet(t, srv.url(), opts...)

			wantLen, wantReports, wantErr := 2, 0, error(nil)
			if tc.dropped {
				wantLen, wantReports, wantErr = 1, 1, jwtx.ErrKeyNotFound
			}
			if got := keys.Keys().Len(); got != wantLen {
				t.Errorf("Keys().Len() = %d, want %d", got, wantLen)
			}
			remoteCheckReported(t, &errs, 0, wantReports)
			if _, err := keys.Health(); err != nil {
				t.Errorf("Health() error = %v, want nil: the set was accepted", err)
			}
			v := ringVerifier(t, keys, clockAt(ringEpoch))
			if diff := cmp.Diff(wantErr, ringVerify(v, tc.token), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Verify(token of the %q key) error mismatch (-want +got):\n%s", tc.name, diff)
			}
			if err := ringVerify(v, ringToken(t, ringIssuer(t, good, clockAt(ringEpoch)))); err != nil {
				t.Errorf("Verify(token of the good key) = %v, want nil", err)
			}
		})
	}
}

// A key's algorithm comes from the set and WithJWKSAlgorithms, and the
// header alg of a token must be exactly that algorithm.
func TestRemoteKeySetAlgorithmBinding(t *testing.T) {
	t.Parallel()
	rsaPriv := ringRSA(t, 0)
	ecPriv := ringECPriv(t)
	rs256 := remoteSignedBy(t, jwtx.RS256, rsaPriv, "rsa")
	ps256 := remoteSignedBy(t, jwtx.PS256, rsaPriv, "rsa")
	es256 := remoteSignedBy(t, jwtx.ES256, ecPriv, "ec")
	for _, tc := range []struct {
		name    string
		jwk     func(t *testing.T) jwk.Key
		opts    []jwtx.RemoteOption
		wantLen int
		tokens  map[string]error // token -> expected error
	}{
		{
			name:    "RSA without alg, RS256 configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa"}) },
			opts:    []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.RS256, jwtx.ES256)},
			wantLen: 2,
			tokens:  map[string]error{rs256: nil, ps256: jwtx.ErrAlgorithm},
		},
		{
			name:    "RSA without alg, PS256 configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa"}) },
			opts:    []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.PS256, jwtx.ES256)},
			wantLen: 2,
			tokens:  map[string]error{ps256: nil, rs256: jwtx.ErrAlgorithm},
		},
		{
			name:    "RSA without alg, RS256 and PS256 configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa"}) },
			opts:    []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.RS256, jwtx.PS256, jwtx.ES256)},
			wantLen: 1,
			tokens:  map[string]error{rs256: jwtx.ErrKeyNotFound, ps256: jwtx.ErrKeyNotFound},
		},
		{
			name:    "RSA without alg, nothing configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa"}) },
			wantLen: 1,
			tokens:  map[string]error{rs256: jwtx.ErrKeyNotFound},
		},
		{
			name: "RSA with alg RS256, nothing configured",
			jwk: func(t *testing.T) jwk.Key {
				return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa", "alg": "RS256"})
			},
			wantLen: 2,
			tokens:  map[string]error{rs256: nil, ps256: jwtx.ErrAlgorithm},
		},
		{
			name: "RSA with alg RS256, only PS256 configured",
			jwk: func(t *testing.T) jwk.Key {
				return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa", "alg": "RS256"})
			},
			opts:    []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.PS256, jwtx.ES256)},
			wantLen: 1,
			tokens:  map[string]error{rs256: jwtx.ErrKeyNotFound, ps256: jwtx.ErrKeyNotFound},
		},
		{
			name:    "EC without alg, nothing configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &ecPriv.PublicKey, map[string]any{"kid": "ec"}) },
			wantLen: 2,
			tokens:  map[string]error{es256: nil, remoteSignedBy(t, jwtx.ES256, ringECPriv(t), "ec"): jwtx.ErrSignature},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			other := ringES256(t, "other")
			srv := remoteStart(t, ringNew(t, other, clockAt(ringEpoch)), false)
			srv.set(remoteBody(http.StatusOK, "application/json", remoteDoc(t, remotePublicJWK(t, other), tc.jwk(t))))
			keys := remoteKeySet(t, srv.url(), append([]jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true)}, tc.opts...)...)
			if got := keys.Keys().Len(); got != tc.wantLen {
				t.Errorf("Keys().Len() = %d, want %d", got, tc.wantLen)
			}
			v := ringVerifier(t, keys, clockAt(ringEpoch))
			for tok, wantErr := range tc.tokens {
				if diff := cmp.Diff(wantErr, ringVerify(v, tok), cmpopts.EquateErrors()); diff != "" {
					t.Errorf("Verify(%s token) error mismatch (-want +got):\n%s", ringHeader(t, tok)["alg"], diff)
				}
			}
		})
	}
}

// A3 through a remote set: an HS256 token MACed with the RSA key's public
// material, under that key's kid, is refused for its algorithm; so are
// "none" and a header alg other than the key's.
func TestRemoteKeySetKeyConfusion(t *testing.T) {
	t.Parallel()
	rsaPriv := ringRSA(t, 0)
	rsKey, err := jwtx.NewKey(jwtx.RS256, rsaPriv, jwtx.WithKeyID("rs-1"))
	if err != nil {
		t.Fatal(err)
	}
	srv := remoteStart(t, ringNew(t, rsKey, clockAt(ringEpoch)), false)
	keys := remoteKeySet(t, srv.url(), jwtx.WithJWKSAllowHTTP(true))
	der, err := x509.MarshalPKIXPublicKey(&rsaPriv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	jwkJSON, err := json.Marshal(remotePublicJWK(t, rsKey))
	if err != nil {
		t.Fatal(err)
	}
	none := func([]byte) []byte { return nil }
	for _, tc := range []struct {
		name    string
		token   string
		wantErr error
	}{
		{name: "control: RS256", token: remoteForge("RS256", "rs-1", remoteRS256(t, rsaPriv))},
		{name: "control: RS256 without kid", token: remoteForge("RS256", "", remoteRS256(t, rsaPriv))},
		{name: "HS256 MACed with the PEM public key", token: remoteForge("HS256", "rs-1", remoteHS256(pemBytes)), wantErr: jwtx.ErrAlgorithm},
		{name: "HS256 MACed with the DER public key", token: remoteForge("HS256", "rs-1", remoteHS256(der)), wantErr: jwtx.ErrAlgorithm},
		{name: "HS256 MACed with the JWK", token: remoteForge("HS256", "rs-1", remoteHS256(jwkJSON)), wantErr: jwtx.ErrAlgorithm},
		{name: "HS256 without kid", token: remoteForge("HS256", "", remoteHS256(pemBytes)), wantErr: jwtx.ErrAlgorithm},
		{name: "none", token: remoteForge("none", "rs-1", none), wantErr: jwtx.ErrAlgorithm},
		{name: "PS256 header on the RS256 key", token: remoteSignedBy(t, jwtx.PS256, rsaPriv, "rs-1"), wantErr: jwtx.ErrAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := ringVerifier(t, keys, clockAt(ringEpoch))
			if diff := cmp.Diff(tc.wantErr, ringVerify(v, tc.token), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Verify() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// None of these tokens names an unknown kid, so none caused a fetch.
	if got := srv.count(); got != 1 {
		t.Errorf("JWKS fetches = %d, want 1", got)
	}
}

// Verification, Refresh, Health and rotation run concurrently. Run under
// -race.
func TestRemoteKeySetConcurrent(t *testing.T) {
	t.Parallel()
	e := remoteSetup(t)
	tok := e.token(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if err := e.verify(tok); err != nil {
					t.Errorf("Verify() = %v, want nil", err)
					return
				}
				_, _ = e.keys.Health()
				_ = e.keys.Keys().Len()
			}
		})
	}
	for i := range 20 {
		ringRotate(t, e.ring, ringES256(t, fmt.Sprintf("k%d", i+2)), 24*time.Hour)
		if i%2 == 0 {
			if err := e.keys.Refresh(context.Background()); err != nil {
				t.Errorf("Refresh() = %v", err)
			}
		} else {
			e.clock.advance(jwtx.DefaultJWKSMinRefreshInterval)
			if err := e.verify(e.token(t)); err != nil {
				t.Errorf("Verify(new kid) = %v, want nil", err)
			}
		}
	}
	wg.Wait()
	if got := e.keys.Keys().Len(); got != 21 {
		t.Errorf("Keys().Len() = %d, want 21", got)
	}
}

// remoteTransport serves requests in memory with an endpoint, so that a
// RemoteKeySet runs without network I/O inside a synctest bubble.
type remoteTransport struct{ h http.Handler }

func (t remoteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// remoteBubble runs f in a synctest bubble with a context that ends with
// it. Afterwards it stops the RemoteKeySet f built and lets its last
// request time out (in fake time): jwx does not close the body of a failed
// response, and net/http's timer goroutine for it would outlive the bubble.
func remoteBubble(t *testing.T, f func(t *testing.T, ctx context.Context)) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer func() {
			cancel()
			time.Sleep(jwtx.DefaultJWKSTimeout + time.Second)
		}()
		f(t, ctx)
	})
}

// The background refresh runs on jwx's real timers, so it is tested in a
// synctest bubble, where time is fake and only moves when every goroutine
// is blocked: the sleeps below take no wall-clock time. The endpoint is in
// memory (remoteTransport), because network I/O would keep the bubble from
// being idle.
func TestRemoteKeySetIntervalRefresh(t *testing.T) {
	t.Parallel()
	for _, interval := range []time.Duration{time.Second, time.Minute, 15 * time.Minute, 20 * time.Minute, time.Hour} {
		t.Run(interval.String(), func(t *testing.T) {
			t.Parallel()
			remoteBubble(t, func(t *testing.T, ctx context.Context) {
				ring := ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch))
				iss := ringIssuer(t, ring, clockAt(ringEpoch))
				end := &remoteEndpoint{respond: remoteJWKS(ring)}
				var errs remoteErrors
				keys, err := jwtx.NewRemoteKeySet(ctx, "https://idp.test"+remoteJWKSPath,
					jwtx.WithJWKSHTTPClient(&http.Client{Transport: remoteTransport{end}}),
					jwtx.WithJWKSRefreshInterval(interval),
					jwtx.WithJWKSErrorHandler(errs.handle))
				if err != nil {
					t.Fatalf("NewRemoteKeySet: %v", err)
				}
				start := time.Now()
				v := ringVerifier(t, keys, clockAt(ringEpoch))
				tok1 := ringToken(t, iss)
				check := func(step string, wantFetches int64, wantLen int) {
					t.Helper()
					synctest.Wait()
					if got := end.count(); got != wantFetches {
						t.Errorf("%s: JWKS fetches = %d, want %d", step, got, wantFetches)
					}
					if got := keys.Keys().Len(); got != wantLen {
						t.Errorf("%s: Keys().Len() = %d, want %d", step, got, wantLen)
					}
				}
				check("at start", 1, 1)

				// A rotation is picked up by the next background refresh,
				// not before.
				ringRotate(t, ring, ringES256(t, "k2"), 24*time.Hour)
				time.Sleep(interval - time.Second)
				check("interval-1s", 1, 1)
				time.Sleep(time.Second)
				check("interval", 2, 2)
				tok2 := ringToken(t, iss)
				for _, tok := range []string{tok1, tok2} {
					if err := ringVerify(v, tok); err != nil {
						t.Errorf("Verify() = %v, want nil", err)
					}
				}
				check("after verifying known kids", 2, 2)
				refreshed := time.Now()

				// The endpoint fails: reported, keys kept.
				end.set(remoteBody(http.StatusServiceUnavailable, "text/plain", nil))
				time.Sleep(interval)
				check("endpoint down", 3, 2)
				lastOK, err := keys.Health()
				if !errors.Is(err, jwtx.ErrJWKS) || !lastOK.Equal(refreshed) {
					t.Errorf("Health() = %v, %v; want %v, an error wrapping %v", lastOK, err, refreshed, jwtx.ErrJWKS)
				}
				remoteCheckReported(t, &errs, 0, 1)
				for _, tok := range []string{tok1, tok2} {
					if err := ringVerify(v, tok); err != nil {
						t.Errorf("Verify() while the endpoint is down = %v, want nil", err)
					}
				}

				// It recovers at the next interval.
				end.set(remoteJWKS(ring))
				time.Sleep(interval)
				check("endpoint back", 4, 2)
				if lastOK, err := keys.Health(); err != nil || !lastOK.Equal(start.Add(3*interval)) {
					t.Errorf("Health() = %v, %v; want %v, nil", lastOK, err, start.Add(3*interval))
				}
			})
		})
	}
}

// A RemoteKeySet that could not be built leaves nothing running: its
// endpoint is not fetched again in the background.
func TestRemoteKeySetFailedStartStopsFetching(t *testing.T) {
	t.Parallel()
	remoteBubble(t, func(t *testing.T, ctx context.Context) {
		end := &remoteEndpoint{respond: remoteBody(http.StatusInternalServerError, "text/plain", nil)}
		_, err := jwtx.NewRemoteKeySet(ctx, "https://idp.test"+remoteJWKSPath,
			jwtx.WithJWKSHTTPClient(&http.Client{Transport: remoteTransport{end}}))
		if !errors.Is(err, jwtx.ErrJWKS) {
			t.Fatalf("NewRemoteKeySet() error = %v, want %v", err, jwtx.ErrJWKS)
		}
		time.Sleep(3 * jwtx.DefaultJWKSRefreshInterval)
		synctest.Wait()
		if got := end.count(); got != 1 {
			t.Errorf("JWKS fetches after a failed start = %d, want 1", got)
		}
	})
}

// Fetches on demand (Refresh, unknown kids) do not add background
// fetches: however many there were, the endpoint is fetched once per
// interval in the background. Otherwise every unknown kid, each allowed by
// the rate limit, would add a fetch to every later interval, for ever.
func TestRemoteKeySetOnDemandFetchesDoNotAccumulate(t *testing.T) {
	t.Parallel()
	const interval = 15 * time.Minute
	remoteBubble(t, func(t *testing.T, ctx context.Context) {
		ring := ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch))
		end := &remoteEndpoint{respond: remoteJWKS(ring)}
		keys, err := jwtx.NewRemoteKeySet(ctx, "https://idp.test"+remoteJWKSPath,
			jwtx.WithJWKSHTTPClient(&http.Client{Transport: remoteTransport{end}}),
			jwtx.WithJWKSRefreshInterval(interval))
		if err != nil {
			t.Fatalf("NewRemoteKeySet: %v", err)
		}
		v := ringVerifier(t, keys, clockAt(ringEpoch))
		attacker := ringECPriv(t)
		// Ten unknown kids, one per minimum refresh interval: ten fetches,
		// each allowed by the rate limit.
		for i := range 10 {
			tok := remoteSignedBy(t, jwtx.ES256, attacker, fmt.Sprintf("random-%d", i))
			if err := ringVerify(v, tok); !errors.Is(err, jwtx.ErrKeyNotFound) {
				t.Fatalf("Verify(unknown kid) = %v, want %v", err, jwtx.ErrKeyNotFound)
			}
			time.Sleep(jwtx.DefaultJWKSMinRefreshInterval)
		}
		if err := keys.Refresh(ctx); err != nil {
			t.Fatalf("Refresh() = %v", err)
		}
		synctest.Wait()
		if got := end.count(); got != 12 {
			t.Fatalf("JWKS fetches after 10 unknown kids and a Refresh = %d, want 12", got)
		}
		// From now on: one background fetch per interval.
		time.Sleep(4 * interval)
		synctest.Wait()
		if got := end.count() - 12; got != 4 {
			t.Errorf("background fetches in 4 intervals = %d, want 4", got)
		}
	})
}

// Close stops the background refreshes; the keys stay in use and, as
// documented, a token with an unknown kid can still cause a fetch.
func TestRemoteKeySetClose(t *testing.T) {
	t.Parallel()
	const interval = 15 * time.Minute
	remoteBubble(t, func(t *testing.T, ctx context.Context) {
		ring := ringNew(t, ringES256(t, "k1"), clockAt(ringEpoch))
		iss := ringIssuer(t, ring, clockAt(ringEpoch))
		end := &remoteEndpoint{respond: remoteJWKS(ring)}
		keys, err := jwtx.NewRemoteKeySet(ctx, "https://idp.test"+remoteJWKSPath,
			jwtx.WithJWKSHTTPClient(&http.Client{Transport: remoteTransport{end}}),
			jwtx.WithJWKSRefreshInterval(interval))
		if err != nil {
			t.Fatalf("NewRemoteKeySet: %v", err)
		}
		v := ringVerifier(t, keys, clockAt(ringEpoch))
		tok1 := ringToken(t, iss)
		keys.Close()
		time.Sleep(3 * interval)
		synctest.Wait()
		if got := end.count(); got != 1 {
			t.Errorf("JWKS fetches after Close = %d, want 1", got)
		}
		if err := ringVerify(v, tok1); err != nil {
			t.Errorf("Verify() after Close = %v, want nil", err)
		}

		ringRotate(t, ring, ringES256(t, "k2"), time.Hour)
		if err := ringVerify(v, ringToken(t, iss)); err != nil {
			t.Errorf("Verify(new kid) after Close = %v, want nil", err)
		}
		if got := end.count(); got != 2 {
			t.Errorf("JWKS fetches for an unknown kid after Close = %d, want 2", got)
		}
	})
}
