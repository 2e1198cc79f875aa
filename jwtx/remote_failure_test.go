package jwtx_test

// RemoteKeySet against a JWKS endpoint that fails: down, slow, too large,
// garbage, redirects, and a failing first fetch.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// When the endpoint fails in any way after a good start, Refresh fails
// with ErrJWKS, Health and the error handler say so, and the keys fetched
// before keep verifying; when it recovers, so does the set.
func TestRemoteKeySetEndpointFailures(t *testing.T) {
	t.Parallel()
	const maxSize = 4096
	elsewhere := remoteStart(t, ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch)), false)
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
		{name: "slow", opts: []jwtx.RemoteOption{jwtx.WithJWKSTimeout(time.Second)}, breakIt: func(t *testing.T, e *remoteEnv) {
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
			e.clock.Advance(time.Minute)
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

			e.clock.Advance(time.Minute)
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
	ring := ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch))
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
	ring := ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch))
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
	ring := ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch))
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
