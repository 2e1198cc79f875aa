// Command tour is the typedjwt demo: it starts a small API on a free
// loopback port, then walks through its flows as a client would, printing
// every request and response. With -serve it keeps serving and prints curl
// commands to try instead.
//
//	go run ./examples/tour
//	go run ./examples/tour -serve
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"
)

func main() {
	serve := flag.Bool("serve", false, "keep serving and print curl commands instead of running the tour")
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	flag.Parse()
	if err := run(*serve, *addr, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(serve bool, addr string, out io.Writer) error {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	app, err := newApp(priv, systemNow)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	if serve {
		printCurl(out, base)
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		<-ctx.Done()
		return nil
	}
	return tour(out, base, colourful(out))
}

func systemNow() time.Time { return time.Now() }

// colourful reports whether out is a terminal.
func colourful(out io.Writer) bool {
	f, ok := out.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func printCurl(out io.Writer, base string) {
	fmt.Fprintf(out, `typedjwt tour serving on %[1]s (Ctrl-C to stop). Users: alice/wonderland (admin), bob/builder.

  # log in: an access and a refresh token
  curl -s -X POST %[1]s/login -d '{"username":"alice","password":"wonderland"}'
  # call a protected route with the access token
  curl -s %[1]s/me -H "Authorization: Bearer $ACCESS"
  # an admin-only route
  curl -s %[1]s/admin -H "Authorization: Bearer $ACCESS"
  # new access and refresh tokens (the old refresh token is spent)
  curl -s -X POST %[1]s/refresh -H "Authorization: Bearer $REFRESH"
  # log out: the tokens of this login are revoked
  curl -s -X POST %[1]s/logout -H "Authorization: Bearer $ACCESS"
`, base)
}
