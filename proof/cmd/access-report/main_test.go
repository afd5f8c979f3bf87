package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
)

func TestFormatIsChecked(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(&stdout, &stderr, options{format: "xml"}); code != 2 || stderr.String() != "access-report: -format \"xml\": must be text, md or tsv\n" || stdout.Len() > 0 {
		t.Errorf("exit %d, stderr %q, stdout %q", code, stderr.String(), stdout.String())
	}
}

func TestReadableParts(t *testing.T) {
	for d, want := range map[access.Decision]string{access.Allow: "allow", access.ImplicitDeny: "deny", access.ExplicitDeny: "deny (explicit)"} {
		if got := verdictOf(d); got != want {
			t.Errorf("verdictOf(%s) = %q", d, got)
		}
	}
	f := access.Finding{Effect: "Allow", Sid: "WriteTokens", Policy: access.Source{Stack: "dev/API", LogicalID: "P1", Path: "dev/API/TokenApi/TokenService/Role/DefaultPolicy/Resource"}}
	if got := decidedBy(f); got != "Allow WriteTokens in dev/API/TokenApi/TokenService/Role/DefaultPolicy" {
		t.Errorf("decidedBy = %q", got)
	}
	trust := access.Finding{Effect: "Allow", Index: 0, Policy: access.Source{Stack: "dev/Server", LogicalID: "TrustRole1", Name: "AssumeRolePolicyDocument"}}
	if got := decidedBy(trust); got != "Allow statement 0 in dev/Server TrustRole1 (trust)" {
		t.Errorf("decidedBy = %q", got)
	}
	long := strings.Repeat("a", 30) + strings.Repeat("b", 30)
	if got := shorten(long, 21); len([]rune(got)) != 21 || !strings.HasPrefix(got, "aaaaaaaaaa…") || !strings.HasSuffix(got, "bbbbbbbbbb") {
		t.Errorf("shorten = %q", got)
	}
	if got := shorten("short", 21); got != "short" {
		t.Errorf("shorten = %q", got)
	}
}
