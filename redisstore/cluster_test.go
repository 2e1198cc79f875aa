package redisstore_test

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
	"github.com/typedjwt/typedjwt/redisstore"
)

// The tests in this file run on a real three-master Redis Cluster
// (startCluster), through a client built as an application would build
// one, redis.NewClusterClient with the nodes' addresses, and a store with
// the default prefix, whose keys spread over the cluster.

func TestClusterStoreContract(t *testing.T) {
	t.Parallel()
	client := newClusterClient(t, startCluster(t))
	testutil.StoreContract(t, func(t *testing.T, clock jwtx.Clock) testutil.Store {
		// Subtests share the cluster: each writes below a prefix of its own.
		// A store writes a data-loss marker per hash slot (16,384) when it
		// starts; for dozens of stores in parallel that would dominate the
		// run, so these go without, and the markers are tested on their own
		// (TestClusterMasterRestartedEmptyRevivesRevokedTokens).
		return newStore(t, client, redisstore.WithClock(clock), redisstore.WithPrefix("contract:"+t.Name()+":"), redisstore.WithLossDetection(false))
	})
}

// TestClusterSessionModel runs the session model on the cluster.
func TestClusterSessionModel(t *testing.T) {
	t.Parallel()
	client := newClusterClient(t, startCluster(t))
	testutil.SessionContract(t, func(t *testing.T, clock jwtx.Clock) testutil.Store {
		// The default configuration, data-loss markers included: fewer
		// sequences than on a single Redis, as each store writes 16,384.
		return newStore(t, client, redisstore.WithClock(clock), redisstore.WithPrefix("session:"+t.Name()+":"))
	}, 12)
}

// TestClusterRotateRace races 16 rotations of the same refresh token in
// each of 200 families, whose keys live on all three masters: in every
// family exactly one rotation wins, the first loser revokes the family
// (ErrReused) and the others find it revoked (ErrRevoked).
func TestClusterRotateRace(t *testing.T) {
	t.Parallel()
	// lanes bounds the families raced at once, and so the calls in flight
	// (lanes*racers), well below redisstore.DefaultMaxInFlight.
	const families, racers, lanes = 200, 16, 8
	ctx := t.Context()
	clock := testutil.NewClock(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	s := newStore(t, newClusterClient(t, startCluster(t)), redisstore.WithClock(clock))
	until := clock.Now().Add(24 * time.Hour)

	// race runs the trial of one family and returns its outcome.
	race := func(fam string) string {
		if err := s.Start(ctx, jwtx.TokenInfo{ID: "r1", Subject: "alice", Family: fam, Type: jwtx.Refresh, ExpiresAt: until}); err != nil {
			return fmt.Sprintf("Start: %v", err)
		}
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				errs[i] = s.Rotate(ctx, fam, "r1", fmt.Sprint("r2-", i), until)
			})
		}
		close(start)
		wg.Wait()
		var won, reused, revoked int
		winner := ""
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				winner = fmt.Sprint("r2-", i)
			case errors.Is(err, jwtx.ErrReused):
				reused++
			case errors.Is(err, jwtx.ErrRevoked):
				revoked++
			default:
				return fmt.Sprintf("Rotate: %v", err)
			}
		}
		outcome := fmt.Sprintf("%d won, %d reused, %d revoked", won, reused, revoked)
		if err := s.Rotate(ctx, fam, winner, "r3", until); !errors.Is(err, jwtx.ErrRevoked) {
			outcome += fmt.Sprintf("; the winner's token then: %v", err)
		}
		member := jwtx.TokenInfo{ID: "a", Subject: "alice", Family: fam, IssuedAt: clock.Now(), ExpiresAt: until}
		if revoked, err := s.Revoked(ctx, member); err != nil || !revoked {
			outcome += fmt.Sprintf("; Revoked after the race = %v, %v", revoked, err)
		}
		return outcome
	}

	outcomes := make([]string, families)
	var wg sync.WaitGroup
	for lane := range lanes {
		wg.Go(func() {
			for i := lane; i < families; i += lanes {
				outcomes[i] = race(fmt.Sprint("fam-", i))
			}
		})
	}
	wg.Wait()
	got := map[string]int{}
	for _, o := range outcomes {
		got[o]++
	}
	want := map[string]int{fmt.Sprintf("1 won, 1 reused, %d revoked", racers-2): families}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("families per outcome of %d concurrent rotations (-want +got):\n%s", racers, diff)
	}
}

// TestClusterKeysSpread writes the records of 1,000 families, their
// revocations, subject cutoffs and revoked tokens without family with the
// default prefix: every master holds a share of the keys, none holds them
// all, every check answers right, and no master refuses a command (a
// command whose keys span slots would fail with CROSSSLOT).
func TestClusterKeysSpread(t *testing.T) {
	t.Parallel()
	const families, subjects, loose = 1000, 100, 50
	ctx := t.Context()
	clock := testutil.NewClock(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	client := newClusterClient(t, startCluster(t))
	s := newStore(t, client, redisstore.WithClock(clock))
	masters := clusterMastersOf(t, client)
	if len(masters) != clusterMasters {
		t.Fatalf("CLUSTER SLOTS names %d masters, want %d", len(masters), clusterMasters)
	}
	now := clock.Now()
	access := func(i int) jwtx.TokenInfo {
		return jwtx.TokenInfo{ID: fmt.Sprint("a-", i), Subject: fmt.Sprint("user-", i%subjects), Family: fmt.Sprint("fam-", i),
			Type: jwtx.Access, IssuedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
	}
	// Family i is revoked when i%10 == 3; subject j is logged out
	// everywhere when j%10 == 0.
	wantRevoked := func(i int) bool { return i%10 == 3 || i%subjects%10 == 0 }
	keys := 0 // records; the data-loss markers, one per hash slot, are counted apart
	for i := range families {
		fam, r1 := fmt.Sprint("fam-", i), fmt.Sprint("r1-", i)
		if err := s.Start(ctx, jwtx.TokenInfo{ID: r1, Subject: access(i).Subject, Family: fam, Type: jwtx.Refresh, ExpiresAt: now.Add(24 * time.Hour)}); err != nil {
			t.Fatalf("Start(%s): %v", fam, err)
		}
		if err := s.Rotate(ctx, fam, r1, fmt.Sprint("r2-", i), now.Add(24*time.Hour)); err != nil {
			t.Fatalf("Rotate(%s): %v", fam, err)
		}
		keys++
		if i%10 == 3 {
			if err := s.Revoke(ctx, access(i)); err != nil {
				t.Fatalf("Revoke(%s): %v", access(i).ID, err)
			}
			keys++ // the token's own key, next to its family's
		}
	}
	for j := 0; j < subjects; j += 10 {
		if err := s.RevokeSubject(ctx, fmt.Sprint("user-", j), now); err != nil {
			t.Fatalf("RevokeSubject: %v", err)
		}
		keys++
	}
	for i := range loose {
		if err := s.Revoke(ctx, jwtx.TokenInfo{ID: fmt.Sprint("loose-", i), Subject: "bob", ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatalf("Revoke: %v", err)
		}
		keys++
	}

	var wrong []int
	for i := range families {
		revoked, err := s.Revoked(ctx, access(i))
		if err != nil {
			t.Fatalf("Revoked(%s): %v", access(i).ID, err)
		}
		if revoked != wantRevoked(i) {
			wrong = append(wrong, i)
		}
	}
	if len(wrong) > 0 {
		t.Errorf("Revoked answered wrong for the tokens of families %v", wrong)
	}

	total, markers := 0, 0
	for _, m := range masters {
		all, err := m.client.Keys(ctx, "jwtx:*").Result()
		if err != nil {
			t.Fatalf("KEYS on %s: %v", m.name, err)
		}
		var n int64
		for _, k := range all {
			if dataLossMarker.MatchString(k) { // a marker per hash slot, on every master
				markers++
			} else {
				n++
			}
		}
		total += int(n)
		// An even spread gives each master a third of the keys.
		if n < int64(keys/6) || n > int64(keys/2) {
			t.Errorf("master %s (slots %s) holds %d of %d keys, want between a sixth and a half", m.name, m.slots, n, keys)
		}
		// No command of the store was refused (CROSSSLOT, MOVED, …) or
		// failed, but for EVALSHAs answered NOSCRIPT by a master that had
		// not loaded the script yet (the client then sends EVAL).
		errs := errorReplies(t, m.client)
		if errs["CROSSSLOT"] != 0 {
			t.Errorf("master %s answered CROSSSLOT %d times", m.name, errs["CROSSSLOT"])
		}
		got, want := map[string]commandStats{}, map[string]commandStats{}
		for name, st := range storeCommandStats(t, m.client) {
			got[name] = commandStats{Rejected: st.Rejected, Failed: st.Failed}
			want[name] = commandStats{}
		}
		want["evalsha"] = commandStats{Failed: errs["NOSCRIPT"]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("refused and failed commands on master %s (-want +got):\n%s", m.name, diff)
		}
	}
	if total != keys || markers != 16384 {
		t.Errorf("the masters hold %d records and %d data-loss markers in all, want %d and 16384", total, markers, keys)
	}
}

// TestClusterRevokedOnePipeline checks what a check costs on a cluster:
// one pipeline from the client, with one GET per key read, each run on the
// master that holds the key's slot: one round trip per master involved.
func TestClusterRevokedOnePipeline(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	counter := &commandCounter{}
	client := newClusterClient(t, startCluster(t), counter)
	s := newStore(t, client)
	masters := clusterMastersOf(t, client)
	name := map[string]string{}
	for _, m := range masters {
		name[m.addr] = m.name
	}
	now := time.Now()
	if err := s.RevokeSubject(ctx, "bob", now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tok  jwtx.TokenInfo
		keys []string // the record keys a check reads, as scripts.go lays them out; the marker of each of their slots comes with them
	}{
		{name: "all fields", tok: jwtx.TokenInfo{ID: "a", Subject: "alice", Family: "fam", IssuedAt: now, ExpiresAt: now.Add(time.Hour)},
			keys: []string{"jwtx:{f:fam}:jti:a", "jwtx:{s:alice}", "jwtx:{f:fam}"}},
		{name: "no family", tok: jwtx.TokenInfo{ID: "a", Subject: "alice", IssuedAt: now},
			keys: []string{"jwtx:{j:a}", "jwtx:{s:alice}", "jwtx:{f:}"}},
		{name: "revoked subject", tok: jwtx.TokenInfo{ID: "b", Subject: "bob", IssuedAt: now.Add(-time.Minute)},
			keys: []string{"jwtx:{j:b}", "jwtx:{s:bob}", "jwtx:{f:}"}},
		{name: "empty", keys: []string{"jwtx:{j:}", "jwtx:{s:}", "jwtx:{f:}"}},
	} {
		// Sequential: the masters' stats are shared.
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]map[string]commandStats{}
			slots := map[int64]bool{}
			for _, k := range tc.keys {
				m, err := client.MasterForKey(ctx, k)
				if err != nil {
					t.Fatalf("MasterForKey(%s): %v", k, err)
				}
				slot, err := client.ClusterKeySlot(ctx, k).Result()
				if err != nil {
					t.Fatalf("CLUSTER KEYSLOT %s: %v", k, err)
				}
				n := name[m.Options().Addr]
				if want[n] == nil {
					want[n] = map[string]commandStats{}
				}
				st := want[n]["get"]
				st.Calls++
				if !slots[slot] { // the slot's data-loss marker, on the same master
					slots[slot] = true
					st.Calls++
				}
				want[n]["get"] = st
			}
			wantCmds := make([]string, len(tc.keys)+len(slots))
			for i := range wantCmds {
				wantCmds[i] = "get"
			}
			before := map[string]map[string]commandStats{}
			for _, m := range masters {
				before[m.name] = storeCommandStats(t, m.client)
			}
			counter.take()
			if _, err := s.Revoked(ctx, tc.tok); err != nil {
				t.Fatal(err)
			}
			cmds, pipes := counter.take()
			if diff := cmp.Diff(wantCmds, cmds); diff != "" || pipes != 1 {
				t.Errorf("client sent %d pipelines (want 1) and commands (-want +got):\n%s", pipes, diff)
			}
			got := map[string]map[string]commandStats{}
			for _, m := range masters {
				if ran := statsDelta(storeCommandStats(t, m.client), before[m.name]); len(ran) > 0 {
					got[m.name] = ran
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("masters ran (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClusterCheckMissesAnEvictingMaster reproduces Check on a cluster
// collecting the masters' maxmemory-policy from concurrent goroutines
// (ForEachMaster) into one slice without a lock: a data race, in which a
// policy can be lost, and with it the refusal of a master that evicts.
// Each master in turn evicts; every Check must refuse the cluster, or
// with WithAllowEviction warn of that one policy.
func TestClusterCheckMissesAnEvictingMaster(t *testing.T) {
	t.Parallel()
	const rounds = 20 // fresh stores per master: each Check reads every master once
	ctx := t.Context()
	client := newClusterClient(t, startCluster(t))
	for _, m := range clusterMastersOf(t, client) {
		// Sequential: the masters' policies are shared.
		t.Run(m.name, func(t *testing.T) {
			if err := m.client.ConfigSet(ctx, "maxmemory-policy", "volatile-lru").Err(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := m.client.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err(); err != nil {
					t.Error(err)
				}
			}()
			for range rounds {
				s, err := redisstore.New(client)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Check(ctx); !errors.Is(err, jwtx.ErrConfig) {
					t.Fatalf("Check with master %s evicting = %v, want ErrConfig", m.name, err)
				}
				var warned []string
				s, err = redisstore.New(client, redisstore.WithAllowEviction(func(p string) { warned = append(warned, p) }))
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Check(ctx); err != nil {
					t.Fatalf("Check with eviction allowed: %v", err)
				}
				if diff := cmp.Diff([]string{"volatile-lru"}, warned); diff != "" {
					t.Fatalf("warnings with master %s evicting (-want +got):\n%s", m.name, diff)
				}
			}
		})
	}
}

// TestClusterMasterRestartedEmptyRevivesRevokedTokens reproduces a master
// of a cluster restarting empty (no persistence): with one data-loss
// marker on one master, the loss of another master's records went unseen,
// and the tokens revoked there were accepted again. Each hash slot now has
// a marker of its own, on the master that holds the slot, so a check of a
// token whose records lived there refuses it, as a single Redis refuses
// every token issued before a loss (TestRedisRestartedEmptyRevivesRevokedTokens).
func TestClusterMasterRestartedEmptyRevivesRevokedTokens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cluster := startCluster(t)
	client := newClusterClient(t, cluster)
	clock := testutil.NewClock(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	s := newStore(t, client, redisstore.WithClock(clock))
	master := func(key string) string {
		t.Helper()
		m, err := client.MasterForKey(ctx, key)
		if err != nil {
			t.Fatalf("MasterForKey(%s): %v", key, err)
		}
		return m.Options().Addr
	}
	// A token whose keys all live on one master other than the one holding
	// the slot of "{epoch}", where a single marker used to live.
	epoch := master("jwtx:{epoch}")
	var tok jwtx.TokenInfo
	var node *redisServer
	for i := 0; node == nil && i < 100; i++ {
		tok = jwtx.TokenInfo{ID: fmt.Sprint("a-", i), Subject: fmt.Sprint("user-", i), Family: fmt.Sprint("fam-", i),
			Type: jwtx.Access, IssuedAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour)}
		addr := master("jwtx:{f:" + tok.Family + "}")
		if addr == epoch || addr != master("jwtx:{s:"+tok.Subject+"}") {
			continue
		}
		for _, n := range cluster.nodes {
			if n.Addr() == addr {
				node = n
			}
		}
	}
	if node == nil {
		t.Fatal("no token of 100 has all its keys away from the marker's master")
	}
	if err := s.Revoke(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if revoked, err := s.Revoked(ctx, tok); err != nil || !revoked {
		t.Fatalf("Revoked before the restart = %v, %v; want true", revoked, err)
	}
	clock.Advance(time.Minute)
	node.Stop()
	node.Start(t) // empty; its nodes.conf brings it back with its slots
	cluster.WaitOK(t)
	revoked, err := s.Revoked(ctx, tok)
	if err != nil || !revoked {
		t.Errorf("Revoked of a token revoked on a master that restarted empty = %v, %v; want true: revoked, or issued before a loss", revoked, err)
	}
}

// dataLossMarker matches the store's data-loss markers, one per hash slot.
var dataLossMarker = regexp.MustCompile(`^jwtx:\{e[0-9]+\}$`)
