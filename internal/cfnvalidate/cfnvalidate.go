// Package cfnvalidate runs AWS's CloudFormation validator (strict.mjs: the engine aws-cdk-lib
// bundles, in strict mode, no rule excluded) in a Node process of its own. Started before the
// app synthesizes, the engine loads (about a second) on another core while jsii starts and the
// constructs are built; the templates are validated once they are written. The app uses it in
// place of aws-cdk-lib's in-synth plugin (CDK_VALIDATION=false), which loads the same engine
// after synthesis, in the jsii process, and skips rules this run keeps.
package cfnvalidate

import (
	"bufio"
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
	Path string `json:"-"`
	// Template is the template's file, named in findings.
	Template string `json:"template"`
	// Body is the template's text as read once: the bytes the validator checks and the cache
	// keys (never read again from the file).
	Body    string `json:"body"`
	Account string `json:"account"`
	Region  string `json:"region"`
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

// Process is a started validator: it takes requests (Validate) until Stop.
type Process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr strings.Builder
}

// Start starts the validator of the repository at root with the node on PATH. The engine loads
// (about a second of CPU) while the caller does something else.
func Start(root string) (*Process, error) {
	script, err := filepath.Abs(filepath.Join(root, Script))
	if err != nil {
		return nil, err
	}
	p := &Process{cmd: exec.Command("node", append(slices.Clone(NodeFlags), script)...)}
	p.cmd.Dir = root
	p.cmd.Stderr = &p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.stdout = bufio.NewReaderSize(stdout, 1<<16)
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

// Validate sends the stacks and returns the validator's findings. The process takes further
// requests until Stop.
func (p *Process) Validate(stacks []Stack) ([]Finding, error) {
	input, err := json.Marshal(map[string]any{"stacks": stacks})
	if err != nil {
		return nil, err
	}
	_, werr := p.stdin.Write(append(input, '\n'))
	line, rerr := p.stdout.ReadBytes('\n')
	if werr != nil || rerr != nil {
		_ = p.stdin.Close()
		err := p.cmd.Wait()
		return nil, fmt.Errorf("the CloudFormation validator (%s) failed: %v\n%s", Script, cmp.Or(err, werr, rerr), strings.TrimSpace(p.stderr.String()))
	}
	var findings []Finding
	if err := json.Unmarshal(line, &findings); err != nil {
		return nil, fmt.Errorf("the CloudFormation validator's output: %w", err)
	}
	return findings, nil
}

// Stop ends the validator: it finishes loading and exits (stdin closed), unless kill, which ends
// it at once (nothing was sent, and nothing will be).
func (p *Process) Stop(kill bool) {
	if kill {
		_ = p.cmd.Process.Kill()
	}
	_ = p.stdin.Close()
	_ = p.cmd.Wait()
}

// StacksOf lists the templates of a cloud assembly (nested stages included), each read once. Stacks without a
// concrete account or region get fakeAccount and us-east-1 for their pseudo parameters.
func StacksOf(assemblyDir string) ([]Stack, error) {
	templates, err := access.LoadAssembly(assemblyDir)
	if err != nil {
		return nil, err
	}
	stacks := make([]Stack, len(templates))
	for i, t := range templates {
		body, err := os.ReadFile(t.File)
		if err != nil {
			return nil, err
		}
		stacks[i] = Stack{Path: t.Path, Template: t.File, Body: string(body), Account: cmp.Or(t.Account, access.FakeAccount), Region: cmp.Or(t.Region, "us-east-1")}
	}
	return stacks, nil
}
