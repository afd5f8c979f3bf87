// Package cfnvalidate runs AWS's CloudFormation validator (strict.mjs: the engine aws-cdk-lib
// bundles, in strict mode, no rule excluded) in a Node process of its own. Started before the
// app synthesizes, the engine loads (about a second) on another core while jsii starts and the
// constructs are built; the templates are validated once they are written. The app uses it in
// place of aws-cdk-lib's in-synth plugin (CDK_VALIDATION=false), which loads the same engine
// after synthesis, in the jsii process, and skips rules this run keeps.
package cfnvalidate

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// Script is the validator script, relative to the repository root.
const Script = "internal/cfnvalidate/strict.mjs"

// enginePackage is the npm package the script needs (package.json pins it).
const enginePackage = "node_modules/@aws/cloudformation-validate/package.json"

// Available reports whether root (the repository) has the script and its engine installed.
func Available(root string) bool {
	for _, path := range []string{Script, enginePackage} {
		if _, err := os.Stat(filepath.Join(root, path)); err != nil {
			return false
		}
	}
	return true
}

// NodeFlags run the engine on one thread with V8's baseline WebAssembly compiler only: the same
// results for about half the CPU time (0.94 s instead of 2.1 s to load it and validate the dev
// stacks), which matters because the engine loads beside the synthesis, on a shared machine.
var NodeFlags = []string{"--single-threaded", "--liftoff-only"}

// Stack is one template to validate, with the account and region its pseudo parameters stand for.
type Stack struct {
	// Path is the stack's construct path, e.g. "dev/Auth" (not sent to the validator).
	Path     string `json:"-"`
	Template string `json:"template"`
	Account  string `json:"account"`
	Region   string `json:"region"`
}

// Finding is one diagnostic (strict mode reports every one as an error).
type Finding struct {
	Template, RuleID, Severity, LogicalID, Path, Message string
}

func (f Finding) String() string {
	where := f.LogicalID
	if f.Path != "" {
		where += " " + f.Path
	}
	return fmt.Sprintf("%s %s: %s %s: %s", filepath.Base(f.Template), where, f.RuleID, f.Severity, f.Message)
}

// Process is a started validator.
type Process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout bytes.Buffer
	stderr strings.Builder
}

// Start starts the validator of the repository at root with the node on PATH.
func Start(root string) (*Process, error) {
	script, err := filepath.Abs(filepath.Join(root, Script))
	if err != nil {
		return nil, err
	}
	p := &Process{cmd: exec.Command("node", append(slices.Clone(NodeFlags), script)...)}
	p.cmd.Dir = root
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	p.stdin = stdin
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	// It waits for the synthesis anyway: the jsii process, which the synthesis waits for, comes
	// first when both want a core.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, p.cmd.Process.Pid, 10)
	return p, nil
}

// Validate sends the stacks, waits for the validator and returns its findings.
func (p *Process) Validate(stacks []Stack) ([]Finding, error) {
	input, err := json.Marshal(map[string]any{"stacks": stacks})
	if err != nil {
		return nil, err
	}
	_, _ = p.stdin.Write(input)
	_ = p.stdin.Close()
	if err := p.cmd.Wait(); err != nil {
		return nil, fmt.Errorf("the CloudFormation validator (%s) failed: %w\n%s", Script, err, strings.TrimSpace(p.stderr.String()))
	}
	var findings []Finding
	if err := json.Unmarshal(p.stdout.Bytes(), &findings); err != nil {
		return nil, fmt.Errorf("the CloudFormation validator's output: %w", err)
	}
	return findings, nil
}

// Stop ends a validator that was not given templates (the app stopped early).
func (p *Process) Stop() {
	_ = p.stdin.Close()
	_ = p.cmd.Wait()
}

// StacksOf lists the templates of a cloud assembly (nested stages included). Stacks without a
// concrete account or region get fakeAccount and us-east-1 for their pseudo parameters.
func StacksOf(assemblyDir string) ([]Stack, error) {
	templates, err := access.LoadAssembly(assemblyDir)
	if err != nil {
		return nil, err
	}
	stacks := make([]Stack, len(templates))
	for i, t := range templates {
		stacks[i] = Stack{Path: t.Path, Template: t.File, Account: cmp.Or(t.Account, access.FakeAccount), Region: cmp.Or(t.Region, "us-east-1")}
	}
	return stacks, nil
}
