package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/redis/go-redis/v9"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
	"github.com/typedjwt/typedjwt/redisstore"
)

// newClient returns a client of srv, closed when tb ends.
func newClient(tb testing.TB, srv *redisServer, hooks ...redis.Hook) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	for _, h := range hooks {
		c.AddHook(h)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// newStore returns a Store on client, failing tb on error. The database
// is new, not one that lost its data, so the store starts with no
// data-loss cutoff (ForgiveLoss).
func newStore(tb testing.TB, client redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	tb.Helper()
	s, err := redisstore.New(client, opts...)
	if err != nil {
		tb.Fatalf("redisstore.New: %v", err)
	}
	if err := s.ForgiveLoss(context.Background()); err != nil {
		tb.Fatalf("ForgiveLoss: %v", err)
	}
	return s
}

func TestStoreContract(t *testing.T) {
	t.Parallel()
	client := newClient(t, startRedis(t))
	testutil.StoreContract(t, func(t *testing.T, clock jwtx.Clock) testutil.Store {
		// Subtests share the server: each writes below a prefix of its own.
		return newStore(t, client, redisstore.WithClock(clock), redisstore.WithPrefix("contract:"+t.Name()+":"))
	})
}

// TestSessionModel runs the session model on a real redis-server.
func TestSessionModel(t *testing.T) {
	t.Parallel()
	client := newClient(t, startRedis(t))
	testutil.SessionContract(t, func(t *testing.T, clock jwtx.Clock) testutil.Store {
		return newStore(t, client, redisstore.WithClock(clock), redisstore.WithPrefix("session:"+t.Name()+":"),
			redisstore.WithMaxTokenLifetime(24*time.Hour))
	}, 60, 16)
}

func TestNew(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never contacted
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	failover := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}})
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1", "b": "127.0.0.1:2"}})
	t.Cleanup(func() { _ = errors.Join(client.Close(), cluster.Close(), failover.Close(), ring.Close()) })
	for _, tc := range []struct {
		name    string
		client  redis.UniversalClient
		opts    []redisstore.Option
		wantErr error
	}{
		{name: "defaults", client: client},
		{name: "all options", client: client, opts: []redisstore.Option{
			redisstore.WithPrefix("{app}:"), redisstore.WithClock(jwtx.ClockFunc(time.Now)), redisstore.WithMaxTokenLifetime(time.Hour),
			redisstore.WithTimeout(time.Second), redisstore.WithMaxInFlight(10), redisstore.WithLossDetection(false),
			redisstore.WithAllowEviction(func(string) {}),
		}},
		{name: "zero timeout", client: client, opts: []redisstore.Option{redisstore.WithTimeout(0)}, wantErr: jwtx.ErrConfig},
		{name: "zero in flight", client: client, opts: []redisstore.Option{redisstore.WithMaxInFlight(0)}, wantErr: jwtx.ErrConfig},
		{name: "nil eviction warning", client: client, opts: []redisstore.Option{redisstore.WithAllowEviction(nil)}, wantErr: jwtx.ErrConfig},
		{name: "failover client", client: failover},
		{name: "ring refused: it moves keys when a shard is down", client: ring, wantErr: jwtx.ErrConfig},
		{name: "unknown client refused", client: otherClient{client}, wantErr: jwtx.ErrConfig},
		{name: "nil *redis.Client", client: (*redis.Client)(nil), wantErr: jwtx.ErrConfig},
		{name: "nil client", wantErr: jwtx.ErrConfig},
		{name: "empty prefix", client: client, opts: []redisstore.Option{redisstore.WithPrefix("")}, wantErr: jwtx.ErrConfig},
		{name: "nil clock", client: client, opts: []redisstore.Option{redisstore.WithClock(nil)}, wantErr: jwtx.ErrConfig},
		{name: "zero lifetime", client: client, opts: []redisstore.Option{redisstore.WithMaxTokenLifetime(0)}, wantErr: jwtx.ErrConfig},
		{name: "negative lifetime", client: client, opts: []redisstore.Option{redisstore.WithMaxTokenLifetime(-time.Hour)}, wantErr: jwtx.ErrConfig},
		{name: "nil option", client: client, opts: []redisstore.Option{nil}, wantErr: jwtx.ErrConfig},
		{name: "cluster, keys spread", client: cluster},
		{name: "cluster, keys in one slot", client: cluster, opts: []redisstore.Option{redisstore.WithPrefix("{jwtx}:")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := redisstore.New(tc.client, tc.opts...)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("New error mismatch (-want +got):\n%s", diff)
			}
			if (s == nil) != (tc.wantErr != nil) {
				t.Errorf("New returned store %v with error %v", s, err)
			}
		})
	}
}

// otherClient is a UniversalClient the store does not know.
type otherClient struct{ *redis.Client }

// TestTTL checks that every key expires with what it is about, by reading
// its PTTL: Redis expires keys by its own clock, which a test cannot move.
func TestTTL(t *testing.T) {
	t.Parallel()
	const maxAge = 48 * time.Hour
	// slack is how much real time the test may take between a write and
	// the PTTL that reads it.
	const slack = time.Minute
	// forever is the want of a key without expiry, whose PTTL is -1.
	const forever = time.Duration(-1)
	// grace is how long past exp a Verifier may still accept a token.
	const grace = jwtx.MaxLeeway
	client := newClient(t, startRedis(t))
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	token := func(id, fam string, exp time.Time) jwtx.TokenInfo {
		return jwtx.TokenInfo{ID: id, Subject: "alice", Family: fam, IssuedAt: now.Add(-time.Minute), ExpiresAt: exp}
	}
	type step func(context.Context, *redisstore.Store) error
	revoke := func(t jwtx.TokenInfo) step {
		return func(ctx context.Context, s *redisstore.Store) error { return s.Revoke(ctx, t) }
	}
	revokeSubject := func(before time.Time) step {
		return func(ctx context.Context, s *redisstore.Store) error { return s.RevokeSubject(ctx, "alice", before) }
	}
	start := func(until time.Time) step {
		return func(ctx context.Context, s *redisstore.Store) error {
			return s.Start(ctx, jwtx.TokenInfo{ID: "r1", Subject: "alice", Family: "fam", ExpiresAt: until})
		}
	}
	rotate := func(from, to string, until time.Time, want error) step {
		return func(ctx context.Context, s *redisstore.Store) error {
			if err := s.Rotate(ctx, "fam", from, to, until); (err == nil) != (want == nil) || !errors.Is(err, want) {
				return fmt.Errorf("Rotate(%q -> %q) = %v, want %v", from, to, err, want)
			}
			return nil
		}
	}
	for _, tc := range []struct {
		name  string
		steps []step
		key   string        // below the prefix
		want  time.Duration // the key's remaining lifetime; 0: no key
	}{
		{name: "jti until exp", steps: []step{revoke(token("a", "", now.Add(time.Hour)))}, key: "{j:a}", want: time.Hour + grace},
		{name: "jti of a token without exp is kept for good", steps: []step{revoke(token("a", "", time.Time{}))}, key: "{j:a}", want: forever},
		{name: "jti of a token within the leeway", steps: []step{revoke(token("a", "", now.Add(-time.Minute)))}, key: "{j:a}", want: grace - time.Minute},
		{name: "jti of a token past the largest leeway is not stored", steps: []step{revoke(token("a", "", now.Add(-grace)))}, key: "{j:a}"},
		{name: "subject cutoff", steps: []step{revokeSubject(now.Add(-time.Hour))}, key: "{s:alice}", want: maxAge + grace},
		{name: "future subject cutoff", steps: []step{revokeSubject(now.Add(time.Hour))}, key: "{s:alice}", want: maxAge + grace + time.Hour},
		{name: "subject cutoff keeps the longer TTL", steps: []step{revokeSubject(now.Add(time.Hour)), revokeSubject(now)}, key: "{s:alice}", want: maxAge + grace + time.Hour},
		{name: "started family until its first token expires", steps: []step{start(now.Add(24 * time.Hour))}, key: "{f:fam}", want: 24*time.Hour + grace},
		{name: "family until its last token expires", steps: []step{start(now.Add(time.Hour)), rotate("r1", "r2", now.Add(24*time.Hour), nil)}, key: "{f:fam}", want: 24*time.Hour + grace},
		{name: "rotation extends the family", steps: []step{start(now.Add(time.Hour)), rotate("r1", "r2", now.Add(time.Hour), nil), rotate("r2", "r3", now.Add(24*time.Hour), nil)}, key: "{f:fam}", want: 24*time.Hour + grace},
		{name: "rotation never shortens the family", steps: []step{start(now.Add(time.Hour)), rotate("r1", "r2", now.Add(24*time.Hour), nil), rotate("r2", "r3", now.Add(time.Hour), nil)}, key: "{f:fam}", want: 24*time.Hour + grace},
		{name: "reuse keeps the family's TTL", steps: []step{start(now.Add(time.Hour)), rotate("r1", "r2", now.Add(24*time.Hour), nil), rotate("r1", "x", now.Add(time.Hour), jwtx.ErrReused)}, key: "{f:fam}", want: 24*time.Hour + grace},
		{name: "revoked family for the max lifetime", steps: []step{revoke(token("a", "fam", now.Add(time.Minute)))}, key: "{f:fam}", want: maxAge + grace},
		{name: "revoked member until its exp", steps: []step{revoke(token("a", "fam", now.Add(time.Minute)))}, key: "{f:fam}:jti:a", want: time.Minute + grace},
		{name: "family of tokens without exp is kept for good", steps: []step{start(time.Time{}), rotate("r1", "r2", time.Time{}, nil)}, key: "{f:fam}", want: forever},
		{name: "revoking keeps a family without expiry", steps: []step{start(time.Time{}), rotate("r1", "r2", time.Time{}, nil), revoke(token("a", "fam", now.Add(time.Minute)))}, key: "{f:fam}", want: forever},
		{name: "revoking keeps a longer family TTL", steps: []step{start(now.Add(time.Hour)), rotate("r1", "r2", now.Add(72*time.Hour), nil), revoke(token("a", "fam", now.Add(time.Minute)))}, key: "{f:fam}", want: 72*time.Hour + grace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			prefix := "ttl:" + tc.name + ":"
			s := newStore(t, client, redisstore.WithPrefix(prefix), redisstore.WithMaxTokenLifetime(maxAge),
				redisstore.WithClock(jwtx.ClockFunc(func() time.Time { return now })))
			for i, st := range tc.steps {
				if err := st(ctx, s); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			got, err := client.PTTL(ctx, prefix+tc.key).Result()
			if err != nil {
				t.Fatalf("PTTL: %v", err)
			}
			switch tc.want {
			case 0:
				if got != -2 {
					t.Errorf("PTTL(%s) = %v, want no key", tc.key, got)
				}
			case forever:
				if got != -1 {
					t.Errorf("PTTL(%s) = %v, want no expiry", tc.key, got)
				}
			default:
				if got <= 0 || got > tc.want || got < tc.want-slack {
					t.Errorf("PTTL(%s) = %v, want in [%v, %v]", tc.key, got, tc.want-slack, tc.want)
				}
			}
		})
	}
}

// commandCounter is a redis.Hook that records the commands a client
// sends, and the number of pipelines.
type commandCounter struct {
	mu        sync.Mutex
	commands  []string
	pipelines int
}

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.mu.Lock()
		c.commands = append(c.commands, cmd.Name())
		c.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.mu.Lock()
		c.pipelines++
		for _, cmd := range cmds {
			c.commands = append(c.commands, cmd.Name())
		}
		c.mu.Unlock()
		return next(ctx, cmds)
	}
}

// take returns what was counted since the last take, and resets it.
func (c *commandCounter) take() (commands []string, pipelines int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	commands, pipelines = c.commands, c.pipelines
	c.commands, c.pipelines = nil, 0
	return commands, pipelines
}

// serverCalls returns the calls per command the server counted since its
// stats were last reset, leaving out the test's own CONFIG and INFO.
func serverCalls(t *testing.T, admin *redis.Client) map[string]int {
	t.Helper()
	info, err := admin.Info(t.Context(), "commandstats").Result()
	if err != nil {
		t.Fatalf("INFO commandstats: %v", err)
	}
	calls := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		// cmdstat_mget:calls=1,usec=3,...
		name, stats, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "cmdstat_"), ":calls=")
		if !ok || strings.HasPrefix(name, "config") || name == "info" {
			continue
		}
		n, err := strconv.Atoi(strings.SplitN(stats, ",", 2)[0])
		if err != nil {
			t.Fatalf("INFO commandstats line %q: %v", sc.Text(), err)
		}
		calls[name] = n
	}
	return calls
}

// TestRevokedOneCommand checks that Revoked costs one command, one round
// trip, whatever the token: counted by the client and by the server.
func TestRevokedOneCommand(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := startRedis(t)
	counter := &commandCounter{}
	s := newStore(t, newClient(t, srv, counter))
	admin := newClient(t, srv)
	now := time.Now()
	if err := s.RevokeSubject(ctx, "bob", now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tok  jwtx.TokenInfo
	}{
		{name: "all fields", tok: jwtx.TokenInfo{ID: "a", Subject: "alice", Family: "fam", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}},
		{name: "no family", tok: jwtx.TokenInfo{ID: "a", Subject: "alice", IssuedAt: now}},
		{name: "revoked subject", tok: jwtx.TokenInfo{ID: "b", Subject: "bob", IssuedAt: now.Add(-time.Minute)}},
		{name: "empty", tok: jwtx.TokenInfo{}},
	} {
		// Sequential: the server's stats are shared.
		t.Run(tc.name, func(t *testing.T) {
			counter.take()
			if err := admin.ConfigResetStat(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Revoked(ctx, tc.tok); err != nil {
				t.Fatal(err)
			}
			cmds, pipes := counter.take()
			if diff := cmp.Diff([]string{"mget"}, cmds); diff != "" || pipes != 0 {
				t.Errorf("client sent %d pipelines and commands (-want +got):\n%s", pipes, diff)
			}
			if diff := cmp.Diff(map[string]int{"mget": 1}, serverCalls(t, admin)); diff != "" {
				t.Errorf("server ran (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkRevoked measures a revocation check against a local
// redis-server, and reports the commands each check sends (cmds/op: 1).
func BenchmarkRevoked(b *testing.B) {
	ctx := b.Context()
	counter := &commandCounter{}
	s := newStore(b, newClient(b, startRedis(b), counter))
	now := time.Now()
	tok := jwtx.TokenInfo{ID: "a", Subject: "alice", Family: "fam", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.Revoke(ctx, jwtx.TokenInfo{ID: "other", Family: "other-fam", ExpiresAt: now.Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	counter.take()
	n := 0
	for b.Loop() {
		if _, err := s.Revoked(ctx, tok); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cmds, pipes := counter.take()
	b.ReportMetric(float64(len(cmds))/float64(n), "cmds/op")
	b.ReportMetric(float64(pipes)/float64(n), "pipelines/op")
}
