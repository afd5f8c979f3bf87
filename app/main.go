// Command app is the gatehouse CDK app: it reads the environment selected by the `env` context key
// from the `environments` context object, validates it, builds that environment's stage and
// applies cdk-nag's AwsSolutions checks. It is the only code that reads context.
//
// Any error (bad configuration, bad construct props, a CDK error) is printed as plain lines on
// stderr and the process exits 1, with no Go panic trace or jsii stack and no cloud assembly
// written.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/app/stacks"
	"github.com/gatehouse-cdk/gatehouse/internal/appchecks"
	"github.com/gatehouse-cdk/gatehouse/internal/cdkapp"
	"github.com/gatehouse-cdk/gatehouse/internal/cfnvalidate"
	"github.com/gatehouse-cdk/gatehouse/internal/synthcache"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

func main() {
	os.Exit(run(os.Stderr))
}

func run(stderr io.Writer) (code int) {
	defer cdkapp.Close()
	timings := newTimings(os.Getenv("GATEHOUSE_TIMINGS"))
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(stderr, describe(r))
			code = 1
		}
	}()
	var props *awscdk.AppProps
	context, known := cliContext()
	if os.Getenv("CDK_OUTDIR") == "" {
		// Run without the CDK CLI (e.g. `go run ./app`): apply cdk.json's context (feature flags
		// and environments) ourselves and write to cdk.out, as the CLI would.
		var err error
		if context, err = config.ContextFromFile("cdk.json"); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		known = true
		props = &awscdk.AppProps{Context: &context, Outdir: jsii.String("cdk.out")}
	}
	// A bad configuration is reported before the jsii runtime (a Node process) starts, at once.
	// (The app's own context, read below, stays the authority.)
	var configured []config.Environment
	var configuredPipeline *config.Pipeline
	if known {
		envs, p, err := selected(context)
		if err := errors.Join(config.CheckContextKeys(context), err); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		configured, configuredPipeline = envs, p
		if !placeholdersAllowed(stderr, envs, p, context[DeployingContextKey] == "true") {
			return 1
		}
	}
	// With aws-cdk-lib's in-synth validation off (CDK_VALIDATION=false, as cdk.json's app command
	// sets it: it must be in the environment before the process starts, when jsii prepares its
	// Node process), the app runs AWS's CloudFormation validator itself, in strict mode, in a
	// process of its own, over every template it did not pass before (package cfnvalidate: its
	// cache, by engine and exact template bytes). GATEHOUSE_VALIDATOR=off skips it (make bench
	// measures synthesis without it).
	validating := os.Getenv("CDK_VALIDATION") == "false" && os.Getenv("GATEHOUSE_VALIDATOR") != "off"
	var cache *cfnvalidate.Cache
	if validating {
		if !cfnvalidate.Available(".") {
			fmt.Fprintf(stderr, "the CloudFormation validator (%s and the npm package @aws/cloudformation-validate) is not installed here: run `npm ci` in the repository (make deps does it)\n", cfnvalidate.Script)
			return 1
		}
		var err error
		if cache, err = cfnvalidate.OpenCache(".", cfnvalidate.DefaultCacheDir); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	// Nothing the app reads changed since a run that passed every check (the same validator
	// engine among them): that run's assembly is the one this run would write (package
	// synthcache), reused without starting jsii or the validator.
	var synthKey string
	if known && configuredPipeline == nil && cache != nil && os.Getenv("CDK_OUTDIR") != "" && os.Getenv("GATEHOUSE_SYNTH_CACHE") != synthcache.Off && os.Getenv("CONTEXT_OVERFLOW_LOCATION_ENV") == "" {
		if key, ok := synthcache.Key(synthInputs(configured[0], cache.Engine())); ok {
			synthKey = key
			if synthcache.Replay(synthcache.DefaultDir, key, os.Getenv("CDK_OUTDIR")) {
				fmt.Fprintln(stderr, "gatehouse: unchanged since the last synth, which passed cdk-nag and the validator: its assembly reused (GATEHOUSE_SYNTH_CACHE=off rebuilds it)")
				fmt.Fprintln(stderr, config.BuiltLine(configured[0].Name, context["environments"]))
				return 0
			}
		}
	}
	// The validator starts now: the engine loads (~1 s) on another core while jsii starts and the
	// constructs are built (an input changed, so a template likely did; if none did, it is
	// stopped unused).
	var validator *cfnvalidate.Process
	if cache != nil {
		var err error
		if validator, err = cfnvalidate.Start(".", cache); err != nil {
			fmt.Fprintln(stderr, "the CloudFormation validator did not start:", err)
			return 1
		}
		defer validator.Stop(true)
	}
	app := awscdk.NewApp(props)
	timings.mark("jsii")
	// CDK records where each resource was created as a JavaScript stack trace; in a Go app it
	// holds only jsii frames ("no user code"), and capturing it costs ~20 ms a synth.
	app.Node().SetContext(jsii.String(cdkapp.DisableCreationStackTraces), true)
	envs, pipeline, err := selected(map[string]any{
		"env": app.Node().TryGetContext(jsii.String("env")), "environments": app.Node().TryGetContext(jsii.String("environments")),
		config.SandboxKey: app.Node().TryGetContext(jsii.String(config.SandboxKey)), config.DestroyDataKey: app.Node().TryGetContext(jsii.String(config.DestroyDataKey)),
		config.PipelineKey: app.Node().TryGetContext(jsii.String(config.PipelineKey)), stacks.PipelineContextKey: app.Node().TryGetContext(jsii.String(stacks.PipelineContextKey)),
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}

	// The functions must be built first (make build; make synth does it).
	for _, dir := range functionDirs {
		bootstrap := filepath.Join(dir, "bootstrap")
		if _, err := os.Stat(bootstrap); err != nil {
			fmt.Fprintf(stderr, "%s is missing: build the functions first with `make app` (cdk.json's app command does it)\n", bootstrap)
			return 1
		}
	}
	options := stacks.Options{
		ItemsFunctionDir: stacks.ItemsFunctionDir, SignerFunctionDir: stacks.SignerFunctionDir,
		AuthorizerFunctionDir: stacks.AuthorizerFunctionDir, TokenServiceFunctionDir: stacks.TokenServiceFunctionDir, APIFunctionDir: stacks.APIFunctionDir,
		Built: func(part string) { timings.mark("constructs " + part) },
	}
	var targets []stacks.Target
	var stages []*stacks.EnvironmentStage
	for _, env := range envs {
		stages = append(stages, stacks.NewEnvironmentStage(app, env, options))
	}
	if pipeline != nil {
		stacks.NewPipeline(app, *pipeline, stages)
		targets = append(targets, stacks.Target{Account: pipeline.Account, Region: pipeline.Region})
	}
	for _, env := range envs {
		for _, t := range stacks.Targets(env) {
			if pipeline != nil && t.Account == "" {
				t.Account = pipeline.Account // the pipeline deploys an account-agnostic stage there
			}
			targets = append(targets, t)
		}
	}
	stacks.AddGuardrails(app, targets)
	appchecks.Apply(app)
	assembly := app.Synth(nil)
	timings.mark("synth")
	findings := appchecks.Findings(assembly)
	timings.mark("findings")
	var invalid []cfnvalidate.Finding
	if cache != nil {
		var err error
		invalid, _, err = cfnvalidate.Check(".", *assembly.Directory(), cache, validator)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		timings.mark("validator")
	}
	if err := timings.write(); err != nil {
		fmt.Fprintln(stderr, "GATEHOUSE_TIMINGS:", err)
	}
	for _, f := range findings {
		fmt.Fprintln(stderr, "cdk-nag finding: "+f)
	}
	for _, f := range invalid {
		fmt.Fprintln(stderr, "CloudFormation validator finding: "+f.String())
	}
	if len(findings) > 0 || len(invalid) > 0 {
		fmt.Fprintln(stderr, "fix each finding, or suppress it with a reason and the exact finding (see docs/security.md)")
		return 1
	}
	if synthKey != "" {
		// A cache that cannot be written costs the next run time, not this one a check.
		_ = synthcache.Store(synthcache.DefaultDir, synthKey, *assembly.Directory())
	}
	if pipeline != nil {
		fmt.Fprintf(stderr, "gatehouse: synthesized the pipeline (stack %s, deploying %s)\n", stacks.PipelineStackID, strings.Join(pipeline.Environments, ", then "))
	} else {
		fmt.Fprintln(stderr, config.BuiltLine(envs[0].Name, app.Node().TryGetContext(jsii.String("environments"))))
	}
	return 0
}

// functionDirs are the asset directories the stacks package: the built functions.
var functionDirs = []string{stacks.ItemsFunctionDir, stacks.SignerFunctionDir, stacks.AuthorizerFunctionDir, stacks.TokenServiceFunctionDir, stacks.APIFunctionDir}

// synthInputs are what a synth reads besides its executable and environment (synthcache.Key):
// the context, the validator's engine (engine: cfnvalidate.Cache.Engine), the public keys the
// environment names (read by config), the functions.
func synthInputs(env config.Environment, engine string) synthcache.Inputs {
	in := synthcache.Inputs{Context: os.Getenv("CDK_CONTEXT_JSON"), Contents: []string{"validator engine " + engine}, AssetDirs: functionDirs}
	if env.Delivery != nil {
		in.Contents = append(in.Contents, env.Delivery.PublicKeyPEMs...)
	}
	return in
}

// DeployingContextKey is set to "true" by make diff and make deploy (-c): the app then refuses
// the configuration's placeholders (config.Environment.Placeholders).
const DeployingContextKey = "gatehouse:deploying"

// selected validates what context selects: the environment `env` names, or with
// gatehouse:pipeline=true the pipeline and every environment it deploys (pipeline nil otherwise).
func selected(context map[string]any) (envs []config.Environment, pipeline *config.Pipeline, err error) {
	if context[stacks.PipelineContextKey] != "true" {
		env, err := config.FromContext(context["env"], context["environments"])
		if err != nil {
			return nil, nil, err
		}
		env, err = config.Sandbox(env, context[config.SandboxKey], context[config.DestroyDataKey])
		return []config.Environment{env}, nil, err
	}
	p, envs, err := config.PipelineFromContext(".", context[config.PipelineKey], context["environments"])
	if context[config.SandboxKey] != nil {
		err = errors.Join(err, &limits.Error{Scope: config.Scope, Problems: []limits.Problem{{Field: config.SandboxKey, Value: context[config.SandboxKey],
			Allowed: "a sandbox is deployed by its developer (make sandbox NAME=<name>), never by the pipeline"}}})
	} else if _, serr := config.Sandbox(config.Environment{}, nil, context[config.DestroyDataKey]); serr != nil {
		err = errors.Join(err, serr)
	}
	return envs, &p, err
}

// placeholdersAllowed: the shipped stand-ins synthesize, with a warning line each; a deploy
// (or the pipeline's own synth, which deploys what it builds) refuses them, one line each,
// before anything is built.
func placeholdersAllowed(stderr io.Writer, envs []config.Environment, pipeline *config.Pipeline, deploying bool) bool {
	var placeholders []string
	if pipeline != nil {
		placeholders = pipeline.Placeholders()
	}
	for _, env := range envs {
		placeholders = append(placeholders, env.Placeholders()...)
	}
	for _, p := range placeholders {
		if deploying {
			fmt.Fprintln(stderr, "cannot deploy: "+p)
		} else {
			fmt.Fprintln(stderr, "warning: "+p+" (make deploy refuses it)")
		}
	}
	if deploying && len(placeholders) > 0 {
		what := envs[0].Name
		if pipeline != nil {
			what = "the pipeline"
		}
		fmt.Fprintf(stderr, "cannot deploy %s with placeholders: change them in cdk.json (they only let a fresh clone synthesize)\n", what)
		return false
	}
	return true
}

// timings records how long each phase of a synth took, for `make bench` (GATEHOUSE_TIMINGS
// names the JSON file to write; unset, nothing is recorded).
type timings struct {
	file   string
	last   time.Time
	phases map[string]float64
}

func newTimings(file string) *timings {
	return &timings{file: file, last: time.Now(), phases: map[string]float64{}}
}

// mark ends the phase called name.
func (t *timings) mark(name string) {
	now := time.Now()
	t.phases[name] = now.Sub(t.last).Seconds()
	t.last = now
}

func (t *timings) write() error {
	if t.file == "" {
		return nil
	}
	raw, _ := json.Marshal(t.phases)
	return os.WriteFile(t.file, raw, 0o644)
}

// cliContext is the context the CDK CLI passes the app in CDK_CONTEXT_JSON, when it does.
func cliContext() (map[string]any, bool) {
	raw := os.Getenv("CDK_CONTEXT_JSON")
	var context map[string]any
	if raw == "" || json.Unmarshal([]byte(raw), &context) != nil {
		return nil, false
	}
	return context, true
}

// describe turns a recovered panic into plain message lines: our validation errors as they are,
// anything else (a jsii/CDK error) as its first line, without the JavaScript stack.
func describe(r any) string {
	var verr *limits.Error
	if err, ok := r.(error); ok {
		if errors.As(err, &verr) {
			return verr.Error()
		}
		return "error: " + firstLine(err.Error())
	}
	return "error: " + firstLine(fmt.Sprint(r))
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
