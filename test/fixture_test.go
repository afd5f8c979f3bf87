package test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/app/stacks"
	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
	"github.com/gatehouse-cdk/gatehouse/constructs/hosting"
	"github.com/gatehouse-cdk/gatehouse/constructs/rolechain"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
	"github.com/gatehouse-cdk/gatehouse/internal/appchecks"
	"github.com/gatehouse-cdk/gatehouse/internal/cdkapp"
)

// stageOptions point at the artefacts `make build` produces (make test builds them first).
var stageOptions = stacks.Options{
	ItemsFunctionDir:        filepath.Join(repoRoot, stacks.ItemsFunctionDir),
	SignerFunctionDir:       filepath.Join(repoRoot, stacks.SignerFunctionDir),
	AuthorizerFunctionDir:   filepath.Join(repoRoot, stacks.AuthorizerFunctionDir),
	TokenServiceFunctionDir: filepath.Join(repoRoot, stacks.TokenServiceFunctionDir),
	APIFunctionDir:          filepath.Join(repoRoot, stacks.APIFunctionDir),
}

// fullEnv switches every optional feature on (guests, groups, KMS, Essentials, MFA off, SES
// email from another region, delivery with two keys and a custom domain, an API with CORS, its
// cache off and execution logging on), so
// that their templates, suppressions and validator findings are covered by the one synth of
// the reference app as well.
const fullEnv = `{
  "account": "111122223333",
  "region": "eu-west-1",
  "allowedOrigins": ["https://app.example.com", "http://localhost:3000"],
  "allowGuests": true,
  "selfSignUp": false,
  "featurePlan": "essentials",
  "mfa": "off",
  "accessTokenValidityMinutes": 15,
  "idTokenValidityMinutes": 15,
  "refreshTokenValidityDays": 7,
  "groups": [{"name": "admins", "precedence": 0}, {"name": "editors", "precedence": 10}],
  "uploadEncryption": "kms",
  "noncurrentVersionExpirationDays": 90,
  "accessLogExpirationDays": 400,
  "corsMaxAgeSeconds": 600,
  "sessionName": "ssr-server",
  "sessionDurationSeconds": 3600,
  "developerRoleArns": ["arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Developer_0123456789abcdef"],
  "crossAccount": {
    "trustedAccountId": "444455556666",
    "externalId": "gatehouse-partner-7f3a9c",
    "trustedRoleName": "partner-reader",
    "sessionName": "partner-sync",
    "maxSessionDurationSeconds": 7200,
    "account": "777788889999",
    "region": "eu-west-1"
  },
  "amplify": {"roleOnly": true, "appId": "d1a2b3c4d5e6f7", "restrictTrust": true, "assumeTrustRole": true},
  "email": {"from": "no-reply@mail.example.com", "fromName": "Example App", "replyTo": "support@example.com",
    "sesIdentity": "mail.example.com", "sesRegion": "us-east-1"},
  "delivery": {"publicKeys": ["test/testdata/cdn-keys/key-1.pem", "test/testdata/cdn-keys/key-2.pem"], "priceClass": "PriceClass_All",
    "signatureTtlSeconds": 300, "domainName": "images.example.com", "logExpirationDays": 90,
    "certificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-4234-8234-123456789012"},
  "api": {"authorizerCacheSeconds": 0, "maxActiveTokensPerOwner": 5, "scopes": ["read", "write", "audit"], "executionLogging": true,
    "allowedOrigins": ["https://app.example.com"], "throttleRateLimit": 5, "throttleBurstLimit": 10}
}`

// scratchOutdir holds the cloud assembly of the scratch configurations, an app of its own: "full"
// less one group (TestRemovingAGroupTouchesOnlyItsOwnResources), with the same stage name, so
// every construct path, logical id and name CDK derives from paths is the same as in "full";
// and "optin" and "subgroups" (matrixEnvs). stopAll removes it.
var scratchOutdir = must(os.MkdirTemp("", "gatehouse-test-scratch-"))

// optInEnv is a scratch configuration in which a branch's own compute role opts in to the trust
// role (beta), another does not but may publish feedback (gamma), and the app's role (main) does
// not: the access matrix proves each of them (TestAccessMatrix, the referee).
const optInEnv = `{
  "amplify": {"appName": "gatehouse-web-optin", "restrictTrust": true, "branches": [
    {"name": "main"},
    {"name": "beta", "stage": "BETA", "ownRole": true, "assumeTrustRole": true},
    {"name": "gamma", "stage": "DEVELOPMENT", "ownRole": true, "publishFeedback": true}]}
}`

// subGroupsEnv is a scratch configuration with the sub owner key, groups and guests: the access
// matrix proves that a group member keeps owner access under the session tag, and that guests
// (whom Cognito never tags) reach no owner folder.
const subGroupsEnv = `{
  "allowedOrigins": ["https://app.example.com"], "ownerKey": "sub", "allowGuests": true,
  "groups": [{"name": "admins", "precedence": 0}, {"name": "editors", "precedence": 10}]
}`

// sandboxEnv is the environment alice's sandbox copies: dev's stacks but the optional ones.
const sandboxEnv = `{"allowedOrigins": ["http://localhost:3000"]}`

func fullEnvWithoutGroup(name string) []byte {
	var env map[string]any
	must(0, json.Unmarshal([]byte(fullEnv), &env))
	var groups []any
	for _, g := range env["groups"].([]any) {
		if g.(map[string]any)["name"] != name {
			groups = append(groups, g)
		}
	}
	env["groups"] = groups
	return must(json.Marshal(env))
}

// reference is the app as app/main.go builds it, with cdk.json's context: the shipped environments
// (dev, prod) plus the all-options environment "full", each a stage, and cdk-nag applied. It is
// synthesized once per test run; AWS's CloudFormation validator then reads the assembly
// (TestCloudFormationValidatorStrict).
type reference struct {
	stages map[string]*stacks.EnvironmentStage
	// envs are the environment stages' configurations, by stage name.
	envs map[string]config.Environment
	// scratchEnvs are the configurations of scratchOutdir's stages besides "full" less a group.
	scratchEnvs map[string]config.Environment
	canary      awscdk.Stack
	// sandbox is dev as alice's sandbox with sandbox:destroyData (in the scratch app).
	sandbox *stacks.EnvironmentStage
	// pipeline is the pipeline stack built from cdk.json's pipeline section (pipelineCfg).
	pipeline    *stacks.Pipeline
	pipelineCfg config.Pipeline
	// stacks are the stacks of the environment stages and the library stage, by "<stage>/<id>".
	stacks map[string]awscdk.Stack
	// nagFindings are appchecks.Findings of the assembly, as app/main.go reports them.
	nagFindings []string
	library     awscdk.Stack
	outdir      string
	templates   map[string]assertions.Template
	json        map[string]map[string]any
}

// stackNames lists every stack of the reference app as "<stage>/<stack id>".
func (r *reference) stackNames() []string {
	return slices.Sorted(maps.Keys(r.stacks))
}

func (r *reference) stack(name string) awscdk.Stack { return r.stacks[name] }

// referenceOutdir is the reference app's cloud assembly; stopAll removes it.
var referenceOutdir = must(os.MkdirTemp("", "gatehouse-test-"))

var referenceApp = sync.OnceValue(func() *reference {
	context := must(config.ContextFromFile(filepath.Join(repoRoot, "cdk.json")))
	r := &reference{
		stages:    map[string]*stacks.EnvironmentStage{},
		envs:      map[string]config.Environment{},
		outdir:    referenceOutdir,
		templates: map[string]assertions.Template{},
		json:      map[string]map[string]any{},
		stacks:    map[string]awscdk.Stack{},
	}
	// The canary's findings would fail this synth; the tests read every finding themselves
	// (TestCloudFormationValidatorStrict, TestNoUnsuppressedNagFindings), so synth reports and goes on.
	context["@aws-cdk/core:failSynthOnValidationErrors"] = false
	// As the CDK CLI does: construct paths in template metadata (explanations name them).
	context["aws:cdk:enable-path-metadata"] = true
	// Nothing deploys from the tests' assembly: assets are fingerprinted but not copied into it
	// (the items function is 9.5 MB, once per environment stage).
	context["aws:cdk:disable-asset-staging"] = true
	context[cdkapp.DisableCreationStackTraces] = true // as app/main.go sets it
	app := awscdk.NewApp(&awscdk.AppProps{Context: &context, Outdir: jsii.String(r.outdir)})
	for _, name := range []string{"dev", "prod"} {
		r.envs[name] = must(config.FromContextIn(repoRoot, name, context["environments"]))
	}
	r.envs["full"] = must(config.ParseIn(repoRoot, "full", []byte(fullEnv)))
	for _, name := range []string{"dev", "prod", "full"} {
		r.stages[name] = stacks.NewEnvironmentStage(app, r.envs[name], stageOptions)
	}
	// The guardrails of every account the app deploys to, as app/main.go adds them (dev's and prod's
	// default account is the model's FakeAccount, the shipped pipeline's).
	pipeline, _, err := config.PipelineFromContext(repoRoot, context[config.PipelineKey], context["environments"])
	r.pipelineCfg = must(pipeline, err)
	targets := append([]stacks.Target{{Account: pipeline.Account, Region: pipeline.Region}}, stacks.Targets(r.envs["full"])...)
	for _, g := range stacks.AddGuardrails(app, targets) {
		r.stacks["app/"+*g.Node().Id()] = g
	}
	r.library = addLibraryStage(app)
	r.stacks["library/Library"] = r.library
	r.stacks["flagless/Flagless"] = addFlaglessStage(app)
	for name, stage := range r.stages {
		for _, child := range *stage.Stage.Node().Children() {
			if *awscdk.Stack_IsStack(child) {
				r.stacks[name+"/"+*child.Node().Id()] = child.(awscdk.Stack)
			}
		}
	}
	r.canary = addValidatorCanary(app)
	appchecks.Apply(app)
	// The pipeline as cdk.json configures it, deploying the dev and prod stages above (as app/main.go
	// builds it: the same stages a direct deploy builds).
	var pipelineStages []*stacks.EnvironmentStage
	for _, env := range pipeline.Environments {
		pipelineStages = append(pipelineStages, r.stages[env])
	}
	r.pipeline = stacks.NewPipeline(app, r.pipelineCfg, pipelineStages)
	r.stacks["app/"+stacks.PipelineStackID] = r.pipeline.Stack
	r.nagFindings = appchecks.Findings(app.Synth(nil))
	// CodePipeline's support stack for the us-east-1 stage stacks exists once synthesized.
	for _, child := range *app.Node().Children() {
		if *awscdk.Stack_IsStack(child) && strings.HasPrefix(*child.Node().Id(), "cross-region-stack-") {
			r.stacks["app/cross-region-stack"] = child.(awscdk.Stack)
		}
	}
	validateAssembly(r.outdir)
	// The scratch configurations, in an app of their own with the same context: "full" less a
	// group, "optin" and "subgroups", and alice's sandbox; no cdk-nag (it adds nothing to templates) and no validation (the same
	// templates less three resources, or with other compute roles).
	scratchApp := awscdk.NewApp(&awscdk.AppProps{Context: &context, Outdir: jsii.String(scratchOutdir)})
	stacks.NewEnvironmentStage(scratchApp, must(config.ParseIn(repoRoot, "full", fullEnvWithoutGroup("editors"))), stageOptions)
	r.scratchEnvs = map[string]config.Environment{
		"optin":     must(config.ParseIn(repoRoot, "optin", []byte(optInEnv))),
		"subgroups": must(config.ParseIn(repoRoot, "subgroups", []byte(subGroupsEnv))),
	}
	var scratchTargets []stacks.Target
	for _, name := range slices.Sorted(maps.Keys(r.scratchEnvs)) {
		stacks.NewEnvironmentStage(scratchApp, r.scratchEnvs[name], stageOptions)
		scratchTargets = append(scratchTargets, stacks.Targets(r.scratchEnvs[name])...)
	}
	stacks.AddGuardrails(scratchApp, append(scratchTargets, stacks.Targets(r.envs["full"])...))
	// alice's sandbox of a minimal environment (the auth, uploads and server stacks), its data
	// deleted with its stacks (TestSandboxDestroysOnlyItsOwnData).
	r.sandbox = stacks.NewEnvironmentStage(scratchApp, must(config.Sandbox(must(config.ParseIn(repoRoot, "dev", []byte(sandboxEnv))), "alice", "true")), stageOptions)
	scratchApp.Synth(nil)
	for _, name := range r.stackNames() {
		t := assertions.Template_FromStack(r.stack(name), nil)
		r.templates[name] = t
		raw := must(json.Marshal(t.ToJSON()))
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		r.json[name] = m
	}
	return r
})

// addLibraryStage uses the constructs directly, as another CDK app would, with what the
// reference app does not use: guest, authenticated and group rules, a rule without list, and a
// grant to a server-side role.
func addLibraryStage(app awscdk.App) awscdk.Stack {
	stage := awscdk.NewStage(app, jsii.String("library"), &awscdk.StageProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("ap-southeast-1")},
	})
	stack := awscdk.NewStack(stage, jsii.String("Library"), nil)
	signIn := auth.NewUserAuth(stack, jsii.String("Auth"), &auth.UserAuthProps{
		AllowGuests: true,
		Groups:      []auth.Group{{Name: "editors", Precedence: 1}},
	})
	server := awsiam.NewRole(stack, jsii.String("ServerRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil),
	})
	// A managed Amplify app connected to a repository, whose branches may upload.
	ssr := hosting.NewComputeRole(stack, jsii.String("ComputeRole"), nil)
	web := hosting.NewApp(stack, jsii.String("Web"), &hosting.AppProps{
		Name: "web", ComputeRole: ssr.Role(), Branches: []hosting.BranchProps{{Name: "main"}, {Name: "feature/Login_2"}},
		Repository: "https://github.com/example/web", AccessTokenSecretName: "gatehouse/github-token",
	})
	files := storage.NewUploadBucket(stack, jsii.String("Files"), &storage.UploadBucketProps{
		AllowedOrigins: []string{"https://app.example.com"},
		HostedOrigins:  web.BranchOrigins(),
		AccessRules: []storage.AccessRule{
			{Path: "private/{entity_id}/*", Who: storage.Owner, Actions: []storage.Action{storage.Get, storage.Write, storage.Delete}},
			{Path: "public/*", Who: storage.Guest, Actions: []storage.Action{storage.Get, storage.List}},
			{Path: "public/*", Who: storage.Authenticated, Actions: []storage.Action{storage.Get, storage.List, storage.Write}},
			{Path: "shared/*", Who: storage.Group("editors"), Actions: []storage.Action{storage.Get, storage.List, storage.Write, storage.Delete}},
		},
		SignIn: signIn,
	})
	// The grant records its own reasoned suppression of the reports/* wildcard: none here.
	files.GrantRead(server, "reports/*")
	// A task definition the user already has gets the webpage role as its task role.
	webpage := rolechain.NewWebpageRole(stack, jsii.String("WebpageRole"), nil)
	task := awsecs.NewFargateTaskDefinition(stack, jsii.String("Task"), &awsecs.FargateTaskDefinitionProps{TaskRole: nil})
	task.AddContainer(jsii.String("web"), &awsecs.ContainerDefinitionOptions{
		Image:   awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/node:24-alpine"), nil),
		Logging: awsecs.LogDrivers_AwsLogs(&awsecs.AwsLogDriverProps{StreamPrefix: jsii.String("web")}),
	})
	webpage.AttachTo(task)
	return stack
}

// addFlaglessStage builds an upload bucket where the feature flag its log delivery relies on is
// off, as in an app whose cdk.json does not set it.
func addFlaglessStage(app awscdk.App) awscdk.Stack {
	stage := awscdk.NewStage(app, jsii.String("flagless"), nil)
	stage.Node().SetContext(jsii.String("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"), false)
	stack := awscdk.NewStack(stage, jsii.String("Flagless"), nil)
	storage.NewUploadBucket(stack, jsii.String("Uploads"), &storage.UploadBucketProps{AllowedOrigins: []string{"https://app.example.com"}})
	return stack
}

// canaryRule is the validator finding the canary provokes: an unknown resource property.
const canaryRule = "F3002"

// addValidatorCanary adds a stage whose only resource, a bare bucket, has a property
// CloudFormation does not know. The validator's finding on it proves that the validator ran over
// the app (a clean report alone would look the same if it had not); cdk-nag's findings on the
// bucket prove the same for cdk-nag.
func addValidatorCanary(app awscdk.App) awscdk.Stack {
	stage := awscdk.NewStage(app, jsii.String("validator-canary"), nil)
	stack := awscdk.NewStack(stage, jsii.String("Canary"), nil)
	bucket := awss3.NewCfnBucket(stack, jsii.String("Canary"), nil)
	bucket.AddPropertyOverride(jsii.String("NotAProperty"), true)
	return stack
}

// resourcesOfType returns the logical ids and resources of a type in a template.
func resourcesOfType(tmpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	resources, _ := tmpl["Resources"].(map[string]any)
	for id, r := range resources {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

func TestReferenceAppHasEveryStack(t *testing.T) {
	want := []string{"app/Guardrails", "app/Guardrails-111122223333", "app/Guardrails-777788889999", "app/Pipeline", "app/cross-region-stack", "dev/API", "dev/Auth", "dev/Delivery", "dev/DeliveryLogs", "dev/Hosting", "dev/Server", "dev/Uploads", "flagless/Flagless",
		"full/API", "full/Auth", "full/CrossAccount", "full/Delivery", "full/DeliveryLogs", "full/Hosting", "full/Server", "full/Uploads", "library/Library",
		"prod/API", "prod/Auth", "prod/Delivery", "prod/DeliveryLogs", "prod/Hosting", "prod/Server", "prod/Uploads"}
	got := referenceApp().stackNames()
	if len(got) != len(want) {
		t.Fatalf("stacks = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("stacks = %v, want %v", got, want)
		}
	}
}

// equalJSON compares two values by their JSON encoding.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// checked wraps a template so that a failed assertion becomes a test error naming the stack,
// instead of a panic that ends the whole test binary.
type checked struct {
	t    *testing.T
	name string
	tmpl assertions.Template
}

// check returns the template of "<stage>/<stack id>" for assertions reported to t.
func (r *reference) check(t *testing.T, name string) checked {
	return checked{t: t, name: name, tmpl: r.templates[name]}
}

func (c checked) report() {
	if p := recover(); p != nil {
		c.t.Helper()
		c.t.Errorf("%s: %v", c.name, p)
	}
}

func (c checked) HasResourceProperties(typ *string, props any) {
	c.t.Helper()
	defer c.report()
	c.tmpl.HasResourceProperties(typ, props)
}

func (c checked) HasResource(typ *string, props any) {
	c.t.Helper()
	defer c.report()
	c.tmpl.HasResource(typ, props)
}

func (c checked) ResourceCountIs(typ *string, count *float64) {
	c.t.Helper()
	defer c.report()
	c.tmpl.ResourceCountIs(typ, count)
}

func (c checked) ResourcePropertiesCountIs(typ *string, props any, count *float64) {
	c.t.Helper()
	defer c.report()
	c.tmpl.ResourcePropertiesCountIs(typ, props, count)
}

func (c checked) HasOutput(id *string, props any) {
	c.t.Helper()
	defer c.report()
	c.tmpl.HasOutput(id, props)
}
