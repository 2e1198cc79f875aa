// Command browser is a session for a web page: an HTML page served by the
// program logs in, calls a protected API from JavaScript, refreshes, changes
// the password and logs out, with the tokens in cookies the page's script
// cannot read.
//
// POST /api/login checks the password against a salted PBKDF2 hash and sets
// four cookies: the access and refresh tokens (HttpOnly, Secure,
// SameSite=Lax, __Host-/__Secure- names; the refresh cookie only on
// /api/refresh) and beside each a CSRF cookie the script reads and echoes
// in the X-CSRF-Token header of its POSTs. POST /api/notes is the protected
// action; without the header it is refused with 403. POST /api/refresh
// rotates both tokens (a reused refresh token ends the session); the new
// access token is not fresh, so POST /api/password, which needs a fresh
// one, then answers 401 until the next login. POST /api/logout revokes the
// session's tokens and deletes the cookies.
//
// Secure cookies need HTTPS, so the program serves HTTPS on loopback with a
// self-signed certificate made at start-up; it prints how to open the page:
//
//	go run . [-addr 127.0.0.1:8443]
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "loopback `host:port` to listen on; port 0 picks a free one")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run serves the application over HTTPS on addr until ctx is done.
func run(ctx context.Context, addr string, out io.Writer) error {
	ln, err := listenLoopback(addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	secret := make([]byte, 32)
	rand.Read(secret) // never fails since Go 1.24
	key, err := jwtx.NewKey(jwtx.HS256, secret)
	if err != nil {
		return err
	}
	users, err := demoUsers(passwordIterations)
	if err != nil {
		return err
	}
	h, err := newServer(key, jwtx.ClockFunc(time.Now), users)
	if err != nil {
		return err
	}
	cert, err := selfSignedCert(time.Now(), 7*24*time.Hour)
	if err != nil {
		return err
	}
	base := "https://" + ln.Addr().String()
	fmt.Fprintf(out, `browser example on %[1]s (Ctrl-C to stop). Users: alice/wonderland, bob/builder.

The certificate is self-signed, made just now (SHA-256 %[2]s):
a browser warns once. Or start a throw-away Chromium that accepts this key only:

  chromium --user-data-dir="$(mktemp -d)" --ignore-certificate-errors-spki-list=%[3]s %[1]s/
`, base, fingerprint(cert.Leaf), spkiHash(cert.Leaf))
	return serve(ctx, ln, h, cert)
}

// errNotLoopback reports a listen address outside the loopback interface.
var errNotLoopback = errors.New("not a loopback address")

// listenLoopback listens on addr, whose host must be a loopback IP address
// or "localhost": the example is not meant to be reachable from elsewhere.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen on %q: %w", addr, errNotLoopback)
	}
	return net.Listen("tcp", addr)
}

// serve serves h over HTTPS (TLS 1.3, HTTP/2 or 1.1) with cert on ln until
// ctx is done, then shuts down gracefully.
func serve(ctx context.Context, ln net.Listener, h http.Handler, cert tls.Certificate) error {
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13},
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
