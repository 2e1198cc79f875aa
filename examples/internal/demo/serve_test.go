package demo

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// hello answers every request with "hello".
func hello(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") }

// listen returns a listener on a free loopback port.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := ListenLoopback("127.0.0.1:0")
	if err != nil {
		t.Fatalf("ListenLoopback: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// get returns the body of a GET of url, or the error.
func get(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// Serve answers until its context ends, then returns nil; a listener that
// fails stops it early, with the listener's error.
func TestServe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		closed   bool   // close the listener before Serve, which then fails on its own
		wantBody string // the answer to a GET before ctx ends; "" if closed
		wantErr  error
	}{
		{name: "until ctx is done", wantBody: "hello"},
		{name: "closed listener", closed: true, wantErr: net.ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ln := listen(t)
			if tc.closed {
				ln.Close()
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- Serve(ctx, ln, http.HandlerFunc(hello)) }()
			if !tc.closed {
				body, err := get("http://" + ln.Addr().String() + "/")
				if err != nil {
					t.Fatalf("GET: %v", err)
				}
				if diff := cmp.Diff(tc.wantBody, body); diff != "" {
					t.Errorf("GET body mismatch (-want +got):\n%s", diff)
				}
				cancel()
			}
			if diff := cmp.Diff(tc.wantErr, <-done, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Serve error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// A request in flight when the context ends still gets its answer, and
// Serve waits for it.
func TestServeFinishesRequestsInFlight(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "late")
	})
	ln := listen(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h) }()
	type result struct {
		Body string
		Err  error
	}
	got := make(chan result, 1)
	go func() {
		body, err := get("http://" + ln.Addr().String() + "/")
		got <- result{body, err}
	}()
	<-started
	cancel()
	close(release)
	if diff := cmp.Diff(result{Body: "late"}, <-got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("GET mismatch (-want +got):\n%s", diff)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
