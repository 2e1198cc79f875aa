package demo

import (
	"context"
	"flag"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
)

// Main is the main function of an example. It reads the flag -addr, the
// loopback host:port to listen on (default 127.0.0.1:8080; port 0 picks a
// free one), and calls run with it and standard output. run's context ends
// on an interrupt (Ctrl-C) or SIGTERM, when run should shut down and
// return. If run returns an error, Main logs it and exits with status 1.
func Main(run func(ctx context.Context, addr string, out io.Writer) error) {
	if err := start(flag.CommandLine, os.Args[1:], os.Stdout, run); err != nil {
		log.Fatal(err)
	}
}

// start is [Main] for the flags flags, with the arguments args and the
// output out: it defines -addr in flags, parses args and calls run, with
// a context that ends on SIGINT or SIGTERM. It returns the error of the
// parse, or else that of run.
func start(flags *flag.FlagSet, args []string, out io.Writer, run func(ctx context.Context, addr string, out io.Writer) error) error {
	addr := flags.String("addr", "127.0.0.1:8080", "loopback `host:port` to listen on; port 0 picks a free one")
	if err := flags.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, *addr, out)
}
