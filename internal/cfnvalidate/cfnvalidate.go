// Package cfnvalidate runs AWS's CloudFormation validator (strict.mjs: the engine aws-cdk-lib
// bundles, in strict mode, no rule excluded) in a Node process of its own. Started before the
// app synthesizes, the engine loads on another core while jsii starts and the constructs are
// built; the templates are validated once they are written. The app uses it in place of
// aws-cdk-lib's in-synth plugin (CDK_VALIDATION=false), which loads the same engine after
// synthesis, in the jsii process, and skips rules this run keeps. With a Cache, the engine's
// initialised state is kept beside the cache's passes (strict.mjs: restored in ~0.15 s of CPU
// instead of initialised in ~1.5 s), and templates passed before are not sent again.
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
	loaded string // how the engine was loaded (Loaded), once read
}

// Start starts the validator of the repository at root with the node on PATH. The engine loads
// while the caller does something else: restored from cache's snapshot of it when there is one
// that checks out, else initialised (about 1.5 s of CPU) and its snapshot written for the next
// run. Without a cache (nil) it is initialised and nothing is written.
func Start(root string, cache *Cache) (*Process, error) {
	script, err := filepath.Abs(filepath.Join(root, Script))
	if err != nil {
		return nil, err
	}
	args := append(slices.Clone(NodeFlags), script)
	if cache != nil {
		snapshot, err := filepath.Abs(cache.Snapshot())
		if err != nil {
			return nil, err
		}
		args = append(args, "--snapshot="+snapshot)
	}
	p := &Process{cmd: exec.Command("node", args...)}
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

// Loaded waits for the engine and says how it was loaded: "restored" (from the snapshot),
// "initialised; snapshot written", "initialised; snapshot refused (<why>); snapshot written",
// "initialised" (no cache) and so on.
func (p *Process) Loaded() (string, error) {
	if p.loaded != "" {
		return p.loaded, nil
	}
	line, err := p.stdout.ReadBytes('\n')
	if err != nil {
		return "", p.failed(err)
	}
	var status struct{ Engine string }
	if err := json.Unmarshal(line, &status); err != nil || status.Engine == "" {
		return "", fmt.Errorf("the CloudFormation validator's first line %q: not how its engine was loaded", line)
	}
	p.loaded = status.Engine
	return p.loaded, nil
}

// failed ends a process that broke off and says why, with what it wrote on stderr.
func (p *Process) failed(err error) error {
	_ = p.stdin.Close()
	return fmt.Errorf("the CloudFormation validator (%s) failed: %v\n%s", Script, cmp.Or(p.cmd.Wait(), err), strings.TrimSpace(p.stderr.String()))
}

// Validate sends the stacks and returns the validator's findings. The process takes further
// requests until Stop.
func (p *Process) Validate(stacks []Stack) ([]Finding, error) {
	input, err := json.Marshal(map[string]any{"stacks": stacks})
	if err != nil {
		return nil, err
	}
	if _, err := p.stdin.Write(append(input, '\n')); err != nil {
		return nil, p.failed(err)
	}
	if _, err := p.Loaded(); err != nil {
		return nil, err
	}
	line, err := p.stdout.ReadBytes('\n')
	if err != nil {
		return nil, p.failed(err)
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
