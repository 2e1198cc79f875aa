package demo

import (
	"context"
	"net"
	"net/http"
	"time"
)

// shutdownGrace is how long [Serve] lets requests in flight finish once its
// context is done.
const shutdownGrace = 5 * time.Second

// Serve serves h on ln until ctx is done, then shuts down gracefully: it
// stops accepting connections and lets requests in flight finish, for up
// to 5 seconds. It closes ln. It returns the error of the shutdown, nil if
// it was clean, or the error that stopped the server before ctx was done.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return srv.Shutdown(shutdown)
}
