package test

import (
	"os/exec"
	"strings"
	"testing"
)

// leafPackages import no CDK package: the configuration, the stacks' contract, the limits,
// access rules, API tokens and deploy policy as data, the web app's configuration and its command.
var leafPackages = []string{"./app/config", "./app/contract", "./limits", "./accessrules", "./apitokens", "./app/deploypolicy", "./app/webconfig", "./app/cmd/web-config"}

// goCommand runs the go tool in dir.
func goCommand(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	return cmd
}

// listed is the packages a prestarted `go list -deps` printed; its failure fails the test.
func listed(t *testing.T, list *prestarted) []string {
	t.Helper()
	out, err := list.output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))
}

// TestLibraryDependencies: the leaf packages link no aws-cdk-go, constructs or jsii package (so
// `make web-config` and config decoding build in seconds and test without a jsii runtime).
func TestLibraryDependencies(t *testing.T) {
	t.Parallel() // it only waits for its prestarted process
	deps := listed(t, libraryDeps)
	if len(deps) < len(leafPackages) {
		t.Fatalf("go list -deps printed %d packages", len(deps))
	}
	for _, d := range deps {
		for _, cdk := range []string{"github.com/aws/aws-cdk-go/", "github.com/aws/constructs-go/", "github.com/aws/jsii-runtime-go"} {
			if strings.HasPrefix(d, cdk) {
				t.Errorf("a leaf package (%s) depends on %s", strings.Join(leafPackages, " "), d)
			}
		}
	}
}

// TestSeparateModuleUsesTheLibrary: examples/photoapp, a Go module of its own that imports
// constructs/auth and constructs/storage (the bucket wired to sign-in in one line, a server role
// granted a folder with no suppression of its own, bad props caught with errors.As), has no
// cdk-nag in its build. (.ci/run builds it: compiling it here would cost a second of CPU beside
// the synth.)
func TestSeparateModuleUsesTheLibrary(t *testing.T) {
	t.Parallel() // it only waits for its prestarted process
	deps := listed(t, exampleDeps)
	imports := map[string]bool{}
	for _, d := range deps {
		imports[d] = true
		if strings.Contains(d, "cdk-nag") {
			t.Errorf("examples/photoapp depends on %s", d)
		}
	}
	for _, want := range []string{"github.com/gatehouse-cdk/gatehouse/constructs/auth", "github.com/gatehouse-cdk/gatehouse/constructs/storage"} {
		if !imports[want] {
			t.Errorf("examples/photoapp does not import %s; deps: %v", want, deps)
		}
	}
}
