// Command instrtable counts the instructions of one operation of each
// benchmark of the typedjwt suite with valgrind's callgrind, and prints a
// Markdown table of the counts and their ratios, with a PASS/MISS column for
// each performance target that is measured in instructions.
//
// Instruction counts do not depend on what else the machine is doing, so
// they compare the sides of a benchmark reliably on a shared, noisy
// machine, where timings drift by tens of percent; cmd/benchtable gives the
// times. They are not times: a cache miss or a slow instruction counts as
// one, and valgrind's CPU has no SHA extensions, so SHA-256 runs its AVX2
// code, which takes more instructions than the SHA-NI code a modern x86
// CPU runs.
//
// For each benchmark it runs the compiled test binary under callgrind
// twice, with -test.benchtime=1x and with Nx, and divides the difference by
// N-1: everything outside the benchmark loop (start-up, key generation,
// the set-up of the benchmark) is counted in both runs and cancels out.
// Both runs use one CPU (GOMAXPROCS=1), so that no idle thread spins while
// the other works, and the run to run spread stays under a few hundred
// instructions per operation. Garbage collection triggered by the loop's
// allocations is counted, as it is part of their cost.
//
// Go under valgrind 3.19 needs GODEBUG=cpu.rdtscp=off (valgrind does not
// implement RDTSCP, which Go 1.26 uses when the CPU reports it) and
// asyncpreemptoff=1 (callgrind asserts on the signals of asynchronous
// preemption); instrtable sets both.
//
// Usage, from the bench directory (Debian: apt-get install valgrind):
//
//	go run ./cmd/instrtable                      # every benchmark, about 10 minutes on 2 cores
//	go run ./cmd/instrtable -bench 'Verify/HS256' # the benchmarks whose name matches
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// The benchmarks counted, without the Benchmark prefix.
var (
	algs     = []string{"HS256", "RS256", "ES256", "EdDSA"}
	sizes    = []string{"roles=1", "roles=10", "roles=100", "token=4KiB"}
	sideList = []string{"typedjwt", "golang-jwt", "floor"}
)

func benchmarks(jwx bool) []string {
	sides := sideList
	if jwx {
		sides = append(sides[:2:2], "jwx", "floor")
	}
	var list []string
	for _, op := range []string{"Verify", "Issue"} {
		for _, alg := range algs {
			for _, s := range sides {
				list = append(list, op+"/"+alg+"/"+s)
			}
		}
	}
	for _, sz := range sizes {
		for _, s := range sideList {
			list = append(list, "VerifySize/"+sz+"/"+s)
		}
	}
	return append(list, "Middleware/bare", "Middleware/typedjwt")
}

// iterations returns N for a benchmark: fewer for the slow operations, so
// that every run under callgrind takes seconds, not minutes.
func iterations(name string, n int) int {
	switch {
	case strings.HasPrefix(name, "Issue/RS256/"):
		n /= 50
	case strings.Contains(name, "/RS256/"), strings.Contains(name, "/ES256/"), strings.Contains(name, "/EdDSA/"),
		strings.Contains(name, "/jwx"), strings.Contains(name, "token=4KiB"):
		n /= 5
	}
	return max(n, 11)
}

func main() {
	n := flag.Int("n", 1000, "iterations of the cheap benchmarks (the slow ones run fewer)")
	dir := flag.String("dir", ".", "directory of the bench module")
	match := flag.String("bench", "", "count only the benchmarks whose name (without the Benchmark prefix) matches this regular expression")
	jobs := flag.Int("j", runtime.NumCPU(), "callgrind runs at a time")
	jwx := flag.Bool("jwx", false, "count jwx as well")
	strict := flag.Bool("strict", false, "exit with status 1 when a target is missed")
	flag.Parse()
	if _, err := exec.LookPath("valgrind"); err != nil {
		fatalf("valgrind is not installed (Debian: apt-get install valgrind)")
	}
	var re *regexp.Regexp
	if *match != "" {
		var err error
		if re, err = regexp.Compile(*match); err != nil {
			fatalf("-bench: %v", err)
		}
	}

	tmp, err := os.MkdirTemp("", "instrtable")
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

	var names []string
	for _, name := range benchmarks(*jwx) {
		if re == nil || re.MatchString(name) {
			names = append(names, name)
		}
	}
	counts := make(map[string]count, len(names))
	var mu sync.Mutex
	sem := make(chan struct{}, max(*jobs, 1))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := measure(bin, *dir, tmp, i, name, iterations(name, *n))
			if err != nil {
				fatalf("%s: %v", name, err)
			}
			logf("%-34s %10.0f instructions/op  %4.0f allocs/op", name, c.instr, c.allocs)
			mu.Lock()
			counts[name] = c
			mu.Unlock()
		}()
	}
	wg.Wait()
	if missed := report(os.Stdout, counts); *strict && missed > 0 {
		os.Exit(1)
	}
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "instrtable: "+format+"\n", args...) }

func fatalf(format string, args ...any) {
	logf(format, args...)
	os.Exit(2)
}

// count is what one benchmark costs per operation.
type count struct {
	instr, allocs, bytes, tokenBytes float64
	n                                int
}

// measure runs benchmark name under callgrind with 1 and n iterations.
func measure(bin, dir, tmp string, id int, name string, n int) (count, error) {
	one, _, err := callgrind(bin, dir, filepath.Join(tmp, fmt.Sprintf("%d.1.out", id)), name, 1)
	if err != nil {
		return count{}, err
	}
	many, out, err := callgrind(bin, dir, filepath.Join(tmp, fmt.Sprintf("%d.n.out", id)), name, n)
	if err != nil {
		return count{}, err
	}
	c := parseBench(out)
	c.instr = float64(many-one) / float64(n-1)
	c.n = n
	return c, nil
}

// pattern turns "Verify/HS256/typedjwt" into the -test.bench pattern that
// selects that benchmark alone.
func pattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	parts[0] = "^Benchmark" + regexp.QuoteMeta(strings.Split(name, "/")[0]) + "$"
	return strings.Join(parts, "/")
}

// callgrind runs one benchmark for iters iterations and returns the
// instructions of the whole run and the benchmark's output.
func callgrind(bin, dir, outFile, name string, iters int) (int64, []byte, error) {
	cmd := exec.Command("valgrind", "--tool=callgrind", "--callgrind-out-file="+outFile,
		bin, "-test.run=^$", "-test.bench="+pattern(name), "-test.benchtime="+strconv.Itoa(iters)+"x",
		"-test.benchmem", "-test.cpu=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1", "GODEBUG=cpu.rdtscp=off,asyncpreemptoff=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, nil, fmt.Errorf("%v\n%s%s", err, out, stderr.Bytes())
	}
	if !bytes.Contains(out, []byte("Benchmark")) {
		return 0, nil, fmt.Errorf("no benchmark ran:\n%s", out)
	}
	f, err := os.ReadFile(outFile)
	if err != nil {
		return 0, nil, err
	}
	os.Remove(outFile)
	sc := bufio.NewScanner(bytes.NewReader(f))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "totals: "); ok {
			total, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return total, out, err
		}
	}
	return 0, nil, fmt.Errorf("no totals in %s", outFile)
}

// parseBench reads allocs/op, B/op and token-bytes from benchmark output.
func parseBench(out []byte) count {
	var c count
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "allocs/op":
				c.allocs = v
			case "B/op":
				c.bytes = v
			case "token-bytes":
				c.tokenBytes = v
			}
		}
	}
	return c
}

// check is one target: a measured value against a limit.
type check struct {
	value float64
	ok    bool // the value could be measured
	limit float64
}

func (c check) verdict() string {
	switch {
	case !c.ok:
		return "n/a"
	case c.value <= c.limit:
		return "PASS"
	}
	return "**MISS**"
}

// report prints the tables and returns the number of missed targets.
func report(w io.Writer, counts map[string]count) int {
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
	get := func(name string) (count, bool) { c, ok := counts[name]; return c, ok }
	ratio := func(a, b string) (float64, bool) {
		x, ok1 := get(a)
		y, ok2 := get(b)
		if !ok1 || !ok2 || y.instr <= 0 {
			return 0, false
		}
		return x.instr / y.instr, true
	}
	instr := func(name string) string {
		if c, ok := get(name); ok {
			return fmtInstr(c.instr)
		}
		return "–"
	}
	allocs := func(name string) string {
		if c, ok := get(name); ok {
			return strconv.FormatFloat(c.allocs, 'f', 0, 64)
		}
		return "–"
	}
	_, jwx := get("Verify/HS256/jwx")

	fmt.Fprintf(w, "### typedjwt benchmarks: instructions per operation\n\n")
	fmt.Fprintf(w, "%s, %s/%s, callgrind (valgrind %s), one CPU; each count is (run of N iterations − run of 1) / (N−1).\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, valgrindVersion())

	fmt.Fprintf(w, "#### Verify and issue\n\n| operation | typedjwt | golang-jwt v5 |")
	if jwx {
		fmt.Fprintf(w, " jwx v2 |")
	}
	fmt.Fprintf(w, " floor (stdlib) | typedjwt / golang-jwt | typedjwt / floor | allocs (typedjwt / golang-jwt / floor) | target | result |\n|---|--:|--:|")
	if jwx {
		fmt.Fprintf(w, "--:|")
	}
	fmt.Fprintf(w, "--:|--:|--:|--:|---|---|\n")
	row := func(label, base, target string, checks ...check) {
		var verdicts []string
		for _, c := range checks {
			verdicts = append(verdicts, tally(c))
		}
		tj, gj, fl := base+"typedjwt", base+"golang-jwt", base+"floor"
		rg, okg := ratio(tj, gj)
		rf, okf := ratio(tj, fl)
		fmt.Fprintf(w, "| %s | %s | %s |", label, instr(tj), instr(gj))
		if jwx {
			fmt.Fprintf(w, " %s |", instr(base+"jwx"))
		}
		fmt.Fprintf(w, " %s | %s | %s | %s / %s / %s | %s | %s |\n", instr(fl), fmtRatio(rg, okg), fmtRatio(rf, okf),
			allocs(tj), allocs(gj), allocs(fl), target, strings.Join(verdicts, "; "))
	}
	for _, op := range []string{"Verify", "Issue"} {
		for _, alg := range algs {
			base := op + "/" + alg + "/"
			if _, ok := get(base + "typedjwt"); !ok {
				continue
			}
			rg, okg := ratio(base+"typedjwt", base+"golang-jwt")
			rf, okf := ratio(base+"typedjwt", base+"floor")
			tj, _ := get(base + "typedjwt")
			switch {
			case op == "Verify" && alg == "HS256":
				row(op+" "+alg, base, "≤ 0.5x golang-jwt; ≤ 0.75x floor; ≤ 12 allocs",
					check{rg, okg, 0.5}, check{rf, okf, 0.75}, check{tj.allocs, true, 12})
			case op == "Issue" && alg == "HS256":
				row(op+" "+alg, base, "≤ 1.0x floor; ≤ 4 allocs", check{rf, okf, 1.0}, check{tj.allocs, true, 4})
			default:
				row(op+" "+alg, base, "≤ 1.0x golang-jwt", check{rg, okg, 1.0})
			}
		}
	}

	if _, ok := get("VerifySize/roles=1/typedjwt"); ok {
		fmt.Fprintf(w, "\n#### Verify HS256 by token size\n\n")
		fmt.Fprintf(w, "| roles | token bytes | typedjwt | golang-jwt v5 | floor (stdlib) | typedjwt / golang-jwt | typedjwt / floor | allocs (typedjwt / golang-jwt / floor) | target | result |\n")
		fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|---|---|\n")
		for _, sz := range sizes {
			base := "VerifySize/" + sz + "/"
			tj, ok := get(base + "typedjwt")
			if !ok {
				continue
			}
			rg, okg := ratio(base+"typedjwt", base+"golang-jwt")
			rf, okf := ratio(base+"typedjwt", base+"floor")
			fmt.Fprintf(w, "| %s | %.0f | %s | %s | %s | %s | %s | %s / %s / %s | ≤ 0.5x golang-jwt | %s |\n",
				strings.TrimPrefix(sz, "roles="), tj.tokenBytes, instr(base+"typedjwt"), instr(base+"golang-jwt"), instr(base+"floor"),
				fmtRatio(rg, okg), fmtRatio(rf, okf), allocs(base+"typedjwt"), allocs(base+"golang-jwt"), allocs(base+"floor"),
				tally(check{rg, okg, 0.5}))
		}
	}

	mw, okm := get("Middleware/typedjwt")
	bare, okb := get("Middleware/bare")
	ver, okv := get("Verify/HS256/typedjwt")
	if okm && okb && okv {
		extra := mw.instr - bare.instr - ver.instr
		extraAllocs := mw.allocs - bare.allocs - ver.allocs
		fmt.Fprintf(w, "\n#### httpx on top of a verify (HS256, Authorization header)\n\n")
		fmt.Fprintf(w, "| bare handler | httpx | Verify | httpx − bare − Verify | allocs (httpx − bare − Verify) | target | result |\n")
		fmt.Fprintf(w, "|--:|--:|--:|--:|--:|---|---|\n")
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f | ≤ 5,000 instructions; ≤ 6 allocs | %s; %s |\n",
			fmtInstr(bare.instr), fmtInstr(mw.instr), fmtInstr(ver.instr), fmtInstr(extra), extraAllocs,
			tally(check{extra, true, 5000}), tally(check{extraAllocs, true, 6}))
	}

	fmt.Fprintf(w, "\n<details><summary>All counts</summary>\n\n| benchmark | instructions/op | B/op | allocs/op | token bytes | N |\n|---|--:|--:|--:|--:|--:|\n")
	for _, name := range benchmarks(true) {
		c, ok := get(name)
		if !ok {
			continue
		}
		tok := "–"
		if c.tokenBytes > 0 {
			tok = strconv.FormatFloat(c.tokenBytes, 'f', 0, 64)
		}
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %s | %d |\n", name, c.instr, c.bytes, c.allocs, tok, c.n)
	}
	fmt.Fprintf(w, "</details>\n\nTargets: %d passed, %d missed.\n", passed, missed)
	return missed
}

func fmtInstr(v float64) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

func fmtRatio(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.2fx", v)
}

func valgrindVersion() string {
	out, err := exec.Command("valgrind", "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "valgrind-")
}
