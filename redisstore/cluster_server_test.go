package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"
)

// Settings of the clusters the tests start.
const (
	clusterMasters   = 3
	clusterSlots     = 16384
	clusterBusOffset = 10000 // a node's cluster bus listens on its port plus this
	// clusterFormTimeout bounds how long the cluster may take to form;
	// the helper waits on the nodes' logs, never on a timer.
	clusterFormTimeout = 30 * time.Second
	// clusterFormAttempts bounds the CLUSTER INFO reads per node.
	clusterFormAttempts = 100
)

// redisCluster is a Redis Cluster of a test: three masters without
// replicas, each a redis-server on a loopback port, without persistence.
type redisCluster struct {
	nodes []*redisServer
}

// startCluster starts three cluster-enabled redis-servers, joins them
// into a cluster with redis-cli --cluster create, and returns once every
// node reports cluster_state:ok with all 16384 slots served. The servers
// stop when tb ends. Without redis-server or redis-cli it fails the test,
// or skips it when TYPEDJWT_REDIS=off.
func startCluster(tb testing.TB) *redisCluster {
	tb.Helper()
	bin, cli := redisBinary(tb), redisCLI(tb)
	dir := tb.TempDir()
	c := &redisCluster{}
	for n := range clusterMasters {
		c.nodes = append(c.nodes, startClusterNode(tb, bin, dir, n+1))
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterFormTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c.WaitOK(tb)
	return c
}

// WaitOK returns once every node of the cluster reports cluster_state:ok
// with all 16384 slots served, as after a node's restart.
func (c *redisCluster) WaitOK(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clusterFormTimeout)
	defer cancel()
	for _, n := range c.nodes {
		waitClusterOK(ctx, tb, n)
	}
}

// redisCLI finds redis-cli on PATH or in /usr/bin.
func redisCLI(tb testing.TB) string {
	tb.Helper()
	if bin, err := exec.LookPath("redis-cli"); err == nil {
		return bin
	}
	if _, err := os.Stat("/usr/bin/redis-cli"); err == nil {
		return "/usr/bin/redis-cli"
	}
	if os.Getenv(redisEnv) == "off" {
		tb.Skip("redis-cli not found and " + redisEnv + "=off: skipping the Redis Cluster tests")
	}
	tb.Fatal("redis-cli not found on PATH or in /usr/bin: the Redis Cluster tests need it to create the cluster; " +
		"install it (Debian: apt-get install redis-server redis-tools), or set " + redisEnv + "=off to skip the Redis tests")
	return ""
}

// startClusterNode starts node n of a cluster, keeping its cluster
// configuration in dir/nodes-n.conf.
func startClusterNode(tb testing.TB, bin, dir string, n int) *redisServer {
	tb.Helper()
	conf := filepath.Join(dir, fmt.Sprintf("nodes-%d.conf", n))
	srv := &redisServer{bin: bin, dir: dir, args: []string{
		"--cluster-enabled", "yes", "--cluster-config-file", conf, "--cluster-node-timeout", "5000",
	}}
	tb.Cleanup(srv.Stop)
	// Another process may take either port before redis-server binds it;
	// then redis-server exits and the next attempt takes other ports.
	var errs []error
	for range 3 {
		if err := os.Remove(conf); err != nil && !errors.Is(err, os.ErrNotExist) {
			tb.Fatalf("removing the configuration of a failed start: %v", err)
		}
		srv.port = clusterPort(tb)
		err := srv.start()
		if err == nil {
			return srv
		}
		errs = append(errs, err)
	}
	tb.Fatalf("starting cluster node %d: %v", n, errors.Join(errs...))
	return nil
}

// clusterPort returns a loopback port that was free a moment ago, and
// whose cluster bus port (port+10000) was free too.
func clusterPort(tb testing.TB) int {
	tb.Helper()
	for range 100 {
		port := freePort(tb)
		if port+clusterBusOffset > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+clusterBusOffset)))
		if err != nil {
			continue // taken: try another port
		}
		if err := bus.Close(); err != nil {
			tb.Fatalf("finding a free cluster bus port: %v", err)
		}
		return port
	}
	tb.Fatalf("no free loopback port with a free cluster bus port (port+%d) in 100 attempts", clusterBusOffset)
	return 0
}

// waitClusterOK waits until node reports cluster_state:ok, all 16384
// slots assigned and served, and every master known. A node logs each
// change of its cluster state ("Cluster state changed: ok"), so each
// attempt reads CLUSTER INFO and, when the node is not ready, waits for
// its next log line.
func waitClusterOK(ctx context.Context, tb testing.TB, node *redisServer) {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: node.Addr()})
	defer c.Close()
	want := map[string]string{
		"cluster_state": "ok", "cluster_slots_assigned": strconv.Itoa(clusterSlots), "cluster_slots_ok": strconv.Itoa(clusterSlots),
		"cluster_known_nodes": strconv.Itoa(clusterMasters), "cluster_size": strconv.Itoa(clusterMasters),
	}
	var diff string
	for range clusterFormAttempts {
		log, next := node.Logged(tb)
		info, err := c.ClusterInfo(ctx).Result()
		if err != nil {
			tb.Fatalf("CLUSTER INFO on %s: %v\nlog:\n%s", node.Addr(), err, log)
		}
		got := infoFields(info)
		for k := range got {
			if _, ok := want[k]; !ok {
				delete(got, k)
			}
		}
		if diff = cmp.Diff(want, got); diff == "" {
			return
		}
		select {
		case <-next:
		case <-ctx.Done():
			tb.Fatalf("cluster node %s not ready within %v, CLUSTER INFO (-want +got):\n%s\nlog:\n%s", node.Addr(), clusterFormTimeout, diff, log)
		}
	}
	tb.Fatalf("cluster node %s not ready after %d reads of CLUSTER INFO (-want +got):\n%s", node.Addr(), clusterFormAttempts, diff)
}

// Addrs returns the addresses of the cluster's nodes.
func (c *redisCluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		addrs[i] = n.Addr()
	}
	return addrs
}

// newClusterClient returns a client of the cluster as an application
// would build one, closed when tb ends.
func newClusterClient(tb testing.TB, c *redisCluster, hooks ...redis.Hook) *redis.ClusterClient {
	tb.Helper()
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	for _, h := range hooks {
		cc.AddHook(h)
	}
	tb.Cleanup(func() { _ = cc.Close() })
	return cc
}

// redisMaster is one master of a cluster (or a single redis-server), with
// a client of its own.
type redisMaster struct {
	name   string // m1, m2, …, in the order of their slots
	addr   string
	slots  string // the slot ranges it serves, such as "0-5460"
	client *redis.Client
}

// clusterMastersOf returns the masters of cc's cluster, by CLUSTER SHARDS,
// in the order of their first slots.
func clusterMastersOf(tb testing.TB, cc *redis.ClusterClient) []redisMaster {
	tb.Helper()
	shards, err := cc.ClusterShards(context.Background()).Result()
	if err != nil {
		tb.Fatalf("CLUSTER SHARDS: %v", err)
	}
	type shard struct {
		first  int64
		master redisMaster
	}
	var found []shard
	for _, sh := range shards {
		if len(sh.Slots) == 0 {
			continue // a shard without slots serves nothing
		}
		var m redisMaster
		for _, n := range sh.Nodes {
			if n.Role == "master" {
				m.addr = net.JoinHostPort(n.IP, strconv.FormatInt(n.Port, 10))
			}
		}
		if m.addr == "" {
			tb.Fatalf("CLUSTER SHARDS: no master serves slots %d-%d", sh.Slots[0].Start, sh.Slots[0].End)
		}
		slices.SortFunc(sh.Slots, func(a, b redis.SlotRange) int { return int(a.Start - b.Start) })
		for i, r := range sh.Slots {
			if i > 0 {
				m.slots += ","
			}
			m.slots += fmt.Sprintf("%d-%d", r.Start, r.End)
		}
		found = append(found, shard{first: sh.Slots[0].Start, master: m})
	}
	slices.SortFunc(found, func(a, b shard) int { return int(a.first - b.first) })
	masters := make([]redisMaster, len(found))
	for i, f := range found {
		masters[i] = f.master
		masters[i].name = fmt.Sprint("m", i+1)
	}
	for i := range masters {
		c := redis.NewClient(&redis.Options{Addr: masters[i].addr})
		tb.Cleanup(func() { _ = c.Close() })
		masters[i].client = c
	}
	return masters
}

// commandStats is what INFO commandstats tells of one command.
type commandStats struct {
	Calls    int // calls run
	Rejected int // calls refused before they ran: CROSSSLOT, MOVED, …
	Failed   int // calls that ran and answered an error: NOSCRIPT, …
}

// storeCommandStats returns the stats of the commands the store sends
// (get, mget, set, eval, evalsha) on the server c, by INFO commandstats,
// since its stats were last reset.
func storeCommandStats(tb testing.TB, c *redis.Client) map[string]commandStats {
	tb.Helper()
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		tb.Fatalf("INFO commandstats on %s: %v", c.Options().Addr, err)
	}
	stats := map[string]commandStats{}
	for k, v := range infoFields(info) {
		name := strings.TrimPrefix(k, "cmdstat_")
		switch name {
		case "get", "mget", "set", "eval", "evalsha":
		default:
			continue
		}
		// cmdstat_get:calls=1,usec=3,usec_per_call=3.00,rejected_calls=0,failed_calls=0
		var st commandStats
		for _, f := range strings.Split(v, ",") {
			fk, fv, _ := strings.Cut(f, "=")
			var field *int
			switch fk {
			case "calls":
				field = &st.Calls
			case "rejected_calls":
				field = &st.Rejected
			case "failed_calls":
				field = &st.Failed
			default:
				continue
			}
			if *field, err = strconv.Atoi(fv); err != nil {
				tb.Fatalf("INFO commandstats on %s: %s:%s: %v", c.Options().Addr, k, v, err)
			}
		}
		stats[name] = st
	}
	return stats
}

// statsDelta returns the stats of a run of commands: the stats after it minus
// those before it, leaving out commands that did not run.
func statsDelta(after, before map[string]commandStats) map[string]commandStats {
	d := map[string]commandStats{}
	for name, a := range after {
		b := before[name]
		if st := (commandStats{a.Calls - b.Calls, a.Rejected - b.Rejected, a.Failed - b.Failed}); st != (commandStats{}) {
			d[name] = st
		}
	}
	return d
}

// errorReplies returns how many error replies of each kind the server c
// has sent, by INFO errorstats: {"NOSCRIPT": 3}.
func errorReplies(tb testing.TB, c *redis.Client) map[string]int {
	tb.Helper()
	info, err := c.Info(context.Background(), "errorstats").Result()
	if err != nil {
		tb.Fatalf("INFO errorstats on %s: %v", c.Options().Addr, err)
	}
	errs := map[string]int{}
	for k, v := range infoFields(info) {
		// errorstat_CROSSSLOT:count=1
		n, err := strconv.Atoi(strings.TrimPrefix(v, "count="))
		if err != nil {
			tb.Fatalf("INFO errorstats on %s: %s:%s: %v", c.Options().Addr, k, v, err)
		}
		errs[strings.TrimPrefix(k, "errorstat_")] = n
	}
	return errs
}

// infoFields returns the name:value lines of an INFO or CLUSTER INFO
// reply, without section headers.
func infoFields(info string) map[string]string {
	fields := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			fields[k] = v
		}
	}
	return fields
}
