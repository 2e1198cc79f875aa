package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisEnv is the environment variable that lets the Redis tests skip when
// no redis-server is installed: TYPEDJWT_REDIS=off. Without it they fail.
const redisEnv = "TYPEDJWT_REDIS"

// redisReady is what redis-server logs once it accepts connections.
const redisReady = "Ready to accept connections"

// redisStartTimeout bounds how long redis-server may take to start.
const redisStartTimeout = 10 * time.Second

// redisServer is a redis-server process of a test, on a loopback port,
// without persistence. Stop kills it; Start starts a new one on the same
// port, as after a crash and restart.
type redisServer struct {
	bin  string
	dir  string
	port int
	args []string // more redis-server arguments

	mu   sync.Mutex
	proc *redisProcess
}

// redisProcess is one run of redis-server.
type redisProcess struct {
	cmd    *exec.Cmd
	ready  chan struct{} // closed when redis-server has logged redisReady
	exited chan struct{} // closed when the process has exited
	mu     sync.Mutex
	log    strings.Builder
	grew   chan struct{} // closed and replaced when a line is logged; after exit, exited
}

// startRedis starts a redis-server on a free loopback port, with args
// added to its command line, and stops it when tb ends. Without a
// redis-server binary it fails the test, or skips it when
// TYPEDJWT_REDIS=off.
func startRedis(tb testing.TB, args ...string) *redisServer {
	tb.Helper()
	srv := &redisServer{bin: redisBinary(tb), dir: tb.TempDir(), args: args}
	tb.Cleanup(srv.Stop)
	// Another process may take the free port before redis-server binds it;
	// then redis-server exits and the next attempt takes another port.
	var errs []error
	for range 3 {
		srv.port = freePort(tb)
		err := srv.start()
		if err == nil {
			return srv
		}
		errs = append(errs, err)
	}
	tb.Fatalf("starting redis-server: %v", errors.Join(errs...))
	return nil
}

// redisBinary finds redis-server on PATH or in /usr/bin.
func redisBinary(tb testing.TB) string {
	tb.Helper()
	if bin, err := exec.LookPath("redis-server"); err == nil {
		return bin
	}
	if _, err := os.Stat("/usr/bin/redis-server"); err == nil {
		return "/usr/bin/redis-server"
	}
	if os.Getenv(redisEnv) == "off" {
		tb.Skip("redis-server not found and " + redisEnv + "=off: skipping the Redis tests")
	}
	tb.Fatal("redis-server not found on PATH or in /usr/bin: install it (apt-get install redis-server), " +
		"or set " + redisEnv + "=off to skip the Redis tests")
	return ""
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("finding a free port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		tb.Fatalf("finding a free port: %v", err)
	}
	return port
}

// Addr returns the server's address.
func (s *redisServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Start starts redis-server again on the server's port, after Stop.
func (s *redisServer) Start(tb testing.TB) {
	tb.Helper()
	if err := s.start(); err != nil {
		tb.Fatalf("restarting redis-server on port %d: %v", s.port, err)
	}
}

// start runs redis-server on s.port and returns once it answers PING.
func (s *redisServer) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return errors.New("redis-server is running")
	}
	cmd := exec.Command(s.bin, append([]string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir, "--loglevel", "notice",
	}, s.args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	p := &redisProcess{cmd: cmd, ready: make(chan struct{}), exited: make(chan struct{}), grew: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		seen := false
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			close(p.grew)
			p.grew = make(chan struct{})
			p.mu.Unlock()
			if !seen && strings.Contains(sc.Text(), redisReady) {
				seen = true
				close(p.ready)
			}
		}
		_ = cmd.Wait() // the exit status of a killed server is of no interest
		close(p.exited)
		p.mu.Lock()
		close(p.grew) // no line will come
		p.grew = p.exited
		p.mu.Unlock()
	}()
	select {
	case <-p.ready:
	case <-p.exited:
		return fmt.Errorf("redis-server exited on start:\n%s", p.output())
	case <-time.After(redisStartTimeout):
		p.kill()
		return fmt.Errorf("redis-server did not start within %v:\n%s", redisStartTimeout, p.output())
	}
	if err := ping(s.Addr()); err != nil {
		p.kill()
		return fmt.Errorf("redis-server logged %q but does not answer: %w\n%s", redisReady, err, p.output())
	}
	s.proc = p
	return nil
}

// ping checks that the server at addr answers PING, trying a few times:
// each attempt waits for its dial, never for a timer.
func ping(addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: 2, DialTimeout: time.Second})
	defer c.Close()
	var err error
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
	}
	return err
}

// Stop kills redis-server, as a crash would, and waits until it has
// exited. It does nothing when the server is not running.
func (s *redisServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.kill()
		s.proc = nil
	}
}

// Freeze stops redis-server with SIGSTOP, as a hung server: connections
// stay open and nothing answers. Thaw resumes it; Stop and the end of the
// test thaw it too.
func (s *redisServer) Freeze(tb testing.TB) {
	tb.Helper()
	s.signal(tb, syscall.SIGSTOP)
	tb.Cleanup(func() { s.signal(tb, syscall.SIGCONT) })
}

// Thaw resumes a frozen redis-server.
func (s *redisServer) Thaw(tb testing.TB) { s.signal(tb, syscall.SIGCONT) }

func (s *redisServer) signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return
	}
	if err := s.proc.cmd.Process.Signal(sig); err != nil {
		tb.Errorf("signalling redis-server: %v", err)
	}
}

// kill kills the process and waits for it to exit.
func (p *redisProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGCONT) // a frozen process dies only once resumed
	_ = p.cmd.Process.Kill()                  // fails only when the process has exited already
	<-p.exited
}

// Logged returns what the running redis-server has logged so far, and a
// channel closed when it logs its next line or exits. Read the state the
// log tells of after calling Logged, and wait on the channel when it is not
// yet the one wanted: a change logged in between closes the channel.
// It fails tb when the server is not running.
func (s *redisServer) Logged(tb testing.TB) (string, <-chan struct{}) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		tb.Fatalf("redis-server on port %d is not running", s.port)
	}
	s.proc.mu.Lock()
	defer s.proc.mu.Unlock()
	return s.proc.log.String(), s.proc.grew
}

// output returns what the process has logged so far.
func (p *redisProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}
