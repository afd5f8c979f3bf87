// Command bench measures what gatehouse costs above the floor — the smallest Go CDK app on the
// same modules, feature flags and Node (bench/floor) — and prints the ratios `make bench`
// reports. It is a benchmark, not a test: it never fails on time.
//
//	go run ./bench [-pairs 5] [-cold=true]
//
// Pairs alternate the two commands, so drift on the machine hits both; medians are reported.
// Peak RSS is the largest process of each command's tree (wait4's ru_maxrss), which for a Go
// CDK app is the Node process running the jsii kernel.
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
	"strings"
	"syscall"
	"time"
)

type sample struct {
	seconds float64
	rssMB   float64
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
	check(writeFloorConfig(root))

	env := append(os.Environ(), "PATH="+filepath.Join(root, "node_modules", ".bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CDK_DISABLE_CLI_TELEMETRY=true")
	synthApp := func() sample {
		return run(root, env, "cdk", "--no-notices", "synth", "--quiet", "-o", filepath.Join(work, "app.out"))
	}
	synthFloor := func() sample {
		return run(filepath.Join(root, "bench", "floor"), env, "cdk", "--no-notices", "synth", "--quiet", "-o", filepath.Join(work, "floor.out"))
	}
	testAll := func() sample {
		return run(root, append(env, "GOFLAGS=-count=1"), "make", "--no-print-directory", "test")
	}

	printMachine()
	if *warm {
		measureWarm(root, work, env, *pairs, synthApp, synthFloor, testAll)
	}
	if *cold {
		measureCold(root, work, env)
	}
}

func measureWarm(root, work string, env []string, pairs int, synthApp, synthFloor, testAll func() sample) {
	fmt.Println("warming up (one run of each, not counted)...")
	synthApp()
	synthFloor()
	testAll()

	var app, floor []sample
	for i := 0; i < pairs; i++ {
		app = append(app, synthApp())
		floor = append(floor, synthFloor())
		fmt.Printf("  synth pair %d: app %.2fs %.0fMB, floor %.2fs %.0fMB\n", i+1, app[i].seconds, app[i].rssMB, floor[i].seconds, floor[i].rssMB)
	}
	var tests, synths []sample
	for i := 0; i < pairs; i++ {
		tests = append(tests, testAll())
		synths = append(synths, synthApp())
		fmt.Printf("  test pair %d: make test %.2fs, synth %.2fs\n", i+1, tests[i].seconds, synths[i].seconds)
	}

	appT, floorT := median(app, secs), median(floor, secs)
	appM, floorM := median(app, rss), median(floor, rss)
	testT, synthT := median(tests, secs), median(synths, secs)
	fmt.Println()
	fmt.Printf("synth:  gatehouse %.2fs, floor %.2fs  -> synth ratio  %.2f (target <= 1.25)\n", appT, floorT, appT/floorT)
	fmt.Printf("test:   make test %.2fs, one synth %.2fs -> test ratio %.2f (target <= 2.0)\n", testT, synthT, testT/synthT)
	fmt.Printf("memory: gatehouse %.0fMB, floor %.0fMB -> memory ratio %.2f (target <= 1.15)\n", appM, floorM, appM/floorM)
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
		f := run(filepath.Join(root, "bench", "floor"), coldEnv("floor"), "cdk", "--no-notices", "synth", "--quiet", "-o", filepath.Join(work, "coldfloor.out"))
		fmt.Printf("  floor cdk synth: %.1fs, peak %.0fMB\n", f.seconds, f.rssMB)
		t := run(root, coldEnv("test"), "make", "--no-print-directory", "test")
		fmt.Printf("  make test: %.1fs, peak %.0fMB\n", t.seconds, t.rssMB)
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

// run runs a command to completion, failing the benchmark if it fails.
func run(dir string, env []string, name string, args ...string) sample {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start).Seconds()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s %s in %s failed: %v\n%s", name, strings.Join(args, " "), dir, err, out.String())
		os.Exit(1)
	}
	var maxRSS int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSS = ru.Maxrss // kilobytes on Linux
	}
	return sample{seconds: elapsed, rssMB: float64(maxRSS) / 1024}
}

// writeFloorConfig gives the floor app the same feature flags as gatehouse's cdk.json.
func writeFloorConfig(root string) error {
	raw, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return err
	}
	var config struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &config); err != nil {
		return err
	}
	delete(config.Context, "environments")
	out, _ := json.MarshalIndent(map[string]any{"app": "go run .", "context": config.Context}, "", "  ")
	return os.WriteFile(filepath.Join(root, "bench", "floor", "cdk.json"), append(out, '\n'), 0o644)
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
