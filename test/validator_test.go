package test

import (
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// strictValidator is AWS's CloudFormation validator (test/validator/strict.mjs: the engine
// aws-cdk-lib bundles, at the same version) in strict mode, with no rule excluded. It is started
// before the reference synth, so that loading its engine (about a second) overlaps the synth;
// the templates are sent once the synth is done, and the findings read by the test.
type strictValidator struct {
	stdin  io.WriteCloser
	done   chan struct{}
	out    []byte
	err    error
	stderr strings.Builder
}

func startStrictValidator() *strictValidator {
	v := &strictValidator{done: make(chan struct{})}
	cmd := exec.Command("node", filepath.Join(repoRoot, "test", "validator", "strict.mjs"))
	cmd.Stderr = &v.stderr
	stdin, err := cmd.StdinPipe()
	if err == nil {
		v.stdin = stdin
		go func() {
			defer close(v.done)
			v.out, v.err = cmd.Output()
		}()
		return v
	}
	v.err = err
	close(v.done)
	return v
}

// validate sends every template of the assembly in dir; the findings come with findings().
func (v *strictValidator) validate(dir string) {
	if v.stdin == nil {
		return
	}
	defer v.stdin.Close()
	templates, err := access.LoadAssembly(dir)
	if err != nil {
		v.err = err
		return
	}
	type stack struct {
		Template string `json:"template"`
		Account  string `json:"account"`
		Region   string `json:"region"`
	}
	var input struct {
		Stacks []stack `json:"stacks"`
	}
	for _, s := range templates {
		input.Stacks = append(input.Stacks, stack{Template: s.File, Account: cmpOr(s.Account, access.FakeAccount), Region: cmpOr(s.Region, "us-east-1")})
	}
	_ = json.NewEncoder(v.stdin).Encode(input)
}

type validatorFinding struct {
	Template, RuleID, Severity, LogicalID, Path, Message string
}

func (v *strictValidator) findings() ([]validatorFinding, error) {
	<-v.done
	if v.err != nil {
		return nil, fmt.Errorf("strict.mjs: %v\n%s", v.err, v.stderr.String())
	}
	var findings []validatorFinding
	if err := json.Unmarshal(v.out, &findings); err != nil {
		return nil, fmt.Errorf("strict.mjs output: %v\n%s", err, v.out)
	}
	return findings, nil
}

// TestCloudFormationValidatorStrict: AWS's validator in strict mode over every template of the
// reference app — stricter than aws-cdk-lib's own plugin, which skips W3005 (redundant
// DependsOn) among others. No stack of ours may have a finding; the canary's finding must be
// there, which proves the validator read the assembly.
func TestCloudFormationValidatorStrict(t *testing.T) {
	r := referenceApp()
	findings, err := r.validator.findings()
	if err != nil {
		t.Fatal(err)
	}
	canary := false
	for _, f := range findings {
		if strings.Contains(f.Template, "Canary") {
			canary = canary || f.RuleID == canaryRule
			continue
		}
		t.Errorf("%s: %s %s %s %s: %s", filepath.Base(f.Template), f.Severity, f.RuleID, f.LogicalID, f.Path, f.Message)
	}
	if !canary {
		t.Fatalf("the validator did not report the canary's %s finding, so it did not read the assembly: %+v", canaryRule, findings)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
