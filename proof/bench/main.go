// Command bench measures what gatehouse costs above the floor — the smallest Go CDK app on the
// same modules, feature flags, Node options and launch (proof/bench/floor: one CfnWaitConditionHandle,
// aws-cdk-lib's core only) — and prints the ratios `make bench` reports: first, against the bare
// floor (aws-cdk-lib's validation off, CDK_VALIDATION=false: jsii's start, aws-cdk-lib's load,
// one resource), one `cdk synth` of gatehouse's dev in three cases — nothing changed since the
// last synth, one stack changed (the edit loop: a context value of the api stack set anew each
// run), every template new (its synth and validation caches emptied), each also against the
// floor tuned with gatehouse's levers on jsii (compile cache, kernel without its launcher), and the
// edit loop once more with no check at all (no validator, the app built without cdk-nag) — then the rows against
// the floor as aws-cdk-lib ships it (validating in-synth) and proof/bench/floorbucket (the previous
// floor), where one synth's time goes, what each optional stack adds, and, apart from the
// ratios, what make test-web and make test-calls take. It is a benchmark, not a test: it never
// fails on time.
//
//	go run ./proof/bench [-pairs 5] [-cold=true]
//
// gatehouse runs in a copy of the repository (its tracked files, the built app and functions
// hard-linked, node_modules linked), so that its cdk.json and caches can be changed without
// touching the working tree's. Pairs alternate the two commands, so drift on the machine hits
// both; medians are reported, with the spread. Peak memory is the largest sum of the resident
// sets of a command's whole process tree (the CLI, the app, the jsii kernel's Node process and
// gatehouse's validator process), sampled every 5 ms from /proc. The test ratio's pairs (make
// test-go and the synth it is divided by) run without that sampler: it reads every process's
// /proc entries 200 times a second, which on two cores slows a command by more the more
// processes it starts, and the test ratio uses no memory.
package main

import (
	"crypto/sha256"
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

	"github.com/gatehouse-cdk/gatehouse/internal/cfnvalidate"
)

type sample struct {
	seconds float64
	rssMB   float64
	// cpu is the CPU time (user and system) of the command and the descendants it waited for:
	// less sensitive than the wall time to other work on the machine.
	cpu    float64
	output string
}

func main() {
	pairs := flag.Int("pairs", 5, "measured pairs per ratio (at least 5)")
	cold := flag.Bool("cold", true, "also measure with fresh module and build caches")
	warm := flag.Bool("warm", true, "measure the warm ratios (-warm=false: cold numbers only)")
	only := flag.String("only", "", "cases: only the three cases against the bare floor (the primary figures); test: only the test ratio")
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
	printMachine()
	if *warm {
		repo := copyRepo(root, work)
		floor := buildFloor(root, work, env, "floor", bareFloor)
		synth := func(dir string, extra ...string) func() sample {
			return func() sample {
				return run(dir, append(slices.Clone(env), extra...), "cdk", "--no-notices", "synth", "--quiet", "-o", filepath.Join(dir, "cdk.out"))
			}
		}
		var withoutNag, withoutChecks string // the app without checks: the cases and the parts use it
		if *only != "test" {
			withoutNag, withoutChecks = buildWithoutChecks(root, work, env)
			unchecked := func() sample {
				return run(repo, env, "cdk", "--no-notices", "synth", "--quiet", "--app", withoutChecks, "-o", filepath.Join(work, "unchecked.out"))
			}
			measureCases(root, repo, *pairs, synth(floor), synth(buildFloor(root, work, env, "floor", tunedFloor)), synth(repo), unchecked)
		}
		if *only == "cases" {
			return
		}
		shipped := buildFloor(root, work, env, "floor", shippedFloor)
		bucket := buildFloor(root, work, env, "floorbucket", shippedFloor)
		if *only == "" {
			measureShipped(repo, *pairs, synth(floor), synth(shipped), synth(bucket), synth(repo, "GATEHOUSE_VALIDATOR=in-synth"))
		}
		testAll := func() sample {
			return runTimed(root, append(slices.Clone(env), "GOFLAGS=-count=1"), "make", "--no-print-directory", "test-go")
		}
		synthTimed := func() sample {
			return runTimed(repo, env, "cdk", "--no-notices", "synth", "--quiet", "-o", filepath.Join(repo, "cdk.out"))
		}
		measureTest(repo, *pairs, testAll, synthTimed)
		if *only == "test" {
			return
		}
		measureParts(repo, work, env, *pairs, withoutNag)
		measureWeb(root, env)
		measureCalls(root, env)
	}
	if *cold {
		measureCold(root, work, env)
	}
}

// copyRepo makes the copy of the repository gatehouse is measured in: its tracked files (with
// their modification times, so make finds the app and functions up to date), build/gatehouse,
// build/functions and build/jsii-runtime hard-linked (copied across file systems), node_modules a symbolic link.
func copyRepo(root, work string) string {
	repo := filepath.Join(work, "gatehouse")
	files := strings.Fields(string(must(exec.Command("git", "-C", root, "ls-files").Output())))
	for _, rel := range files {
		if info, err := os.Lstat(filepath.Join(root, rel)); err == nil && info.Mode().IsRegular() {
			copyFile(filepath.Join(root, rel), filepath.Join(repo, rel), false)
		}
	}
	for _, dir := range []string{"functions", "jsii-runtime"} {
		check(filepath.WalkDir(filepath.Join(root, "build", dir), func(path string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				rel, _ := filepath.Rel(root, path)
				copyFile(path, filepath.Join(repo, rel), true)
			}
			return err
		}))
	}
	copyFile(filepath.Join(root, "build", "gatehouse"), filepath.Join(repo, "build", "gatehouse"), true)
	check(os.Symlink(filepath.Join(root, "node_modules"), filepath.Join(repo, "node_modules")))
	return repo
}

// copyFile copies from to to (a hard link when link and the file system allows), keeping its
// mode and modification time.
func copyFile(from, to string, link bool) {
	check(os.MkdirAll(filepath.Dir(to), 0o755))
	if link && os.Link(from, to) == nil {
		return
	}
	info, err := os.Stat(from)
	check(err)
	check(os.WriteFile(to, must(os.ReadFile(from)), info.Mode().Perm()))
	check(os.Chtimes(to, info.ModTime(), info.ModTime()))
}

// setThrottle sets dev's api.throttleRateLimit in the copy's cdk.json: a change to one stack
// (the api's stage), a value not seen before on each run.
func setThrottle(repo string, value int) {
	path := filepath.Join(repo, "cdk.json")
	var cdk map[string]any
	check(json.Unmarshal(must(os.ReadFile(path)), &cdk))
	dev := cdk["context"].(map[string]any)["environments"].(map[string]any)["dev"].(map[string]any)
	api, _ := dev["api"].(map[string]any)
	if api == nil {
		api = map[string]any{}
		dev["api"] = api
	}
	api["throttleRateLimit"] = value
	check(os.WriteFile(path, append(must(json.MarshalIndent(cdk, "", "  ")), '\n'), 0o644))
}

// templateHashes are the SHA-256 of every template of an assembly, by file.
func templateHashes(dir string) map[string][32]byte {
	out := map[string][32]byte{}
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".template.json") {
			rel, _ := filepath.Rel(dir, path)
			out[rel] = sha256.Sum256(must(os.ReadFile(path)))
		}
		return nil
	})
	return out
}

func changedTemplates(before, after map[string][32]byte) int {
	n := 0
	for name, sum := range after {
		if before[name] != sum {
			n++
		}
	}
	return n
}

// measureCases: the primary figures, each case's cdk synth of dev against the bare floor's, in
// alternating pairs.
// measureCases: the three cases against the bare floor, in alternating pairs, each also against
// the floor tuned with gatehouse's levers on jsii (a row for reading: the floor is the
// bare one). synthUnchecked is gatehouse with no check at all (no validator, no cdk-nag), run in
// the edit loop's pairs only, also for reading: what seven stacks cost before any check.
func measureCases(root, repo string, pairs int, synthFloor, synthTuned, synthApp, synthUnchecked func() sample) {
	defer copyFile(filepath.Join(root, "cdk.json"), filepath.Join(repo, "cdk.json"), false) // the shipped dev again
	fmt.Println("warming up (one run of each, not counted)...")
	synthFloor()
	synthTuned()
	synthApp()
	synthUnchecked()
	caches := []string{filepath.Join(repo, "build", "synth-cache"), filepath.Join(repo, "cdk.out")}
	throttle := 1000
	cases := []struct {
		name, what string
		before     func()
	}{
		{"nothing changed", "since the last synth: its checked assembly reused", func() {}},
		{"one stack changed", "api.throttleRateLimit set anew: the api stack's template validated", func() { throttle++; setThrottle(repo, throttle) }},
		{"every template new", "synth cache, validator's passes and cdk.out removed", func() {
			for _, dir := range caches {
				check(os.RemoveAll(dir))
			}
			removePasses(repo)
		}},
	}
	type result struct{ floor, tuned, app []sample }
	results := make([]result, len(cases))
	var unchecked []sample
	for c, cs := range cases {
		if c == 1 { // the edit loop starts from a synthesized, cached assembly
			synthApp()
		}
		for i := 0; i < pairs; i++ {
			before := templateHashes(filepath.Join(repo, "cdk.out"))
			cs.before()
			f := synthFloor()
			tf := synthTuned()
			a := synthApp()
			after := templateHashes(filepath.Join(repo, "cdk.out"))
			written := fmt.Sprintf("%d templates changed", changedTemplates(before, after))
			if c == 2 {
				written = fmt.Sprintf("%d templates written", len(after))
			}
			results[c].floor, results[c].tuned, results[c].app = append(results[c].floor, f), append(results[c].tuned, tf), append(results[c].app, a)
			without := ""
			if c == 1 {
				u := synthUnchecked()
				unchecked = append(unchecked, u)
				without = fmt.Sprintf(", with no check %.2fs", u.seconds)
			}
			fmt.Printf("  %-18s pair %d: floor %.2fs (CPU %.2fs) %.0fMB, tuned floor %.2fs, gatehouse %.2fs (CPU %.2fs) %.0fMB (%s)%s\n", cs.name, i+1, f.seconds, f.cpu, f.rssMB, tf.seconds, a.seconds, a.cpu, a.rssMB, written, without)
		}
	}
	fmt.Println()
	fmt.Println("cdk synth of gatehouse dev (7 stacks, cdk-nag, strict validator) / the bare floor (one resource, CDK_VALIDATION=false), medians of", pairs, "alternating pairs:")
	targets := []string{"<= 1.25", "<= 1.5", "-"}
	for c, cs := range cases {
		r := results[c]
		appT, floorT := median(r.app, secs), median(r.floor, secs)
		appM, floorM := median(r.app, rss), median(r.floor, rss)
		appC, floorC := median(r.app, cpuSecs), median(r.floor, cpuSecs)
		fmt.Printf("  %-18s %.2f (target %s)  %.2fs / %.2fs (spread %s / %s); CPU %.2f (%.2fs / %.2fs); memory %.2f (%.0fMB / %.0fMB, target <= 1.15)  [%s]\n",
			cs.name, appT/floorT, targets[c], appT, floorT, spread(r.app), spread(r.floor), appC/floorC, appC, floorC, appM/floorM, appM, floorM, cs.what)
	}
	fmt.Printf("  one stack changed with no check at all (no validator, the app built without cdk-nag), for reading: %.2f  %.2fs (spread %s); CPU %.2f; memory %.2f (%.0fMB)\n",
		median(unchecked, secs)/median(results[1].floor, secs), median(unchecked, secs), spread(unchecked),
		median(unchecked, cpuSecs)/median(results[1].floor, cpuSecs), median(unchecked, rss)/median(results[1].floor, rss), median(unchecked, rss))
	fmt.Println("the same against the floor with gatehouse's levers on jsii (compile cache, kernel without its launcher), for reading:")
	for c, cs := range cases {
		r := results[c]
		fmt.Printf("  %-18s %.2f (%.2fs / %.2fs); CPU %.2f; memory %.2f (%.0fMB)\n", cs.name, median(r.app, secs)/median(r.tuned, secs), median(r.app, secs), median(r.tuned, secs),
			median(r.app, cpuSecs)/median(r.tuned, cpuSecs), median(r.app, rss)/median(r.tuned, rss), median(r.tuned, rss))
	}
}

// measureShipped: the rows against the floor as aws-cdk-lib ships it (validating in-synth, as
// every app with validateAgainstDefaultRules does), the bucket floor, and gatehouse itself
// validating in-synth; gatehouse every template new.
func measureShipped(repo string, pairs int, synthFloor, synthShipped, synthBucket, synthInSynth func() sample) {
	var floor, shipped, bucket, inSynth []sample
	for i := 0; i < pairs; i++ {
		floor = append(floor, synthFloor())
		shipped = append(shipped, synthShipped())
		bucket = append(bucket, synthBucket())
		inSynth = append(inSynth, synthInSynth())
	}
	fmt.Println()
	fmt.Printf("the other floors (medians of %d): bare %.2fs %.0fMB; as aws-cdk-lib ships it (validating in-synth) %.2fs %.0fMB (spread %s); one bucket, in-synth %.2fs\n",
		pairs, median(floor, secs), median(floor, rss), median(shipped, secs), median(shipped, rss), spread(shipped), median(bucket, secs))
	fmt.Printf("  gatehouse validating in-synth as the shipped floor does (no caches apply): %.2fs %.0fMB -> %.2f of the shipped floor, %.2f of the bare\n",
		median(inSynth, secs), median(inSynth, rss), median(inSynth, secs)/median(shipped, secs), median(inSynth, secs)/median(floor, secs))
}

// measureTest: make test-go against one synth, every template new (the synth the tests' work
// compares with: they synthesize every stage), in unsampled alternating pairs.
func measureTest(repo string, pairs int, testAll, synthTimed func() sample) {
	testAll()
	var tests, synths []sample
	for i := 0; i < pairs; i++ {
		tests = append(tests, testAll())
		check(os.RemoveAll(filepath.Join(repo, "build", "synth-cache")))
		removePasses(repo)
		synths = append(synths, synthTimed())
		fmt.Printf("  test pair %d: make test-go %.2fs, synth (every template new) %.2fs\n", i+1, tests[i].seconds, synths[i].seconds)
	}
	testT, synthT := median(tests, secs), median(synths, secs)
	fmt.Printf("test:   make test-go %.2fs (spread %s), one synth, every template new, %.2fs (spread %s) -> test ratio %.2f (target <= 2.0)\n",
		testT, spread(tests), synthT, spread(synths), testT/synthT)
}

// removePasses removes the validator's recorded passes of repo, so that every template is
// validated, and keeps its engine's snapshot: that is made once per engine version, as the jsii
// runtime's package cache once per aws-cdk-lib.
func removePasses(repo string) {
	dir := filepath.Join(repo, cfnvalidate.DefaultCacheDir)
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return
	}
	check(err)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".snapshot") {
			check(os.RemoveAll(filepath.Join(dir, e.Name())))
		}
	}
}

func spread(samples []sample) string {
	values := make([]float64, len(samples))
	for i, s := range samples {
		values[i] = s.seconds
	}
	return fmt.Sprintf("%.2f-%.2fs", slices.Min(values), slices.Max(values))
}

// measureWeb times make test-web (the web app's checks, the other part of make test), with the
// per-step times its last line gives. Not part of any ratio.
func measureWeb(root string, env []string) {
	measureTarget(root, env, "test-web", "the web app's checks (make test-web; not in the test ratio):", "web:   ", func(s sample) string {
		steps := "(no per-step line)"
		for _, line := range strings.Split(s.output, "\n") {
			if rest, ok := strings.CutPrefix(line, "web checks: "); ok {
				steps = rest
			}
		}
		return steps
	})
}

// measureCalls times make test-calls (the functions run against the stand-ins, every AWS call
// checked against its role: the third part of make test), with the time its main test took (the
// rest: make's staleness checks, go mod download, dynalite's start, the web check). Not part of
// any ratio.
func measureCalls(root string, env []string) {
	measureTarget(root, env, "test-calls", "the AWS calls against the roles (make test-calls; not in the test ratio):", "calls: ", func(sample) string {
		binary := "(no test time in its log)"
		if raw, err := os.ReadFile(filepath.Join(root, "build", "calls-test.log")); err == nil {
			for _, line := range strings.Split(string(raw), "\n") {
				if took, ok := strings.CutPrefix(line, "--- PASS: TestLeastPrivilege ("); ok {
					binary = "the functions and their checks " + strings.TrimSuffix(took, ")")
				}
			}
		}
		return binary
	})
}

// measureTarget times make target three times after one run that warms its caches and builds
// what it needs, printing each run with what detail says of it, then the median.
func measureTarget(root string, env []string, target, heading, label string, detail func(sample) string) {
	fmt.Println()
	fmt.Println(heading)
	run(root, env, "make", "--no-print-directory", target)
	var runs []sample
	for i := 0; i < 3; i++ {
		runs = append(runs, run(root, env, "make", "--no-print-directory", target))
		fmt.Printf("  run %d: %.1fs, peak %.0fMB: %s\n", i+1, runs[i].seconds, runs[i].rssMB, detail(runs[i]))
	}
	fmt.Printf("%s make %s %.1fs (median of 3)\n", label, target, median(runs, secs))
}

// measureParts runs the app directly (as the CLI runs it: CDK_OUTDIR, CDK_CONTEXT_JSON), with
// its phase timings (GATEHOUSE_TIMINGS), with and without the CloudFormation validator, and with
// each optional stack left out or added: where one synth's time goes, and what each stack costs.
// Every run synthesizes (GATEHOUSE_SYNTH_CACHE=off) and validates every template (the validation
// cache removed first).
func measureParts(root, work string, env []string, pairs int, withoutNag string) {
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
			"GATEHOUSE_TIMINGS="+file, "GATEHOUSE_SYNTH_CACHE=off")
		e = append(e, jsiiLevers(root)...)
		removePasses(root)
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

// buildWithoutChecks builds the app without cdk-nag (a bench-only build tag: measureParts times
// cdk-nag with it) and writes an app command that runs it with no validator either, as
// scripts/app.sh runs the app otherwise (the kernel without its launcher, its compile cache).
func buildWithoutChecks(root, work string, env []string) (binary, command string) {
	binary = filepath.Join(work, "gatehouse-without-nag")
	run(root, env, "go", "build", "-tags", "gatehouse_bench_without_nag", "-o", binary, "./app")
	command = filepath.Join(work, "unchecked.sh")
	script := "#!/bin/sh\n" + shellAssignments(append([]string{"CDK_VALIDATION=false", "GATEHOUSE_VALIDATOR=off"}, jsiiLevers(root)...)) + " exec " + shellQuote(binary) + "\n"
	check(os.WriteFile(command, []byte(script), 0o755))
	return binary, command
}

// jsiiLevers is what scripts/app.sh gives the app's jsii kernel, as NAME=VALUE pairs: started
// without its launcher (JSII_RUNTIME) and with its compile cache (NODE_OPTIONS, with the semi-space
// size cdk.json's floor apps get too).
func jsiiLevers(root string) []string {
	cdkapp := filepath.Join(root, "internal", "cdkapp")
	return []string{
		`JSII_RUNTIME=exec "` + filepath.Join(cdkapp, "jsii-kernel.sh") + `"`,
		`NODE_OPTIONS=--max-semi-space-size=4 --require "` + filepath.Join(cdkapp, "compile-cache.cjs") + `"`,
	}
}

// shellAssignments writes NAME=VALUE pairs as a shell command's prefix, each value quoted.
func shellAssignments(pairs []string) string {
	words := make([]string, len(pairs))
	for i, pair := range pairs {
		name, value, _ := strings.Cut(pair, "=")
		words[i] = name + "=" + shellQuote(value)
	}
	return strings.Join(words, " ")
}

// shellQuote is s as one shell word: single-quoted, its own single quotes escaped.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// floorKind says how a floor runs: as aws-cdk-lib ships it (validating in-synth), bare
// (CDK_VALIDATION=false), or bare with gatehouse's two levers on jsii itself, which any Go CDK
// app could take: the kernel's compile cache and the kernel started without its launcher
// (internal/cdkapp).
type floorKind int

const (
	shippedFloor floorKind = iota
	bareFloor
	tunedFloor
)

// buildFloor builds proof/bench/<name> and writes a cdk.json for it in work/<name>-<kind>: the
// same context (feature flags) and Node options as gatehouse's, a prebuilt binary as the app,
// run as kind says.
func buildFloor(root, work string, env []string, name string, kind floorKind) string {
	dir := filepath.Join(work, name+"-"+[]string{"shipped", "bare", "tuned"}[kind])
	check(os.MkdirAll(dir, 0o755))
	binary := filepath.Join(dir, name)
	run(root, env, "go", "build", "-o", binary, "./proof/bench/"+name)
	context := cdkContext(root)
	delete(context, "environments")
	command := `NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=4}" ` + binary
	switch kind {
	case bareFloor:
		command = "CDK_VALIDATION=false " + command
	case tunedFloor:
		command = shellAssignments(append([]string{"CDK_VALIDATION=false", "GATEHOUSE_JSII_COMPILE_CACHE=" + filepath.Join(dir, "compile-cache")}, jsiiLevers(root)...)) + " " + binary
	}
	out, _ := json.MarshalIndent(map[string]any{"app": command, "context": context}, "", "  ")
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
		f := run(root, coldEnv("floor"), "go", "build", "-o", filepath.Join(work, "coldfloor"), "./proof/bench/floor")
		fmt.Printf("  floor build: %.1fs, peak %.0fMB\n", f.seconds, f.rssMB)
		t := run(root, coldEnv("test"), "make", "--no-print-directory", "test-go")
		fmt.Printf("  make test-go: %.1fs, peak %.0fMB\n", t.seconds, t.rssMB)
	}
}

func secs(s sample) float64    { return s.seconds }
func cpuSecs(s sample) float64 { return s.cpu }
func rss(s sample) float64     { return s.rssMB }

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
	cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	return sample{seconds: elapsed, rssMB: float64(<-peak) / (1 << 20), cpu: cpu, output: out.String()}
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
