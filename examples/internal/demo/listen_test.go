package demo

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestListenLoopback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr    string
		wantErr error
	}{
		{addr: "127.0.0.1:0"},
		{addr: "localhost:0"},
		{addr: ":8080", wantErr: ErrNotLoopback},
		{addr: "0.0.0.0:8080", wantErr: ErrNotLoopback},
		{addr: "[::]:8080", wantErr: ErrNotLoopback},
		{addr: "192.0.2.1:8080", wantErr: ErrNotLoopback},
		{addr: "example.com:8080", wantErr: ErrNotLoopback},
		{addr: "localhost.example.com:8080", wantErr: ErrNotLoopback},
		{addr: "127.0.0.1", wantErr: cmpopts.AnyError}, // no port
	} {
		t.Run(tc.addr, func(t *testing.T) {
			t.Parallel()
			ln, err := ListenLoopback(tc.addr)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("ListenLoopback(%q) error mismatch (-want +got):\n%s", tc.addr, diff)
			}
			if err != nil {
				return
			}
			defer ln.Close()
			if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
				t.Errorf("ListenLoopback(%q) listens on %v, not loopback", tc.addr, ip)
			}
		})
	}
}
