package matrix

import (
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
)

func TestDiagramNode(t *testing.T) {
	for in, want := range map[string]string{
		"<uploads>/protected/<A>/photo.jpg aws:SecureTransport=false":                         "<uploads>/protected/<A>/*",
		"<uploads> prefix=protected/<A>/":                                                     "<uploads>",
		"<trust role> sts:RoleSessionName=webApplication-NextJS":                              "trust role",
		"<items function>:live":                                                               "<items function>",
		"<items logs>:log-stream:2026/11/22/[$LATEST]0123456789abcdef":                        "<items logs>",
		"stack gatehouse-dev-api/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0":                        "stack gatehouse-dev-api",
		"arn:aws:iam::<this account>:role/gatehouse-dev-hosting-ComputeRolebeta-1fb9f4d2c578": "role/gatehouse-dev-hosting-ComputeRolebeta",
	} {
		if got := diagramNode(in); got != want {
			t.Errorf("diagramNode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDiagram: allowed rows are arrows; a denial that matters is a crossed arrow, unless the
// principal may otherwise use that resource; other denials are left out.
func TestDiagram(t *testing.T) {
	rows := []Row{
		{Who: "webpage role", Action: "sts:AssumeRole", Resource: "<trust role> sts:RoleSessionName=s"},
		{Who: "A", Action: "s3:GetObject", Resource: "<uploads>/protected/<B>/photo.jpg"},
		{Who: "signer role", Action: "secretsmanager:GetSecretValue", Resource: "<signing key secret>"},
		{Who: "signer role", Action: "secretsmanager:DeleteSecret", Resource: "<signing key secret>"},
		{Who: "trust role", Action: "dynamodb:GetItem", Resource: "<items table>"},
	}
	decisions := []access.Decision{access.Allow, access.ImplicitDeny, access.Allow, access.ImplicitDeny, access.ImplicitDeny}
	got := Diagram("dev", rows, decisions)
	for _, want := range []string{
		`"webpage role"] -- "sts:AssumeRole" --> n4["trust role"]`,
		`"signer role"] -- "secretsmanager:GetSecretValue" -->`,
		`"A"] -. "denied: s3:GetObject" .-x`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("diagram lacks %s:\n%s", want, got)
		}
	}
	for _, absent := range []string{"DeleteSecret", "items table"} {
		if strings.Contains(got, absent) {
			t.Errorf("diagram shows %s:\n%s", absent, got)
		}
	}
}
