// Command bench measures what gatehouse costs above the floor — the smallest Go CDK app on the
// same modules, feature flags, Node options and launch (bench/floor: one CfnWaitConditionHandle,
// aws-cdk-lib's core only; bench/floorbucket, the previous floor with one bucket, is a second,
// labelled row) — prints the ratios `make bench` reports, where one synth's time goes, what
// each optional stack adds, and, apart from the ratios, what make test-web and make test-calls
// take. It is a benchmark, not a test: it never fails on time.
//
//	go run ./bench [-pairs 5] [-cold=true]
//
// Pairs alternate the two commands, so drift on the machine hits both; medians are reported.
// Peak memory is the largest sum of the resident sets of a command's whole process tree (the CLI,
// the app, the jsii kernel's Node process and gatehouse's validator process), sampled every 5 ms
// from /proc. The test ratio's pairs (make test-go and the synth it is divided by) run without
// that sampler: it reads every process's /proc entries 200 times a second, which on two cores
// slows a command by more the more processes it starts, and the test ratio uses no memory.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

type sample struct {
	seconds float64
	rssMB   float64
	output  string
}

func main() {
	pairs := flag.Int("pairs", 5, "measured pairs per ratio (at least 5)")
	cold := flag.Bool("cold", true, "also measure with fresh module and build caches")
	warm := flag.Bool("warm", true, "measure the warm ratios (-warm=false: cold numbers only)")
	flag.Parse()
	if *pairs < 5 {
		*pairs = 5
	}
	root, _ := os.Getwd()
	work, err := os.MkdirTemp("", "gatehouse-bench-")
	check(err)
	defer os.RemoveAll(work)

	env := append(os.Environ(), "PATH="+filepath.Join(root, "node_modules", ".bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CDK_DISABLE_CLI_TELEMETRY=true")
	floor := buildFloor(root, work, env, "floor")
	floorBucket := buildFloor(root, work, env, "floorbucket")
	synthApp := func() sample {
		return run(root, env, "cdk", "--no-notices", "synth", "--quiet", "-o", filepath.Join(work, "app.out"))
	}
	synthAppTimed := func() sample {
		return runTimed(root, env, "cdk", "--no-notices", "synth", "--quiet", "-o", filepath.Join(work, "app.out"))
	}
	// The app as cdk.json runs it, but with aws-cdk-lib's in-synth validator instead of
	// gatehouse's validator process: what the app costs with the floor's way of validating.
	var cdkJSON struct{ App string }
	check(json.Unmarshal(must(os.ReadFile(filepath.Join(root, "cdk.json"))), &cdkJSON))
	inSynthApp := strings.Replace(cdkJSON.App, "CDK_VALIDATION=false ", "", 1)
	synthAppInSynth := func() sample {
		return run(root, env, "cdk", "--no-notices", "synth", "--quiet", "-a", inSynthApp, "-o", filepath.Join(work, "insynth.out"))
	}
	synthIn := func(dir string) func() sample {
		return func() sample {
			return run(dir, env, "cdk", "--no-notices", "synth", "--quiet", "-o", filepath.Join(dir, "cdk.out"))
		}
	}
	// The test ratio's numerator: make test's Go part (make test-go); the web app's checks are
	// reported apart (measureWeb).
	testAll := func() sample {
		return runTimed(root, append(env, "GOFLAGS=-count=1"), "make", "--no-print-directory", "test-go")
	}

	printMachine()
	if *warm {
		measureWarm(root, work, env, *pairs, synthApp, synthAppInSynth, synthIn(floor), synthIn(floorBucket), testAll, synthAppTimed)
		measureParts(root, work, env, *pairs)
		measureWeb(root, env)
		measureCalls(root, env)
	}
	if *cold {
		measureCold(root, work, env)
	}
}

// measureWarm: the synth and memory ratios from sampled runs; the test ratio from unsampled
// pairs (testAll, synthAppTimed).
func measureWarm(root, work string, env []string, pairs int, synthApp, synthAppInSynth, synthFloor, synthFloorBucket, testAll, synthAppTimed func() sample) {
	fmt.Println("warming up (one run of each, not counted)...")
	synthApp()
	synthAppInSynth()
	synthFloor()
	synthFloorBucket()
	testAll()

	var app, inSynth, floor, bucket []sample
	for i := 0; i < pairs; i++ {
		app = append(app, synthApp())
		floor = append(floor, synthFloor())
		inSynth = append(inSynth, synthAppInSynth())
		bucket = append(bucket, synthFloorBucket())
		fmt.Printf("  synth run %d: app %.2fs %.0fMB, floor %.2fs %.0fMB, app with in-synth validation %.2fs %.0fMB, bucket floor %.2fs\n",
			i+1, app[i].seconds, app[i].rssMB, floor[i].seconds, floor[i].rssMB, inSynth[i].seconds, inSynth[i].rssMB, bucket[i].seconds)
	}
	var tests, synths []sample
	for i := 0; i < pairs; i++ {
		tests = append(tests, testAll())
		synths = append(synths, synthAppTimed())
		fmt.Printf("  test pair %d: make test-go %.2fs, synth %.2fs\n", i+1, tests[i].seconds, synths[i].seconds)
	}

	appT, floorT, bucketT, inSynthT := median(app, secs), median(floor, secs), median(bucket, secs), median(inSynth, secs)
	appM, floorM, inSynthM := median(app, rss), median(floor, rss), median(inSynth, rss)
	testT, synthT := median(tests, secs), median(synths, secs)
	fmt.Println()
	fmt.Printf("synth:  gatehouse %.2fs, floor %.2fs  -> synth ratio  %.2f (target <= 1.25)\n", appT, floorT, appT/floorT)
	fmt.Printf("        (bucket floor %.2fs          -> ratio        %.2f)\n", bucketT, appT/bucketT)
	fmt.Printf("        (gatehouse validating in-synth as the floor does: %.2fs -> ratio %.2f, memory %.0fMB -> %.2f)\n", inSynthT, inSynthT/floorT, inSynthM, inSynthM/floorM)
	fmt.Printf("test:   make test-go %.2fs, one synth %.2fs -> test ratio %.2f (target <= 2.0)\n", testT, synthT, testT/synthT)
	fmt.Printf("memory: gatehouse %.0fMB, floor %.0fMB -> memory ratio %.2f (target <= 1.15)\n", appM, floorM, appM/floorM)
	spread := func(samples []sample) string {
		values := make([]float64, len(samples))
		for i, s := range samples {
			values[i] = s.seconds
		}
		return fmt.Sprintf("%.2f-%.2fs", slices.Min(values), slices.Max(values))
	}
	fmt.Printf("spread: gatehouse synth %s, floor %s, make test-go %s\n", spread(app), spread(floor), spread(tests))
}

// measureWeb times make test-web (the web app's checks, the other part of make test) after one
// run that warms next build's cache, with the per-step times its last line gives. Not part of
// any ratio.
func measureWeb(root string, env []string) {
	fmt.Println()
	fmt.Println("the web app's checks (make test-web; not in the test ratio):")
	run(root, env, "make", "--no-print-directory", "test-web")
	var runs []sample
	for i := 0; i < 3; i++ {
		runs = append(runs, run(root, env, "make", "--no-print-directory", "test-web"))
		steps := "(no per-step line)"
		for _, line := range strings.Split(runs[i].output, "\n") {
			if rest, ok := strings.CutPrefix(line, "web checks: "); ok {
				steps = rest
			}
		}
		fmt.Printf("  run %d: %.1fs, peak %.0fMB: %s\n", i+1, runs[i].seconds, runs[i].rssMB, steps)
	}
	fmt.Printf("web:    make test-web %.1fs (median of 3)\n", median(runs, secs))
}

// measureCalls times make test-calls (the functions run against the stand-ins, every AWS call
// checked against its role: the third part of make test) after one run that builds what it
// needs, with the time its main test took (the rest: make's staleness checks, go mod download,
// dynalite's start, the web check). Not part of any ratio.
func measureCalls(root string, env []string) {
	fmt.Println()
	fmt.Println("the AWS calls against the roles (make test-calls; not in the test ratio):")
	run(root, env, "make", "--no-print-directory", "test-calls")
	var runs []sample
	for i := 0; i < 3; i++ {
		runs = append(runs, run(root, env, "make", "--no-print-directory", "test-calls"))
		binary := "(no test time in its log)"
		if raw, err := os.ReadFile(filepath.Join(root, "build", "calls-test.log")); err == nil {
			for _, line := range strings.Split(string(raw), "\n") {
				if took, ok := strings.CutPrefix(line, "--- PASS: TestLeastPrivilege ("); ok {
					binary = "the functions and their checks " + strings.TrimSuffix(took, ")")
				}
			}
		}
		fmt.Printf("  run %d: %.1fs, peak %.0fMB: %s\n", i+1, runs[i].seconds, runs[i].rssMB, binary)
	}
	fmt.Printf("calls:  make test-calls %.1fs (median of 3)\n", median(runs, secs))
}

// measureParts runs the app directly (as the CLI runs it: CDK_OUTDIR, CDK_CONTEXT_JSON), with
// its phase timings (GATEHOUSE_TIMINGS), with and without the CloudFormation validator, and with
// each optional stack left out or added: where one synth's time goes, and what each stack costs.
func measureParts(root, work string, env []string, pairs int) {
	context := cdkContext(root)
	variant := func(change func(dev map[string]any)) map[string]any {
		raw, _ := json.Marshal(context)
		var c map[string]any
		_ = json.Unmarshal(raw, &c)
		c["env"] = "dev"
		change(c["environments"].(map[string]any)["dev"].(map[string]any))
		return c
	}
	type phases map[string]float64
	// synthWith runs binary (the app) on context; validate: "process" (as cdk.json runs it),
	// "off" (no validator) or "in-synth" (aws-cdk-lib's plugin).
	synthWith := func(binary string, context map[string]any, validate string) phases {
		file := filepath.Join(work, "timings.json")
		e := append(slices.Clone(env), "CDK_OUTDIR="+filepath.Join(work, "parts.out"), "CDK_CONTEXT_JSON="+string(must(json.Marshal(context))),
			"GATEHOUSE_TIMINGS="+file, "NODE_OPTIONS=--max-semi-space-size=4")
		switch validate {
		case "process": // as cdk.json runs the app
			e = append(e, "CDK_VALIDATION=false")
		case "off":
			e = append(e, "CDK_VALIDATION=false", "GATEHOUSE_VALIDATOR=off")
		}
		check(os.RemoveAll(filepath.Join(work, "parts.out")))
		s := run(root, e, binary)
		var p phases
		check(json.Unmarshal(must(os.ReadFile(file)), &p))
		p["total"] = s.seconds
		for key, seconds := range p {
			if strings.HasPrefix(key, "constructs ") {
				p["constructs"] += seconds
			}
		}
		return p
	}
	synth := func(context map[string]any, validate string) phases {
		return synthWith(filepath.Join(root, "build", "gatehouse"), context, validate)
	}
	// The app built without cdk-nag (a bench-only build tag), to time cdk-nag.
	withoutNag := filepath.Join(work, "gatehouse-without-nag")
	run(root, env, "go", "build", "-tags", "gatehouse_bench_without_nag", "-o", withoutNag, "./bin")
	med := func(runs []phases, key string) float64 {
		values := make([]float64, len(runs))
		for i, r := range runs {
			values[i] = r[key]
		}
		slices.Sort(values)
		return values[len(values)/2]
	}
	withDev := variant(func(map[string]any) {})
	noHosting := variant(func(d map[string]any) { delete(d, "amplify") })
	noDelivery := variant(func(d map[string]any) { delete(d, "delivery") })
	noAPI := variant(func(d map[string]any) { delete(d, "api") })
	withCross := variant(func(d map[string]any) {
		d["crossAccount"] = map[string]any{"trustedAccountId": "444455556666", "externalId": "bench-partner"}
	})
	var with, without, nagless, inSynth, hostingOff, deliveryOff, apiOff, crossOn []phases
	for i := 0; i < pairs; i++ {
		with = append(with, synth(withDev, "process"))
		nagless = append(nagless, synthWith(withoutNag, withDev, "process"))
		without = append(without, synth(withDev, "off"))
		inSynth = append(inSynth, synth(withDev, "in-synth"))
		hostingOff = append(hostingOff, synth(noHosting, "process"))
		deliveryOff = append(deliveryOff, synth(noDelivery, "process"))
		apiOff = append(apiOff, synth(noAPI, "process"))
		crossOn = append(crossOn, synth(withCross, "process"))
	}
	fmt.Println()
	fmt.Println("one synth of dev, the app run directly (medians of", pairs, "runs):")
	fmt.Printf("  jsii start and aws-cdk-lib load   %.2fs  (%.2fs without the validator loading beside it)\n", med(with, "jsii"), med(without, "jsii"))
	fmt.Printf("  building the constructs           %.2fs  (%.2fs)\n", med(with, "constructs"), med(without, "constructs"))
	for _, part := range []string{"auth", "hosting", "uploads", "server", "delivery", "api"} {
		fmt.Printf("    %-12s                    %.2fs\n", part, med(with, "constructs "+part))
	}
	fmt.Printf("  synthesis with cdk-nag            %.2fs  (%.2fs)\n", med(with, "synth"), med(without, "synth"))
	fmt.Printf("    cdk-nag                         %.2fs  (the app built without it: synthesis %.2fs)\n", med(with, "synth")-med(nagless, "synth"), med(nagless, "synth"))
	fmt.Printf("    the rest: templates, assembly   %.2fs\n", med(nagless, "synth"))
	fmt.Printf("  reading the findings back         %.2fs\n", med(with, "findings"))
	fmt.Printf("  CloudFormation validator          %.2fs  waiting for its results (it loads beside the above)\n", med(with, "validator"))
	fmt.Printf("  the app process in all            %.2fs  (the CLI adds the rest of a cdk synth)\n", med(with, "total"))
	fmt.Printf("  without the validator             %.2fs\n", med(without, "total"))
	fmt.Printf("  with aws-cdk-lib's in-synth validator instead (how the floor validates): %.2fs (its synthesis %.2fs)\n", med(inSynth, "total"), med(inSynth, "synth"))
	fmt.Println("what each optional stack adds to that process:")
	fmt.Printf("  hosting (Amplify app, compute roles, topic)   %+.2fs\n", med(with, "total")-med(hostingOff, "total"))
	fmt.Printf("  delivery (distribution, signer, secret, logs) %+.2fs  (constructs %+.2fs, synthesis and validator %+.2fs)\n",
		med(with, "total")-med(deliveryOff, "total"), med(with, "constructs")-med(deliveryOff, "constructs"), med(with, "synth")-med(deliveryOff, "synth"))
	fmt.Printf("  api (REST API, authorizer, token table, three functions) %+.2fs  (constructs %+.2fs)\n",
		med(with, "total")-med(apiOff, "total"), med(with, "constructs")-med(apiOff, "constructs"))
	fmt.Printf("  crossaccount (role, exchange bucket, topic)   %+.2fs\n", med(crossOn, "total")-med(with, "total"))
}

// buildFloor builds bench/<name> once and writes a cdk.json for it in work/<name>: the same
// context (feature flags) and Node options as gatehouse's, a prebuilt binary as the app.
func buildFloor(root, work string, env []string, name string) string {
	dir := filepath.Join(work, name)
	check(os.MkdirAll(dir, 0o755))
	binary := filepath.Join(dir, name)
	run(root, env, "go", "build", "-o", binary, "./bench/"+name)
	context := cdkContext(root)
	delete(context, "environments")
	out, _ := json.MarshalIndent(map[string]any{"app": `NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=4}" ` + binary, "context": context}, "", "  ")
	check(os.WriteFile(filepath.Join(dir, "cdk.json"), append(out, '\n'), 0o644))
	return dir
}

// cdkContext is the context of gatehouse's cdk.json.
func cdkContext(root string) map[string]any {
	var config struct {
		Context map[string]any `json:"context"`
	}
	check(json.Unmarshal(must(os.ReadFile(filepath.Join(root, "cdk.json"))), &config))
	return config.Context
}

func must[T any](v T, err error) T {
	check(err)
	return v
}

// measureCold runs each command once with fresh module and build caches (and no prebuilt app).
func measureCold(root, work string, env []string) {
	{
		fmt.Println()
		fmt.Println("cold (fresh GOMODCACHE and GOCACHE, no prebuilt app: module download, full build, then synth or test):")
		check(os.RemoveAll(filepath.Join(root, "build", "gatehouse")))
		coldEnv := func(name string) []string {
			return append(slices.Clone(env), "GOMODCACHE="+filepath.Join(work, name, "mod"), "GOCACHE="+filepath.Join(work, name, "build"), "GOFLAGS=-count=1 -modcacherw")
		}
		s := run(root, coldEnv("synth"), "cdk", "--no-notices", "synth", "--quiet", "-o", filepath.Join(work, "cold.out"))
		fmt.Printf("  cdk synth: %.1fs, peak %.0fMB\n", s.seconds, s.rssMB)
		f := run(root, coldEnv("floor"), "go", "build", "-o", filepath.Join(work, "coldfloor"), "./bench/floor")
		fmt.Printf("  floor build: %.1fs, peak %.0fMB\n", f.seconds, f.rssMB)
		t := run(root, coldEnv("test"), "make", "--no-print-directory", "test-go")
		fmt.Printf("  make test-go: %.1fs, peak %.0fMB\n", t.seconds, t.rssMB)
	}
}

func secs(s sample) float64 { return s.seconds }
func rss(s sample) float64  { return s.rssMB }

func median(samples []sample, f func(sample) float64) float64 {
	values := make([]float64, len(samples))
	for i, s := range samples {
		values[i] = f(s)
	}
	slices.Sort(values)
	n := len(values)
	if n%2 == 1 {
		return values[n/2]
	}
	return (values[n/2-1] + values[n/2]) / 2
}

// run runs a command to completion, sampling its process tree's memory, and fails the
// benchmark if it fails.
func run(dir string, env []string, name string, args ...string) sample {
	return execute(dir, env, true, name, args...)
}

// runTimed is run without the memory sampler: the wall time only (rssMB 0).
func runTimed(dir string, env []string, name string, args ...string) sample {
	return execute(dir, env, false, name, args...)
}

func execute(dir string, env []string, sampleMemory bool, name string, args ...string) sample {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Start()
	peak := make(chan int64, 1)
	done := make(chan struct{})
	if err == nil {
		if sampleMemory {
			go func() { peak <- samplePeak(cmd.Process.Pid, done) }()
		} else {
			peak <- 0
		}
		err = cmd.Wait()
	}
	elapsed := time.Since(start).Seconds()
	close(done)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s %s in %s failed: %v\n%s", name, strings.Join(args, " "), dir, err, out.String())
		os.Exit(1)
	}
	return sample{seconds: elapsed, rssMB: float64(<-peak) / (1 << 20), output: out.String()}
}

// samplePeak returns the largest sum of resident set sizes (bytes) of pid and its descendants,
// sampled every 5 ms until done is closed.
func samplePeak(pid int, done <-chan struct{}) int64 {
	var peak int64
	page := int64(os.Getpagesize())
	for {
		if total := treeResidentPages(pid) * page; total > peak {
			peak = total
		}
		select {
		case <-done:
			return peak
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// treeResidentPages sums the resident pages (/proc/<pid>/statm) of pid and its descendants.
func treeResidentPages(root int) int64 {
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 {
			parent[pid], _ = strconv.Atoi(fields[1])
		}
	}
	inTree := func(pid int) bool {
		for ; pid > 1; pid = parent[pid] {
			if pid == root {
				return true
			}
		}
		return false
	}
	var pages int64
	for pid := range parent {
		if !inTree(pid) {
			continue
		}
		if statm, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid)); err == nil {
			if fields := strings.Fields(string(statm)); len(fields) > 1 {
				n, _ := strconv.ParseInt(fields[1], 10, 64)
				pages += n
			}
		}
	}
	return pages
}

func printMachine() {
	cpu := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	mem := ""
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		mem = strings.TrimSpace(strings.SplitN(strings.SplitN(string(raw), "\n", 2)[0], ":", 2)[1])
	}
	node, _ := exec.Command("node", "--version").Output()
	fmt.Printf("machine: %d cores, %s, %s memory, %s, %s, node %s\n", runtime.NumCPU(), cpu, mem, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, strings.TrimSpace(string(node)))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
