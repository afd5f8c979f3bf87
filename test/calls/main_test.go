// Package calls proves least privilege both ways, from a synthesized cloud assembly alone (make
// test-calls synthesizes dev into build/calls-assembly; no jsii runs here):
//
//   - every asset function of the assembly runs its real code (built for this machine, run by
//     AWS's Lambda Runtime Interface Emulator with the environment its template gives it,
//     references resolved by the access model) through every documented operation and refusal,
//     against stand-ins on loopback: dynalite for DynamoDB (tables as the templates define them),
//     Secrets Manager, API Gateway's control plane and Cognito;
//   - every AWS call a function makes is recorded where it arrives (each function signs with an
//     access key of its own) as IAM would authorize it — action and resource ARN — and evaluated
//     against that function's synthesized role with package access: a call its role would deny
//     fails, naming the function, the action and the resource;
//   - every (action, resource) a function's role grants that no call used fails too, unless a
//     reason on the allowlist (runtimeGrants) covers it;
//   - the web server's AWS calls, as its unit tests record them (web/test-results/aws-calls.json),
//     are evaluated against the roles it runs as and the trust role it assumes.
//
// The checker is proven by mutations of the templates (a grant removed, an unused one added, an
// index renamed): each must be reported.
package calls

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// repoRoot is the repository root (tests run in test/calls).
var repoRoot = func() string {
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return dir
}()

// assemblyDir is the synthesized assembly the functions run against: CALLS_ASSEMBLY, or what
// make test-calls synthesizes.
var assemblyDir = func() string {
	if dir := os.Getenv("CALLS_ASSEMBLY"); dir != "" {
		return dir
	}
	return filepath.Join(repoRoot, "build", "calls-assembly")
}()

// hostFunctionsDir holds the functions built for this machine and the emulator (make
// host-functions).
var hostFunctionsDir = filepath.Join(repoRoot, "build", "host-functions")

func TestMain(m *testing.M) {
	// The pinned Node 24 (package.json) runs dynalite, as make does.
	if bin := filepath.Join(repoRoot, "node_modules", ".bin"); fileExists(bin) {
		os.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	// dynalite starts (Node, ~0.3 s) while the assembly loads.
	dynalite = startDynalite()
	code := m.Run()
	dynalite.stop()
	os.Exit(code)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("test setup: %v", err))
	}
	return v
}
