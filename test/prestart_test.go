package test

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// prestarted is a subprocess a test needs, started when the test binary starts (TestMain), so
// that its start-up — Node loading the validator, the IAM simulator or Amplify JS, about a second
// in all — runs on the second core while the reference app synthesizes. A test sends its input
// once it has it, and waits for the output.
type prestarted struct {
	name   string
	stdin  io.WriteCloser
	done   chan struct{}
	stdout bytes.Buffer
	stderr strings.Builder
	err    error
}

// prestart starts cmd with a pipe on its stdin.
func prestart(name string, cmd *exec.Cmd) *prestarted {
	p := &prestarted{name: name, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.stdout, &p.stderr
	stdin, err := cmd.StdinPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err == nil {
		// Below the jsii process, whose synthesis every test waits for.
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, cmd.Process.Pid, 10)
	}
	if err != nil {
		p.err = err
		close(p.done)
		return p
	}
	p.stdin = stdin
	go func() {
		defer close(p.done)
		p.err = cmd.Wait()
	}()
	return p
}

// prestartNode starts a test script of test/ (a path below it) with the pinned Node.
func prestartNode(script string) *prestarted {
	return prestart(script, exec.Command("node", "--single-threaded", filepath.Join(repoRoot, "test", script)))
}

// send writes input to the process and closes its stdin.
func (p *prestarted) send(input []byte) {
	if p.stdin != nil {
		_, _ = p.stdin.Write(input)
		_ = p.stdin.Close()
		p.stdin = nil
	}
}

// wait closes stdin if send did not, waits for the process and returns its output and how it
// ended (cmd.Wait's error: an *exec.ExitError for a non-zero exit).
func (p *prestarted) wait() (stdout []byte, stderr string, err error) {
	p.send(nil)
	<-p.done
	return p.stdout.Bytes(), p.stderr.String(), p.err
}

// output is wait for a process that must succeed: its stdout, or an error with its stderr.
func (p *prestarted) output() ([]byte, error) {
	stdout, stderr, err := p.wait()
	if err != nil {
		return stdout, fmt.Errorf("%s: %w\n%s", p.name, err, stderr)
	}
	return stdout, nil
}

// stop ends a process no test waited for (a test run with -run), by closing its stdin.
func (p *prestarted) stop() {
	p.send(nil)
	<-p.done
}
