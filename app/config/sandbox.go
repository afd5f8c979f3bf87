package config

import (
	"fmt"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// Context keys of a sandbox: -c sandbox=<developer> builds a copy of the selected environment
// whose stack names carry the developer's name (make sandbox NAME=<developer>);
// -c sandbox:destroyData=true, in a sandbox only, lets its data go with its stacks.
const (
	SandboxKey     = "sandbox"
	DestroyDataKey = "sandbox:destroyData"
)

// SandboxName is the environment name of developer's sandbox.
func SandboxName(developer string) string { return "sandbox-" + developer }

// Sandbox turns env into developer's sandbox: the same settings, under the name
// sandbox-<developer> (so its stacks are gatehouse-sandbox-<developer>-*), deployed by the
// developer without the pipeline. With destroyData, its data resources (user pool, buckets,
// tables, keys, secret, log groups) are deleted with its stacks: the one place gatehouse allows
// it. developer and destroyData are the context's values (nil: absent).
func Sandbox(env Environment, developer, destroyData any) (Environment, error) {
	ps := limits.NewProblems(Scope)
	destroy := destroyData == "true" || destroyData == true
	if destroyData != nil && !destroy && destroyData != "false" && destroyData != false {
		ps.Add(DestroyDataKey, destroyData, "must be true or false")
	}
	if developer == nil {
		if destroy {
			ps.Add(DestroyDataKey, destroyData, "only a sandbox (-c sandbox=<name>, make sandbox NAME=<name>) may delete its data with its stacks; "+
				"every other environment retains its user pool, buckets, tables, keys and secret")
		}
		return env, ps.Err()
	}
	name, ok := developer.(string)
	if !ok || !limits.SandboxDeveloper.Match(name) {
		ps.Add(SandboxKey, developer, limits.SandboxDeveloper.Allowed)
	}
	if env.Production {
		ps.Add(SandboxKey, developer, fmt.Sprintf("a sandbox copies a development environment; %s is production (production: true): choose one with -c env=<name>", env.Name))
	}
	if err := ps.Err(); err != nil {
		return Environment{}, err
	}
	env.SandboxOf, env.Name = env.Name, SandboxName(name)
	env.DestroyData = destroy
	return env, nil
}
