package redisstore_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Settings of the revocation-check benchmarks on many families.
const (
	benchFamilies = 10000
	benchSubjects = 1000 // family i belongs to subject i%benchSubjects
	// benchParallelism is how many goroutines per GOMAXPROCS run checks,
	// as a server with many requests in flight.
	benchParallelism  = 8
	benchSetupWorkers = 32
)

// BenchmarkClusterRevoked measures revocation checks on a three-master
// Redis Cluster through a client built as an application would, with the
// store's default prefix: 10,000 families (1,200 of their tokens revoked,
// by family or by subject) spread over the masters, and checks of their
// tokens from many goroutines. It reports checks/s, the keys each master
// holds (keys-m1, …, in the order of the masters' slots) and the commands
// each master ran per check (cmds-m1/op, …); compare with
// BenchmarkRevokedSingleNode.
func BenchmarkClusterRevoked(b *testing.B) {
	client := newClusterClient(b, startCluster(b))
	benchRevokedFamilies(b, client, clusterMastersOf(b, client))
}

// BenchmarkRevokedSingleNode is BenchmarkClusterRevoked on a single
// redis-server: the same families, the same checks.
func BenchmarkRevokedSingleNode(b *testing.B) {
	srv := startRedis(b)
	client := newClient(b, srv)
	benchRevokedFamilies(b, client, []redisMaster{{name: "m1", addr: srv.Addr(), slots: "all", client: client}})
}

// benchRevokedFamilies writes the families once, then runs the timed
// checks as a sub-benchmark, which the framework may run several times.
func benchRevokedFamilies(b *testing.B, client redis.UniversalClient, masters []redisMaster) {
	ctx := b.Context()
	s := newStore(b, client)
	now := time.Now()
	access := func(i int) jwtx.TokenInfo {
		return jwtx.TokenInfo{ID: fmt.Sprint("a-", i), Subject: fmt.Sprint("user-", i%benchSubjects), Family: fmt.Sprint("fam-", i),
			Type: jwtx.Access, IssuedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
	}
	// Family i is revoked when i%10 == 3; subject j is logged out
	// everywhere when j%50 == 0.
	wantRevoked := func(i int) bool { return i%10 == 3 || i%benchSubjects%50 == 0 }
	setup := func(i int) error {
		t := access(i)
		if err := s.Start(ctx, jwtx.TokenInfo{ID: fmt.Sprint("r-", i), Subject: t.Subject, Family: t.Family,
			Type: jwtx.Refresh, ExpiresAt: now.Add(24 * time.Hour)}); err != nil {
			return err
		}
		if i%10 == 3 {
			if err := s.Revoke(ctx, t); err != nil {
				return err
			}
		}
		if i < benchSubjects && i%50 == 0 {
			return s.RevokeSubject(ctx, t.Subject, now)
		}
		return nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchSetupWorkers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < benchFamilies; i = int(next.Add(1) - 1) {
				if err := setup(i); err != nil {
					b.Errorf("family %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	tokens := make([]jwtx.TokenInfo, benchFamilies)
	for i := range tokens {
		tokens[i] = access(i)
	}
	keys := make([]int64, len(masters))
	for i, m := range masters {
		n, err := m.client.DBSize(ctx).Result()
		if err != nil {
			b.Fatalf("DBSIZE on %s: %v", m.addr, err)
		}
		keys[i] = n
	}

	b.Run(fmt.Sprint("families=", benchFamilies), func(b *testing.B) {
		before := make([]map[string]commandStats, len(masters))
		for i, m := range masters {
			before[i] = storeCommandStats(b, m.client)
		}
		var next, wrong atomic.Int64
		b.SetParallelism(benchParallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1)-1) % benchFamilies
				revoked, err := s.Revoked(ctx, tokens[i])
				if err != nil {
					b.Error(err)
					return
				}
				if revoked != wantRevoked(i) {
					wrong.Add(1)
				}
			}
		})
		b.StopTimer()
		if n := wrong.Load(); n > 0 {
			b.Errorf("%d of %d checks answered wrong", n, b.N)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
		var summary []string
		total := 0
		for i, m := range masters {
			cmds := 0
			var kinds []string
			for name, st := range statsDelta(storeCommandStats(b, m.client), before[i]) {
				cmds += st.Calls
				kinds = append(kinds, fmt.Sprintf("%s %d", name, st.Calls))
			}
			slices.Sort(kinds)
			total += cmds
			b.ReportMetric(float64(keys[i]), "keys-"+m.name)
			b.ReportMetric(float64(cmds)/float64(b.N), "cmds-"+m.name+"/op")
			summary = append(summary, fmt.Sprintf("%s (slots %s): %d keys, %d commands (%s)", m.name, m.slots, keys[i], cmds, strings.Join(kinds, ", ")))
		}
		b.ReportMetric(float64(total)/float64(b.N), "cmds/op")
		b.Logf("%d families, %d checks: %s", benchFamilies, b.N, strings.Join(summary, "; "))
	})
}
