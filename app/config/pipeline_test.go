package config_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

const goodConnection = "arn:aws:codeconnections:eu-west-1:111122223333:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

// environmentsJSON are two valid environments, one production, one with its own account.
const environmentsJSON = `{"dev": {` + ok + `}, "prod": {"account": "444455556666", "production": true, "allowedOrigins": ["https://photos.acme.io"]}}`

func pipelineFrom(t *testing.T, pipeline string) (config.Pipeline, []config.Environment, error) {
	t.Helper()
	var raw, environments any
	if pipeline != "" {
		must(0, json.Unmarshal([]byte(pipeline), &raw))
	}
	must(0, json.Unmarshal([]byte(environmentsJSON), &environments))
	return config.PipelineFromContext(".", raw, environments)
}

func TestPipeline(t *testing.T) {
	p, envs, err := pipelineFrom(t, `{"account": "111122223333", "connectionArn": "`+goodConnection+`", "repository": "acme/photos", "environments": ["dev", "prod"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if p.Region != limits.DefaultRegion || p.Branch != config.DefaultBranch {
		t.Errorf("defaults: region %q branch %q", p.Region, p.Branch)
	}
	if len(envs) != 2 || envs[0].Name != "dev" || envs[1].Name != "prod" {
		t.Fatalf("environments %+v", envs)
	}
	// An environment without an account stays account-agnostic (the pipeline deploys it to its
	// own account, with the same templates as a direct deploy); one with its own keeps it.
	if envs[0].Account != "" || envs[1].Account != "444455556666" || !envs[1].Production {
		t.Errorf("accounts %q %q, production %v", envs[0].Account, envs[1].Account, envs[1].Production)
	}
	if len(p.Placeholders()) != 0 {
		t.Errorf("placeholders %q", p.Placeholders())
	}
}

// TestBadPipeline: one line per problem, naming the field, the value and what is allowed; the
// problems of the environments the pipeline deploys are reported with the pipeline's.
func TestBadPipeline(t *testing.T) {
	prefix := "invalid cdk.json context: "
	for _, c := range []struct {
		name, pipeline string
		want           []string
	}{
		{"missing", ``, []string{"pipeline: is missing: cdk.json's context must hold a `pipeline` object to build the pipeline (see docs/deploying.md)"}},
		{"not an object", `["dev"]`, []string{`pipeline = ["dev"]: must be an object`}},
		{"empty", `{}`, []string{
			`pipeline.account = "": ` + limits.Account.Allowed + ` (required: the pipeline deploys across accounts and regions from an explicit account)`,
			`pipeline.connectionArn = "": ` + limits.ConnectionArn.Allowed,
			`pipeline.repository = "": ` + limits.Repository.Allowed,
			`pipeline.environments = []: must list the entries of ` + "`environments`" + ` the pipeline deploys, in order (e.g. ["dev", "prod"])`}},
		{"every field wrong", `{"account": "1111", "region": "mars-1", "connectionArn": "arn:aws:codestar:eu-west-1:111122223333:repo/x", "repository": "photos",
			"branch": "-main", "environments": ["dev", "staging", "dev"], "approval": true}`, []string{
			`pipeline.approval = true: unknown field; allowed: account, region, connectionArn, repository, branch, environments`,
			`pipeline.account = "1111": ` + limits.Account.Allowed + ` (required: the pipeline deploys across accounts and regions from an explicit account)`,
			`pipeline.region = "mars-1": ` + limits.Region.Allowed,
			`pipeline.connectionArn = "arn:aws:codestar:eu-west-1:111122223333:repo/x": ` + limits.ConnectionArn.Allowed,
			`pipeline.repository = "photos": ` + limits.Repository.Allowed,
			`pipeline.branch = "-main": ` + limits.GitBranch.Allowed,
			`pipeline.environments[1] = "staging": is not an entry of ` + "`environments`" + `; have dev, prod`,
			`pipeline.environments[2] = "dev": is listed twice`}},
		{"wrong types", `{"account": 111122223333, "connectionArn": "` + goodConnection + `", "repository": "acme/photos", "environments": "dev"}`, []string{
			`pipeline.account = 111122223333: must be a string`,
			`pipeline.environments = "dev": must be a list of strings`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := pipelineFrom(t, c.pipeline)
			var want []string
			for _, w := range c.want {
				want = append(want, prefix+w)
			}
			if err == nil || !slices.Equal(strings.Split(err.Error(), "\n"), want) {
				t.Errorf("error:\n  %v\nwant:\n  %s", err, strings.Join(want, "\n  "))
			}
		})
	}
}

// TestBadPipelineEnvironment: an environment the pipeline deploys is validated with it.
func TestBadPipelineEnvironment(t *testing.T) {
	var environments any
	must(0, json.Unmarshal([]byte(`{"dev": {"region": "mars-1", `+ok+`}}`), &environments))
	raw := map[string]any{"account": "111122223333", "connectionArn": goodConnection, "repository": "acme/photos", "environments": []any{"dev"}}
	_, _, err := config.PipelineFromContext(".", raw, environments)
	want := `invalid cdk.json context: environments.dev.region = "mars-1": ` + limits.Region.Allowed
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestShippedPipeline: cdk.json's pipeline synthesizes from a fresh clone, with its stand-ins
// (the documentation account, a connection there) reported as placeholders, which the
// pipeline's synth refuses.
func TestShippedPipeline(t *testing.T) {
	context := must(config.ContextFromFile(filepath.Join("..", "..", "cdk.json")))
	p, envs, err := config.PipelineFromContext("../..", context[config.PipelineKey], context["environments"])
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 2 || envs[0].Name != "dev" || envs[1].Name != "prod" || !envs[1].Production {
		t.Errorf("shipped pipeline deploys %+v", p.Environments)
	}
	got := p.Placeholders()
	if len(got) != 2 || !strings.HasPrefix(got[0], `pipeline.account = "123456789012": is AWS's documentation account`) ||
		!strings.HasPrefix(got[1], `pipeline.connectionArn = "arn:aws:codeconnections:ap-southeast-1:123456789012:`) {
		t.Errorf("placeholders %q", got)
	}
}
