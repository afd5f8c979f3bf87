// Package scripts holds the repository's shell scripts; this test runs them.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tool is the path of the command name, or the test is skipped without it.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skip("no " + name)
	}
	return path
}

// linkTool puts the command name into dir (a stand-in PATH), or skips the test without it.
func linkTool(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.Symlink(tool(t, name), filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// TestPreflight: with a stand-in `aws` on PATH, the pre-flight passes with working credentials
// and otherwise says, in one line, what to do.
func TestPreflight(t *testing.T) {
	bash := tool(t, "bash")
	for _, c := range []struct {
		name, aws, profile, want string
		ok                       bool
	}{
		{"no AWS CLI", "", "dev", "the AWS CLI is not installed", false},
		{"working", "echo 111122223333", "dev", "AWS account 111122223333 (profile dev)", true},
		{"expired SSO", "echo 'Error when retrieving token from sso: Token has expired and refresh failed' >&2; exit 255", "dev",
			"the SSO session of profile dev has expired or never started: run aws sso login --profile dev", false},
		{"unknown profile", "echo 'The config profile (nope) could not be found' >&2; exit 255", "nope",
			"profile nope is not configured: aws configure sso --profile nope", false},
		{"no credentials", "echo 'Unable to locate credentials. You can configure credentials by running \"aws configure\".' >&2; exit 255", "",
			"no credentials for the default credentials: set PROFILE=<profile>", false},
		{"other", "echo 'An error occurred (AccessDenied) when calling the GetCallerIdentity operation' >&2; exit 254", "dev",
			"the credentials of profile dev do not work: An error occurred (AccessDenied)", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.aws != "" {
				if err := os.WriteFile(filepath.Join(dir, "aws"), []byte("#!/bin/sh\n"+c.aws+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			// PATH holds only the stand-in and head, never a real aws.
			linkTool(t, dir, "head")
			cmd := exec.Command(bash, "preflight.sh", c.profile)
			cmd.Env = []string{"PATH=" + dir, "HOME=" + dir}
			out, err := cmd.CombinedOutput()
			if (err == nil) != c.ok || !strings.HasPrefix(string(out), c.want) || strings.Count(strings.TrimSpace(string(out)), "\n") > 0 {
				t.Errorf("err %v, output %q; want ok=%v and one line starting %q", err, out, c.ok, c.want)
			}
		})
	}
}
