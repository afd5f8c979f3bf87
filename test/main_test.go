// Package test holds gatehouse's black-box tests: the constructs and stacks are exercised only
// through their public API. Everything is one package on purpose: each Go test package starts
// its own jsii runtime (a Node process loading aws-cdk-lib), which costs seconds.
package test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/internal/cdkapp"
	"github.com/gatehouse-cdk/gatehouse/internal/cfnvalidate"
)

// repoRoot is the repository root (tests run in test/).
var repoRoot = func() string {
	dir, err := filepath.Abs("..")
	if err != nil {
		panic(err)
	}
	return dir
}()

func TestMain(m *testing.M) {
	// AWS's CloudFormation validator runs once, over the whole assembly, in a process of its own
	// (TestCloudFormationValidatorStrict); aws-cdk-lib's in-synth run of it, in the jsii process,
	// must be off. jsii takes its Node process's environment when the CDK packages initialize,
	// before TestMain, so CDK_VALIDATION=false must be set when the binary starts: make test
	// does. (Run otherwise, the tests pass, with the validator run twice.)
	if os.Getenv("CDK_VALIDATION") != "false" {
		fmt.Fprintln(os.Stderr, "note: CDK_VALIDATION=false is not set, so aws-cdk-lib also validates every template in the synth (slower); `make test` sets it")
	}
	// Use the pinned Node 24 (package.json) for the Node scripts, as `make test` does.
	if bin := filepath.Join(repoRoot, "node_modules", ".bin"); dirExists(bin) {
		os.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	prestartAll()
	code := m.Run()
	stopAll()
	cdkapp.Close()
	os.Exit(code)
}

// Subprocesses the tests need, started before any test runs (see prestarted).
var (
	refereeProcess *prestarted // test/referee/simulate.mjs: TestAccessMatrixReferee
	collatorCheck  *prestarted // test/referee/collator-cache-check.mjs: TestRefereeCollatorCache
	amplifyProcess *prestarted // test/amplify/configure.mjs: TestAmplifyJSAcceptsOutputs
	badConfigApp   *prestarted // cdk.json's app command: TestAppRejectsBadConfigCleanly
	libraryDeps    *prestarted // go list -deps of the leaf and construct packages: TestLibraryDependencies
	exampleDeps    *prestarted // go list -deps of examples/photoapp: TestSeparateModuleUsesTheLibrary
)

func prestartAll() {
	validatorCache = must(cfnvalidate.OpenCache(repoRoot, filepath.Join(repoRoot, cfnvalidate.DefaultCacheDir)))
	validator = must(cfnvalidate.Start(repoRoot, validatorCache)) // TestCloudFormationValidatorStrict
	refereeProcess = prestartNode("referee/simulate.mjs")
	collatorCheck = prestartNode("referee/collator-cache-check.mjs")
	amplifyProcess = prestartNode("amplify/configure.mjs")
	badConfigApp = startBadConfigApp()
	libraryDeps = prestart("go list", goCommand(repoRoot, append([]string{"list", "-deps", "-f", `{{.ImportPath}}`}, leafPackages...)...))
	example := filepath.Join(repoRoot, "examples", "photoapp")
	exampleDeps = prestart("go list (examples/photoapp)", goCommand(example, "list", "-deps", "."))
}

func stopAll() {
	defer os.RemoveAll(badConfigOutdir)
	defer os.RemoveAll(referenceOutdir)
	defer os.RemoveAll(scratchOutdir)
	stopValidator()
	for _, p := range []*prestarted{refereeProcess, collatorCheck, amplifyProcess, badConfigApp, libraryDeps, exampleDeps} {
		p.stop()
	}
}

func dirExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("test setup: %v", err))
	}
	return v
}
