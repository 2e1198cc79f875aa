// Command benchtable runs the typedjwt benchmark suite interleaved over
// several rounds and prints a Markdown table of medians and ratios, with a
// PASS/MISS column for each performance target of the suite.
//
// It compiles the test binary of the bench module once, then runs it once
// per round for the sequential benchmarks and once for the b.RunParallel
// ones (with -cpu 1,N). The sides of one comparison (typedjwt, golang-jwt,
// jwx, floor) run back to back, in reverse order every other round
// (BENCH_ORDER=reverse), so that drift on a shared machine lands on every
// side alike. Times are medians over the rounds; a ratio is the median of
// the per-round ratios, each taken between samples seconds apart.
//
// Usage, from the bench directory:
//
//	go run ./cmd/benchtable -rounds 5
//
// The raw `go test` output (benchstat's input format) is kept in the file
// named by -raw, or in a temporary file whose name is printed.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The benchmark sets, as -test.bench patterns.
const (
	seqPattern = "^Benchmark(Verify|VerifySize|Issue|Middleware|KeySet|TooLarge)$"
	parPattern = "^BenchmarkParallel"
)

func main() {
	rounds := flag.Int("rounds", 5, "number of interleaved rounds")
	benchtime := flag.String("benchtime", "1s", "-benchtime for each benchmark in a round")
	cpus := flag.String("cpu", "", "-cpu list for the RunParallel benchmarks (default 1 and the number of CPUs)")
	dir := flag.String("dir", ".", "directory of the bench module")
	raw := flag.String("raw", "", "file for the raw go test output (default: a temporary file)")
	seqBench := flag.String("bench", seqPattern, "-bench pattern of the sequential run")
	parBench := flag.String("parbench", parPattern, "-bench pattern of the RunParallel run")
	noParallel := flag.Bool("noparallel", false, "skip the RunParallel benchmarks")
	strict := flag.Bool("strict", false, "exit with status 1 when a target is missed")
	benchstat := flag.Bool("benchstat", false, "also print `benchstat` of the raw output (needs benchstat in PATH)")
	flag.Parse()
	if *rounds < 1 {
		fatalf("-rounds must be at least 1")
	}
	if *cpus == "" {
		*cpus = "1"
		if n := runtime.NumCPU(); n > 1 {
			*cpus += "," + strconv.Itoa(n)
		}
	}

	tmp, err := os.MkdirTemp("", "benchtable")
	if err != nil {
		fatalf("%v", err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bench.test")
	logf("compiling the benchmarks in %s", *dir)
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Dir, build.Stdout, build.Stderr = *dir, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fatalf("go test -c: %v", err)
	}

	env := environment()
	res := newResults()
	var out bytes.Buffer
	start := time.Now()
	for r := 1; r <= *rounds; r++ {
		runs := [][]string{{"-test.bench=" + *seqBench}}
		if !*noParallel {
			runs = append(runs, []string{"-test.bench=" + *parBench, "-test.cpu=" + *cpus})
		}
		order := "forward"
		if r%2 == 0 {
			slices.Reverse(runs)
			order = "reverse"
		}
		for _, extra := range runs {
			args := append([]string{"-test.run=^$", "-test.benchmem", "-test.benchtime=" + *benchtime}, extra...)
			t0 := time.Now()
			logf("round %d/%d (%s): %s", r, *rounds, order, strings.TrimPrefix(extra[0], "-test.bench="))
			cmd := exec.Command(bin, args...)
			cmd.Dir, cmd.Stderr = *dir, os.Stderr
			cmd.Env = append(os.Environ(), "BENCH_ORDER="+order)
			b, err := cmd.Output()
			out.Write(b)
			if err != nil {
				os.Stderr.Write(b)
				fatalf("benchmark run failed: %v", err)
			}
			res.add(bytes.NewReader(b), r)
			logf("  %.0fs", time.Since(t0).Seconds())
		}
	}
	env.elapsed = time.Since(start)
	env.loadEnd = loadavg()

	rawName := *raw
	if rawName == "" {
		f, err := os.CreateTemp("", "benchtable-*.txt")
		if err != nil {
			fatalf("%v", err)
		}
		rawName = f.Name()
		f.Close()
	}
	if err := os.WriteFile(rawName, out.Bytes(), 0o644); err != nil {
		fatalf("%v", err)
	}

	env.rounds, env.benchtime, env.raw = *rounds, *benchtime, rawName
	if res.cpu != "" {
		env.cpu = res.cpu
	}
	missed := report(os.Stdout, res, env)

	if *benchstat {
		cmd := exec.Command("benchstat", rawName)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		fmt.Println("\n<details><summary>benchstat</summary>\n\n```")
		if err := cmd.Run(); err != nil {
			fmt.Printf("benchstat: %v\n", err)
		}
		fmt.Println("```\n</details>")
	}
	if *strict && missed > 0 {
		os.Exit(1)
	}
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "benchtable: "+format+"\n", args...) }

func fatalf(format string, args ...any) {
	logf(format, args...)
	os.Exit(2)
}

// env describes the machine and the run, for the report.
type env struct {
	goVersion, goos, goarch, cpu string
	ncpu                         int
	loadStart, loadEnd           string
	rounds                       int
	benchtime, raw               string
	elapsed                      time.Duration
}

func environment() env {
	e := env{goos: runtime.GOOS, goarch: runtime.GOARCH, ncpu: runtime.NumCPU(), loadStart: loadavg()}
	if b, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		e.goVersion = strings.TrimSpace(string(b))
	}
	return e
}

// loadavg returns the 1, 5 and 15 minute load averages, where the system
// tells them.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

// key names one benchmark at one GOMAXPROCS.
type key struct {
	name  string // without the "Benchmark" prefix and the -N suffix
	procs int
}

// sample is one result line.
type sample struct {
	round                         int
	ns, bytes, allocs, tokenBytes float64
}

type results struct {
	samples map[key][]sample
	order   []key
	cpu     string
}

func newResults() *results { return &results{samples: make(map[key][]sample)} }

// add reads the go test -bench output of one run of round.
func (res *results) add(r io.Reader, round int) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "cpu: "); ok {
			res.cpu = c
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		k := key{name: strings.TrimPrefix(f[0], "Benchmark"), procs: 1}
		if i := strings.LastIndexByte(k.name, '-'); i >= 0 {
			if p, err := strconv.Atoi(k.name[i+1:]); err == nil {
				k.name, k.procs = k.name[:i], p
			}
		}
		s := sample{round: round}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				s.ns = v
			case "B/op":
				s.bytes = v
			case "allocs/op":
				s.allocs = v
			case "token-bytes":
				s.tokenBytes = v
			}
		}
		if _, seen := res.samples[k]; !seen {
			res.order = append(res.order, k)
		}
		res.samples[k] = append(res.samples[k], s)
	}
	slices.SortStableFunc(res.order, func(a, b key) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return a.procs - b.procs
	})
}

// stat is the summary of one benchmark's samples.
type stat struct {
	n                             int
	ns, bytes, allocs, tokenBytes float64 // medians
	spread                        float64 // (max-min)/median of ns/op
	byRound                       map[int]float64
	ok                            bool
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func (r *results) stat(k key) stat {
	ss := r.samples[k]
	if len(ss) == 0 {
		return stat{}
	}
	pick := func(f func(sample) float64) []float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		return v
	}
	ns := pick(func(s sample) float64 { return s.ns })
	st := stat{
		n:          len(ss),
		ns:         median(ns),
		bytes:      median(pick(func(s sample) float64 { return s.bytes })),
		allocs:     median(pick(func(s sample) float64 { return s.allocs })),
		tokenBytes: median(pick(func(s sample) float64 { return s.tokenBytes })),
		byRound:    make(map[int]float64, len(ss)),
		ok:         true,
	}
	for _, s := range ss {
		st.byRound[s.round] = s.ns
	}
	if st.ns > 0 {
		st.spread = (slices.Max(ns) - slices.Min(ns)) / st.ns
	}
	return st
}

// seq returns the stat of a sequential benchmark, whatever its GOMAXPROCS.
func (r *results) seq(name string) stat {
	for _, k := range r.order {
		if k.name == name && !strings.HasPrefix(k.name, "Parallel") {
			return r.stat(k)
		}
	}
	return stat{}
}

// check is one target: a measured value against a limit.
type check struct {
	value float64
	ok    bool // the value could be measured
	le    bool // the value must be <= limit, else >=
	limit float64
}

func (c check) verdict() string {
	switch {
	case !c.ok:
		return "n/a"
	case c.le && c.value <= c.limit, !c.le && c.value >= c.limit:
		return "PASS"
	}
	return "**MISS**"
}

// ratio is the median over the rounds of a's time over b's, taken from
// the same round; rounds where either is missing are skipped.
func ratio(a, b stat) (float64, bool) {
	if !a.ok || !b.ok {
		return 0, false
	}
	var rs []float64
	for r, x := range a.byRound {
		if y, ok := b.byRound[r]; ok && y > 0 {
			rs = append(rs, x/y)
		}
	}
	if len(rs) == 0 {
		return 0, false
	}
	return median(rs), true
}

func fmtNs(s stat) string {
	if !s.ok {
		return "–"
	}
	switch {
	case s.ns >= 1e6:
		return fmt.Sprintf("%.2f ms", s.ns/1e6)
	case s.ns >= 1e4:
		return fmt.Sprintf("%.1f µs", s.ns/1e3)
	case s.ns >= 1e3:
		return fmt.Sprintf("%.2f µs", s.ns/1e3)
	}
	return fmt.Sprintf("%.1f ns", s.ns)
}

func fmtRatio(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.2fx", v)
}

// report prints the tables and returns the number of missed targets.
func report(w io.Writer, r *results, e env) int {
	var passed, missed int
	tally := func(c check) string {
		v := c.verdict()
		switch v {
		case "PASS":
			passed++
		case "**MISS**":
			missed++
		}
		return v
	}

	fmt.Fprintf(w, "### typedjwt benchmarks\n\n")
	fmt.Fprintf(w, "%s, %s/%s, %s, %d CPUs; %d interleaved rounds of -benchtime=%s, %s in all; load average %s at the start, %s at the end.\n",
		e.goVersion, e.goos, e.goarch, e.cpu, e.ncpu, e.rounds, e.benchtime, e.elapsed.Round(time.Second), e.loadStart, e.loadEnd)
	fmt.Fprintf(w, "Times are medians over the rounds; a ratio is the median of the per-round ratios (below 1: typedjwt is faster). Raw output: `%s`.\n\n", e.raw)

	// Verify and issue, per algorithm.
	fmt.Fprintf(w, "#### Verify and issue (median time per token)\n\n")
	fmt.Fprintf(w, "| operation | typedjwt | golang-jwt v5 | jwx v2 | floor (stdlib) | typedjwt / golang-jwt | typedjwt / floor | typedjwt allocs | target | result |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|---|---|\n")
	for _, op := range []string{"Verify", "Issue"} {
		for _, alg := range []string{"HS256", "RS256", "ES256", "EdDSA"} {
			base := op + "/" + alg + "/"
			tj, gj, jx, fl := r.seq(base+"typedjwt"), r.seq(base+"golang-jwt"), r.seq(base+"jwx"), r.seq(base+"floor")
			if !tj.ok && !gj.ok && !jx.ok && !fl.ok {
				continue
			}
			rg, okg := ratio(tj, gj)
			rf, okf := ratio(tj, fl)
			var targets, verdicts []string
			add := func(desc string, c check) {
				targets = append(targets, desc)
				verdicts = append(verdicts, tally(c))
			}
			switch {
			case op == "Verify" && alg == "HS256":
				add("≤ 0.5x golang-jwt", check{rg, okg, true, 0.5})
				add("≤ 0.75x floor", check{rf, okf, true, 0.75})
				add("≤ 12 allocs", check{tj.allocs, tj.ok, true, 12})
			case op == "Issue" && alg == "HS256":
				add("≤ 0.6x golang-jwt", check{rg, okg, true, 0.6})
				add("≤ 1.0x floor", check{rf, okf, true, 1.0})
				add("≤ 4 allocs", check{tj.allocs, tj.ok, true, 4})
			default:
				add("≤ 1.0x golang-jwt", check{rg, okg, true, 1.0})
			}
			fmt.Fprintf(w, "| %s %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", op, alg,
				fmtNs(tj), fmtNs(gj), fmtNs(jx), fmtNs(fl), fmtRatio(rg, okg), fmtRatio(rf, okf),
				fmtCount(tj), strings.Join(targets, "; "), strings.Join(verdicts, "; "))
		}
	}

	// Verification by token size.
	if r.seq("VerifySize/roles=1/typedjwt").ok {
		fmt.Fprintf(w, "\n#### Verify HS256 by token size (median time per token)\n\n")
		fmt.Fprintf(w, "| roles | token bytes | typedjwt | golang-jwt v5 | floor (stdlib) | typedjwt / golang-jwt | typedjwt / floor | typedjwt allocs | target | result |\n")
		fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|---|---|\n")
		for _, sz := range []string{"roles=1", "roles=10", "roles=100", "token=4KiB"} {
			base := "VerifySize/" + sz + "/"
			tj, gj, fl := r.seq(base+"typedjwt"), r.seq(base+"golang-jwt"), r.seq(base+"floor")
			if !tj.ok {
				continue
			}
			rg, okg := ratio(tj, gj)
			rf, okf := ratio(tj, fl)
			fmt.Fprintf(w, "| %s | %.0f | %s | %s | %s | %s | %s | %s | ≤ 0.5x golang-jwt | %s |\n",
				strings.TrimPrefix(sz, "roles="), tj.tokenBytes, fmtNs(tj), fmtNs(gj), fmtNs(fl), fmtRatio(rg, okg), fmtRatio(rf, okf),
				fmtCount(tj), tally(check{rg, okg, true, 0.5}))
		}
	}

	// Middleware.
	bare, tjm, jam := r.seq("Middleware/bare"), r.seq("Middleware/typedjwt"), r.seq("Middleware/jwtauth")
	if bare.ok || tjm.ok || jam.ok {
		fmt.Fprintf(w, "\n#### net/http middleware (one request, HS256 header token)\n\n")
		fmt.Fprintf(w, "| bare handler | typedjwt httpx | go-chi/jwtauth | jwtauth / typedjwt | typedjwt allocs | jwtauth allocs | target | result |\n")
		fmt.Fprintf(w, "|--:|--:|--:|--:|--:|--:|---|---|\n")
		speed, ok := ratio(jam, tjm)
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | ≥ 2x faster than jwtauth | %s |\n",
			fmtNs(bare), fmtNs(tjm), fmtNs(jam), fmtRatio(speed, ok), fmtCount(tjm), fmtCount(jam), tally(check{speed, ok, false, 2}))
		if ver := r.seq("Verify/HS256/typedjwt"); tjm.ok && bare.ok && ver.ok {
			extra := tjm.allocs - bare.allocs - ver.allocs
			fmt.Fprintf(w, "\nhttpx on top of a verify: %.0f ns (median times, for information: the target is in instructions, see cmd/instrtable) and %.0f allocations (target ≤ 6: %s).\n",
				tjm.ns-bare.ns-ver.ns, extra, tally(check{extra, true, true, 6}))
		}
	}

	// Key sets.
	k1, k10, k100 := r.seq("KeySet/keys=1"), r.seq("KeySet/keys=10"), r.seq("KeySet/keys=100")
	if k1.ok || k10.ok || k100.ok {
		fmt.Fprintf(w, "\n#### Verify with a KeySet, selected by kid (HS256)\n\n")
		fmt.Fprintf(w, "| 1 key | 10 keys | 100 keys | 100 / 1 | allocs (1 / 100) | target | result |\n")
		fmt.Fprintf(w, "|--:|--:|--:|--:|--:|---|---|\n")
		g, ok := ratio(k100, k1)
		flat := check{g, ok, true, 1.15}
		v := tally(flat)
		if ok && k100.allocs != k1.allocs {
			v = "**MISS**"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s / %s | ≤ 1.15x and the same allocs | %s |\n",
			fmtNs(k1), fmtNs(k10), fmtNs(k100), fmtRatio(g, ok), fmtCount(k1), fmtCount(k100), v)
	}

	// The size limit.
	tl, th := r.seq("TooLarge/typedjwt"), r.seq("TooLarge/httpx")
	if tl.ok || th.ok {
		fmt.Fprintf(w, "\n#### A 1 MiB token\n\n")
		fmt.Fprintf(w, "| path | time | B/op | allocs | target | result |\n")
		fmt.Fprintf(w, "|---|--:|--:|--:|---|---|\n")
		if tl.ok {
			c := check{tl.ns, true, true, 10e3}
			v := tally(c)
			if tl.allocs > 2 {
				v = "**MISS**"
			}
			fmt.Fprintf(w, "| Verifier.Verify → ErrTooLarge | %s | %.0f | %s | ≤ 10 µs, ≤ 2 allocs | %s |\n", fmtNs(tl), tl.bytes, fmtCount(tl), v)
		}
		if th.ok {
			fmt.Fprintf(w, "| httpx (Authorization header) → 401 | %s | %.0f | %s | none (for information) | – |\n", fmtNs(th), th.bytes, fmtCount(th))
		}
	}

	// Parallel scaling.
	var par []string
	for _, k := range r.order {
		if strings.HasPrefix(k.name, "Parallel") && !slices.Contains(par, k.name) {
			par = append(par, k.name)
		}
	}
	if len(par) > 0 {
		var procs []int
		for _, k := range r.order {
			if strings.HasPrefix(k.name, "Parallel") && !slices.Contains(procs, k.procs) {
				procs = append(procs, k.procs)
			}
		}
		slices.Sort(procs)
		fmt.Fprintf(w, "\n#### b.RunParallel: wall time per operation by GOMAXPROCS\n\n")
		fmt.Fprintf(w, "| benchmark |")
		for _, p := range procs {
			fmt.Fprintf(w, " cpu=%d |", p)
		}
		fmt.Fprintf(w, " speed-up %d→%d |\n|---|", procs[0], procs[len(procs)-1])
		for range procs {
			fmt.Fprintf(w, "--:|")
		}
		fmt.Fprintf(w, "--:|\n")
		for _, name := range par {
			fmt.Fprintf(w, "| %s |", name)
			for _, p := range procs {
				fmt.Fprintf(w, " %s |", fmtNs(r.stat(key{name, p})))
			}
			s, ok := ratio(r.stat(key{name, procs[0]}), r.stat(key{name, procs[len(procs)-1]}))
			fmt.Fprintf(w, " %s |\n", fmtRatio(s, ok))
		}
		fmt.Fprintf(w, "\nIdeal speed-up is the number of cores; on a shared machine other work takes its share.\n")
	}

	// Every benchmark.
	fmt.Fprintf(w, "\n<details><summary>All benchmarks (medians of %d rounds)</summary>\n\n", e.rounds)
	fmt.Fprintf(w, "| benchmark | GOMAXPROCS | ns/op | spread | B/op | allocs/op | token bytes | n |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, k := range r.order {
		s := r.stat(k)
		tok := "–"
		if s.tokenBytes > 0 {
			tok = fmt.Sprintf("%.0f", s.tokenBytes)
		}
		fmt.Fprintf(w, "| %s | %d | %.0f | ±%.0f%% | %.0f | %s | %s | %d |\n",
			k.name, k.procs, s.ns, 50*s.spread, s.bytes, fmtCount(s), tok, s.n)
	}
	fmt.Fprintf(w, "\nspread: half the range of ns/op over the rounds, relative to the median.\n</details>\n")

	fmt.Fprintf(w, "\nTargets: %d passed, %d missed.\n", passed, missed)
	return missed
}

func fmtCount(s stat) string {
	if !s.ok {
		return "–"
	}
	if s.allocs == math.Trunc(s.allocs) {
		return strconv.FormatFloat(s.allocs, 'f', 0, 64)
	}
	return strconv.FormatFloat(s.allocs, 'f', 1, 64)
}
