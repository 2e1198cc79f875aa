package demo

import (
	"errors"
	"fmt"
	"net"
)

// ErrNotLoopback reports a listen address outside the loopback interface.
var ErrNotLoopback = errors.New("not a loopback address")

// ListenLoopback listens on the TCP address addr, whose host must be a
// loopback IP address or "localhost": the examples are not meant to be
// reachable from elsewhere. Port 0 picks a free port. Any other host is an
// error that wraps [ErrNotLoopback].
func ListenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen on %q: %w", addr, ErrNotLoopback)
	}
	return net.Listen("tcp", addr)
}
