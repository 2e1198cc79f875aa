package httpx_test

// The JWKS endpoints of the D6 attack tests (attacks_jwks_test.go): a
// server under the test's control, a client that records where it goes,
// and the misbehaving answers.

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// atkJWKSPath is where the identity provider of D6 publishes its keys.
const atkJWKSPath = "/.well-known/jwks.json"

// atkEndpoint is a JWKS endpoint on 127.0.0.1 under the test's control:
// it answers with the current handler, which the test swaps, and counts
// the requests it receives.
type atkEndpoint struct {
	srv     *httptest.Server
	hits    atomic.Int64
	mu      sync.Mutex
	respond http.Handler
}

// atkStartEndpoint starts an endpoint (HTTPS with tls) answering with h.
// When the test ends, client connections are cut first, so a handler
// still writing or blocked ends, then the server closes.
func atkStartEndpoint(tb testing.TB, tls bool, h http.Handler) *atkEndpoint {
	tb.Helper()
	p := &atkEndpoint{respond: h}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		p.mu.Lock()
		respond := p.respond
		p.mu.Unlock()
		respond.ServeHTTP(w, r)
	})
	if tls {
		p.srv = httptest.NewTLSServer(handler)
	} else {
		p.srv = httptest.NewServer(handler)
	}
	tb.Cleanup(p.srv.Close)
	tb.Cleanup(p.srv.CloseClientConnections)
	return p
}

func (p *atkEndpoint) set(h http.Handler) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.respond = h
}

func (p *atkEndpoint) url() string { return p.srv.URL + atkJWKSPath }

// atkTransport records the host of every outbound request and refuses,
// without dialling, any host but the endpoint's: a fetch of the metadata
// service would be recorded, never sent.
type atkTransport struct {
	base    http.RoundTripper
	allowed string
	mu      sync.Mutex
	hosts   []string
}

func (t *atkTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.hosts = append(t.hosts, r.URL.Host)
	t.mu.Unlock()
	if r.URL.Host != t.allowed {
		return nil, errors.New("atk: outbound request to another host refused by the test")
	}
	return t.base.RoundTrip(r)
}

func (t *atkTransport) seen() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.hosts...)
}

// atkClientFor returns an HTTP client for p that records through an
// atkTransport.
func atkClientFor(p *atkEndpoint) (*http.Client, *atkTransport) {
	tr := &atkTransport{base: p.srv.Client().Transport, allowed: p.srv.Listener.Addr().String()}
	return &http.Client{Transport: tr}, tr
}

// atkHuge answers with a valid 100 MiB JSON document: 100 MiB of
// whitespace, then doc, with or without a Content-Length, until the
// client hangs up. Only a size cap refuses it.
func atkHuge(doc string, withLength bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		const pad = 100 << 20
		if withLength {
			w.Header().Set("Content-Length", fmt.Sprint(pad+len(doc)))
		}
		w.Header().Set("Content-Type", "application/json")
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		for n := 0; n < pad; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil || r.Context().Err() != nil {
				return
			}
		}
		w.Write([]byte(doc))
	}
}

// atkDribble answers with one byte, then nothing until release is closed
// or the client gives up: a server dribbling a byte at a time.
func atkDribble(release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
}

// atkFixed answers with status and body.
func atkFixed(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}
