package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// Pipeline is the `pipeline` object of cdk.json's context: where the delivery pipeline (CDK
// Pipelines: CodePipeline, CodeBuild, CloudFormation) lives, what it builds from, and the
// environments it deploys, in order. Field names are the JSON keys users write.
type Pipeline struct {
	// Account is the 12-digit account the pipeline runs in (the account the target accounts
	// trust at bootstrap); an environment without an account deploys there too (its stacks stay
	// account-agnostic: the same templates as a direct deploy). Required: CDK
	// Pipelines deploys across accounts and regions (delivery's us-east-1 stack) only from an
	// explicit account.
	Account string `json:"account"`
	// Region the pipeline runs in. Default limits.DefaultRegion.
	Region string `json:"region"`
	// ConnectionArn is the CodeConnections connection to the repository's host (made once in
	// the console: it needs a person to authorize the host). Required.
	ConnectionArn string `json:"connectionArn"`
	// Repository is "owner/name" on that host. Required.
	Repository string `json:"repository"`
	// Branch the pipeline builds. Default "main".
	Branch string `json:"branch"`
	// Environments are entries of `environments`, deployed in this order; a production one
	// (production: true) waits for a manual approval. Required: at least one.
	Environments []string `json:"environments"`
}

// PipelineKey is the context key of the pipeline's settings.
const PipelineKey = "pipeline"

// DefaultBranch is the branch a pipeline builds when `branch` is left out.
const DefaultBranch = "main"

// PipelineFromContext validates the `pipeline` object (raw, as the CDK returns it) and every
// environment it deploys (from environments), reading their files relative to dir. Every
// problem of the pipeline and of its environments is reported at once, one line each.
func PipelineFromContext(dir string, raw, environments any) (Pipeline, []Environment, error) {
	ps := limits.NewProblems(Scope)
	p := Pipeline{Region: limits.DefaultRegion, Branch: DefaultBranch}
	if raw == nil {
		ps.Add(PipelineKey, nil, "is missing: cdk.json's context must hold a `pipeline` object to build the pipeline (see docs/deploying.md)")
		return Pipeline{}, nil, ps.Err()
	}
	text, _ := json.Marshal(raw) // context values are JSON values
	decodeObject(ps, PipelineKey, text, reflect.ValueOf(&p).Elem())
	if ps.Reported(PipelineKey) { // not an object: nothing else to say
		return Pipeline{}, nil, ps.Err()
	}
	p.check(ps)
	var all map[string]json.RawMessage
	if b, err := json.Marshal(environments); err == nil {
		_ = json.Unmarshal(b, &all)
	}
	var envs []Environment
	var errs []error
	seen := map[string]bool{}
	for i, name := range p.Environments {
		f := fmt.Sprintf("%s.environments[%d]", PipelineKey, i)
		entry, ok := all[name]
		switch {
		case seen[name]:
			ps.Add(f, name, "is listed twice")
			continue
		case !ok:
			ps.Add(f, name, "is not an entry of `environments`; have "+strings.Join(slices.Sorted(maps.Keys(all)), ", "))
			continue
		}
		seen[name] = true
		env, err := ParseIn(dir, name, entry)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		envs = append(envs, env)
	}
	if err := joinProblems(ps, errs); err != nil {
		return Pipeline{}, nil, err
	}
	return p, envs, nil
}

// joinProblems adds the problems of errs (each a *limits.Error of the same scope) to ps.
func joinProblems(ps *limits.Problems, errs []error) error {
	for _, err := range errs {
		if e, ok := err.(*limits.Error); ok {
			for _, problem := range e.Problems {
				ps.Add(problem.Field, problem.Value, problem.Allowed)
			}
		}
	}
	return ps.Err()
}

func (p *Pipeline) check(ps *limits.Problems) {
	f := PipelineKey
	// A field reported as the wrong type is not checked again on the default left in its place.
	if !ps.Reported(f+".account") && !limits.Account.Match(p.Account) {
		ps.Add(f+".account", p.Account, limits.Account.Allowed+" (required: the pipeline deploys across accounts and regions from an explicit account)")
	}
	for _, c := range []struct {
		field, value string
		rule         limits.Pattern
	}{{"region", p.Region, limits.Region}, {"connectionArn", p.ConnectionArn, limits.ConnectionArn}, {"repository", p.Repository, limits.Repository}, {"branch", p.Branch, limits.GitBranch}} {
		if !ps.Reported(f + "." + c.field) {
			c.rule.Check(ps, f+"."+c.field, c.value)
		}
	}
	if len(p.Environments) == 0 && !ps.Reported(f+".environments") {
		ps.Add(f+".environments", limits.Raw("[]"), "must list the entries of `environments` the pipeline deploys, in order (e.g. [\"dev\", \"prod\"])")
	}
}

// Placeholders lists the shipped stand-ins of the pipeline's own settings, one line each (as
// Environment.Placeholders): the pipeline refuses them, and its environments', when deploying.
func (p Pipeline) Placeholders() []string {
	var lines []string
	if p.Account == limits.ExampleAccountID {
		lines = append(lines, limits.Problem{Field: PipelineKey + ".account", Value: p.Account,
			Allowed: "is AWS's documentation account, a placeholder: set the account the pipeline runs in"}.String())
	}
	if strings.Contains(p.ConnectionArn, ":"+limits.ExampleAccountID+":") {
		lines = append(lines, limits.Problem{Field: PipelineKey + ".connectionArn", Value: p.ConnectionArn,
			Allowed: "is in AWS's documentation account, a placeholder: create a connection (Developer Tools > Connections) and set its ARN"}.String())
	}
	return lines
}
