package demo

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// errRun is the error of a run function that fails.
var errRun = errors.New("run failed")

// usage is what the flags print for -h, with the program name "example".
const usage = `Usage of example:
  -addr host:port
    	loopback host:port to listen on; port 0 picks a free one (default "127.0.0.1:8080")
`

// start parses -addr as Main does and passes it and its output to run, with
// a live context.
func TestStart(t *testing.T) {
	t.Parallel()
	type call struct {
		Addr    string
		CtxDone bool // whether run's context was already done
	}
	for _, tc := range []struct {
		name      string
		args      []string
		runErr    error  // what run returns
		wantCalls []call // the calls of run
		wantOut   string // what run and the flags wrote
		wantErr   error
	}{
		{name: "default", wantCalls: []call{{Addr: "127.0.0.1:8080"}}, wantOut: "ran"},
		{name: "-addr", args: []string{"-addr", "127.0.0.1:0"}, wantCalls: []call{{Addr: "127.0.0.1:0"}}, wantOut: "ran"},
		{name: "--addr=", args: []string{"--addr=[::1]:9090"}, wantCalls: []call{{Addr: "[::1]:9090"}}, wantOut: "ran"},
		{name: "the last -addr wins", args: []string{"-addr", "127.0.0.1:1", "-addr", "localhost:2"}, wantCalls: []call{{Addr: "localhost:2"}}, wantOut: "ran"},
		{name: "arguments after the flags", args: []string{"-addr", "127.0.0.1:0", "extra"}, wantCalls: []call{{Addr: "127.0.0.1:0"}}, wantOut: "ran"},
		{
			name:      "run fails",
			runErr:    errRun,
			wantCalls: []call{{Addr: "127.0.0.1:8080"}},
			wantOut:   "ran",
			wantErr:   errRun,
		},
		{name: "-h", args: []string{"-h"}, wantOut: usage, wantErr: flag.ErrHelp},
		{
			name:    "unknown flag",
			args:    []string{"-port", "8080"},
			wantOut: "flag provided but not defined: -port\n" + usage,
			wantErr: cmpopts.AnyError,
		},
		{
			name:    "-addr without a value",
			args:    []string{"-addr"},
			wantOut: "flag needs an argument: -addr\n" + usage,
			wantErr: cmpopts.AnyError,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			flags := flag.NewFlagSet("example", flag.ContinueOnError)
			flags.SetOutput(&out)
			var calls []call
			err := start(flags, tc.args, &out, func(ctx context.Context, addr string, w io.Writer) error {
				calls = append(calls, call{Addr: addr, CtxDone: ctx.Err() != nil})
				io.WriteString(w, "ran")
				return tc.runErr
			})
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("start(%q) error mismatch (-want +got):\n%s", tc.args, diff)
			}
			if diff := cmp.Diff(tc.wantCalls, calls); diff != "" {
				t.Errorf("start(%q): calls of run (-want +got):\n%s", tc.args, diff)
			}
			if diff := cmp.Diff(tc.wantOut, out.String()); diff != "" {
				t.Errorf("start(%q) output mismatch (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}

// An interrupt or SIGTERM ends run's context, and nothing else: the process
// lives on. Not parallel: the signal goes to the whole test process, and
// would end the context of any other start running at the time.
func TestStartStopsOnSignal(t *testing.T) {
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
	}{
		{name: "interrupt", sig: syscall.SIGINT},
		{name: "SIGTERM", sig: syscall.SIGTERM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flags := flag.NewFlagSet("example", flag.ContinueOnError)
			err := start(flags, nil, io.Discard, func(ctx context.Context, _ string, _ io.Writer) error {
				if err := syscall.Kill(os.Getpid(), tc.sig); err != nil {
					return err
				}
				<-ctx.Done()
				return context.Cause(ctx)
			})
			if diff := cmp.Diff(context.Canceled, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("start error after %v (-want +got):\n%s", tc.sig, diff)
			}
		})
	}
}
