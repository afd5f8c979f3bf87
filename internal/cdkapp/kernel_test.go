package cdkapp_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirectKernelSpeaksTheProtocol: jsii's own kernel, started by jsii-kernel.sh as the app and
// the CDK tests start it, greets and answers on the Go process's pipes, and its console output
// reaches stderr as the launcher sent it.
func TestDirectKernelSpeaksTheProtocol(t *testing.T) {
	if _, err := os.Stat("../../build/jsii-runtime/lib/program.js"); err != nil {
		t.Skip("no build/jsii-runtime (make app copies it):", err)
	}
	cmd := exec.Command("/bin/sh", "-c", `exec "$KERNEL"`)
	kernel, err := filepath.Abs("jsii-kernel.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "KERNEL="+kernel)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	answers := bufio.NewReader(stdout)
	read := func() map[string]any {
		t.Helper()
		line, err := answers.ReadBytes('\n')
		if err != nil {
			t.Fatalf("reading an answer: %v (stderr: %s)", err, stderr.String())
		}
		var answer map[string]any
		if err := json.Unmarshal(line, &answer); err != nil {
			t.Fatalf("answer %q: %v", line, err)
		}
		return answer
	}
	if hello, ok := read()["hello"].(string); !ok || !strings.HasPrefix(hello, "@jsii/runtime@") {
		t.Fatalf("want the kernel's greeting first")
	}
	io.WriteString(stdin, `{"api":"stats"}`+"\n")
	if ok, _ := read()["ok"].(map[string]any); ok == nil || ok["objectCount"] != float64(0) {
		t.Errorf("stats: want {ok: {objectCount: 0}}")
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("the kernel exited with %v (stderr: %s)", err, stderr.String())
	}
}

// TestKernelIO: the preload sends the kernel's protocol writes (descriptor 3) to descriptor 4,
// reads stay on 3, and console output goes to stderr as one {"stdout"|"stderr": base64} line a
// write, even output that is itself JSON.
func TestKernelIO(t *testing.T) {
	preload, err := filepath.Abs("kernel-io.cjs")
	if err != nil {
		t.Fatal(err)
	}
	program := filepath.Join(t.TempDir(), "program.js")
	os.WriteFile(program, []byte(`const fs = require('node:fs');
const buf = Buffer.alloc(64);
const n = fs.readSync(3, buf, 0, buf.length, null);
fs.writeSync(3, Buffer.from('answer to ' + buf.subarray(0, n).toString()));
console.log('hello');
console.error('oops');
process.stdout.write('{"stderr":"c3dhbGxvd2Vk"}\n');
`), 0o644)
	requests, toKernel, _ := os.Pipe()
	fromKernel, answers, _ := os.Pipe()
	cmd := exec.Command("node", "--require", preload, program)
	cmd.ExtraFiles = []*os.File{requests, answers} // descriptors 3 and 4
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	requests.Close()
	answers.Close()
	io.WriteString(toKernel, "request\n")
	toKernel.Close()
	got, _ := io.ReadAll(fromKernel)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if string(got) != "answer to request\n" {
		t.Errorf("descriptor 4: got %q, want the answer written to 3", got)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var message map[string]string
		if err := json.Unmarshal([]byte(line), &message); err != nil {
			t.Fatalf("stderr line %q is not a console message: %v", line, err)
		}
		for stream, data := range message {
			text, _ := base64.StdEncoding.DecodeString(data)
			lines = append(lines, stream+": "+string(text))
		}
	}
	want := []string{"stdout: hello\n", "stderr: oops\n", `stdout: {"stderr":"c3dhbGxvd2Vk"}` + "\n"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("console messages: got %q, want %q", lines, want)
	}
}
