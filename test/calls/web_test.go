package calls

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
	"github.com/gatehouse-cdk/gatehouse/proof/matrix"
)

// webCallsFile is what the web app's unit tests write: every AWS SDK command they send.
var webCallsFile = func() string {
	if file := os.Getenv("CALLS_WEB_FILE"); file != "" {
		return file
	}
	return filepath.Join(repoRoot, "web", "test-results", "aws-calls.json")
}()

// webFixture is the deploy-shaped outputs the web app's tests are configured from (make
// outputs writes web/.env.local from it).
var webFixture = filepath.Join(repoRoot, "test", "testdata", "cdk-outputs.json")

// webCall is one AWS SDK command the web server sent in a unit test: with the server's own
// credentials ("runtime": the ECS task's webpage role, or the Amplify SSR compute role) or the
// trust role's ("trust-role"), and its input as sent (values of the fixture's configuration).
type webCall struct {
	Test        string         `json:"test"`
	Credentials string         `json:"credentials"`
	Client      string         `json:"client"`
	Operation   string         `json:"operation"`
	Input       map[string]any `json:"input"`
}

// TestWebServerCalls evaluates every AWS call the web server's unit tests make against the
// roles the server runs as: each value is mapped back, through the fixture's outputs and the
// templates' Outputs, to the assembly's resource; a runtime call must be allowed for the
// webpage role and for every compute role configured to assume the trust role, a trust-role
// call for the trust role.
func TestWebServerCalls(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(webCallsFile)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is missing: the web app's unit tests write it (cd web && npx vitest run; make test-calls runs them when the web app changed, make test-web always)", webCallsFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	var records []webCall
	if err := json.Unmarshal(raw, &records); err != nil {
		t.Fatalf("%s is not a JSON array of {test, credentials, client, operation, input}: %v", webCallsFile, err)
	}
	if len(records) == 0 {
		t.Fatalf("%s records no AWS call: nothing of the web server's is proven", webCallsFile)
	}
	w := newWebServer(t)
	for _, line := range w.check(records) {
		t.Error(line)
	}
	t.Logf("%d web server calls checked against %s", len(records), strings.Join(w.roleNames(), ", "))
}

// TestWebCheckCatches proves the web server's check on records shaped as the web app writes
// them: what the server does is allowed, and a call outside the role chain, a session name the
// trust role does not accept, a resource the fixture does not have and an operation the check
// cannot map are each reported.
func TestWebCheckCatches(t *testing.T) {
	t.Parallel()
	w := newWebServer(t)
	fixture := must(webconfig.ReadOutputs(webFixture))
	server := fixture["gatehouse-dev-server"]
	assumeRole := map[string]any{"RoleArn": server["TrustRoleArn"], "RoleSessionName": server["RoleSessionName"], "DurationSeconds": 1800}
	good := []webCall{
		{"assumes the trust role", "runtime", "sts", "AssumeRole", assumeRole},
		{"invokes the items function", "trust-role", "lambda", "Invoke", map[string]any{"FunctionName": server["AssetFunctionName"]}},
		{"invokes the signer", "trust-role", "lambda", "Invoke", map[string]any{"FunctionName": fixture["gatehouse-dev-delivery"]["SignerFunctionName"]}},
		{"invokes the token service", "trust-role", "lambda", "Invoke", map[string]any{"FunctionName": fixture["gatehouse-dev-api"]["TokenServiceFunctionName"]}},
		{"publishes feedback", "runtime", "sns", "Publish", map[string]any{"TopicArn": fixture["gatehouse-dev-hosting"]["FeedbackTopicArn"], "Message": "great app"}},
	}
	if problems := w.check(viaJSON(t, good)); len(problems) > 0 {
		t.Errorf("what the web server does is reported:\n  %s", strings.Join(problems, "\n  "))
	}
	otherSession := maps.Clone(assumeRole)
	otherSession["RoleSessionName"] = "another-session"
	tooLong := maps.Clone(assumeRole)
	tooLong["DurationSeconds"] = 7200
	for _, c := range []struct {
		record webCall
		want   []string
	}{
		{webCall{"invokes with its own credentials", "runtime", "lambda", "Invoke", map[string]any{"FunctionName": server["AssetFunctionName"]}},
			[]string{"lambda:InvokeFunction", "ImplicitDeny", "webpage role"}},
		{webCall{"assumes with another session name", "runtime", "sts", "AssumeRole", otherSession}, []string{"sts:AssumeRole", "ImplicitDeny"}},
		{webCall{"asks for two hours", "runtime", "sts", "AssumeRole", tooLong}, []string{"DurationSeconds 7200", "3600"}},
		{webCall{"the trust role assumes itself", "trust-role", "sts", "AssumeRole", assumeRole}, []string{"sts:AssumeRole", "trust role"}},
		{webCall{"invokes a function of no output", "trust-role", "lambda", "Invoke", map[string]any{"FunctionName": "some-other-function"}},
			[]string{`"some-other-function"`, "no output of"}},
		{webCall{"publishes through the trust role", "trust-role", "sns", "Publish", map[string]any{"TopicArn": fixture["gatehouse-dev-hosting"]["FeedbackTopicArn"]}},
			[]string{"sns:Publish", "ImplicitDeny", "trust role"}},
		{webCall{"lists buckets", "runtime", "s3", "ListBuckets", map[string]any{}}, []string{"s3 ListBuckets", "no IAM mapping"}},
		{webCall{"unknown credentials", "root", "sns", "Publish", map[string]any{"TopicArn": fixture["gatehouse-dev-hosting"]["FeedbackTopicArn"]}}, []string{`credentials "root"`}},
	} {
		problems := w.check(viaJSON(t, []webCall{c.record}))
		if !slices.ContainsFunc(problems, func(p string) bool {
			return strings.Contains(p, c.record.Test) && !slices.ContainsFunc(c.want, func(w string) bool { return !strings.Contains(p, w) })
		}) {
			t.Errorf("%s: the check reported %q; want a line naming the test and %q", c.record.Test, problems, c.want)
		}
	}
}

// viaJSON is records as the check reads them from the file (numbers as float64).
func viaJSON(t *testing.T, records []webCall) []webCall {
	t.Helper()
	var out []webCall
	if err := json.Unmarshal(must(json.Marshal(records)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// webServer is what the web check evaluates against: the model, the roles the server runs as,
// and the fixture's values mapped to the model's.
type webServer struct {
	app     *app
	runtime []principal // the webpage role and the compute roles that may assume the trust role
	trust   principal
	// values maps each fixture value to the model's value of the same output ("stack/output"
	// in where, for messages).
	values map[string][]fixtureOutput
}

type principal struct{ name, session string }

type fixtureOutput struct{ where, model string }

func newWebServer(t *testing.T) *webServer {
	t.Helper()
	a, err := loadApp()
	if err != nil {
		t.Fatal(err)
	}
	w := &webServer{app: a, values: map[string][]fixtureOutput{}}
	// The environment's stage: the stacks of a stage are "<env>/<id>" (the guardrails stack,
	// at the app's root, is not one of them).
	var env string
	for _, st := range a.templates {
		if stage, _, ok := strings.Cut(st.Path, "/"); ok && env == "" {
			env = stage
		}
	}
	fixture, err := webconfig.ReadOutputs(webFixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range a.templates {
		values, ok := fixture[st.Name]
		if !ok {
			continue
		}
		resolved, err := a.model.Outputs(st.Path)
		if err != nil {
			t.Fatal(err)
		}
		for key, value := range values {
			if model, ok := resolved[key]; ok {
				w.values[value] = append(w.values[value], fixtureOutput{st.Name + " " + key, model})
			}
		}
	}
	role := func(path, session string) principal {
		r := roleAt(a.model, path)
		if r == nil {
			t.Fatalf("no role at %s in the assembly", path)
		}
		return principal{r.LogicalID, matrix.SessionFor(r, session)}
	}
	w.runtime = []principal{role(env+"/Server/WebpageRole/Resource", "ecs-task")}
	w.runtime[0].name = "webpage role " + w.runtime[0].name
	cfg, err := config.FromFile(filepath.Join(repoRoot, "cdk.json"), env)
	if err != nil {
		t.Fatal(err)
	}
	if amplify := cfg.Amplify; amplify != nil {
		if amplify.AssumeTrustRole {
			p := role(env+"/Hosting/ComputeRole/Resource", "amplify-ssr")
			p.name = "compute role " + p.name
			w.runtime = append(w.runtime, p)
		}
		for _, b := range amplify.Branches {
			if b.OwnRole && b.AssumeTrustRole {
				p := role(env+"/Hosting/ComputeRole"+contract.BranchID(b.Name)+"/Resource", "amplify-ssr")
				p.name = "compute role of branch " + b.Name + " " + p.name
				w.runtime = append(w.runtime, p)
			}
		}
	}
	sessions := w.values[fixture["gatehouse-"+env+"-server"]["RoleSessionName"]]
	if len(sessions) == 0 {
		t.Fatalf("the fixture has no RoleSessionName of the server stack")
	}
	w.trust = role(env+"/Server/TrustRole/Resource", sessions[0].model)
	w.trust.name = "trust role " + w.trust.name
	return w
}

func (w *webServer) roleNames() []string {
	var names []string
	for _, p := range append(slices.Clone(w.runtime), w.trust) {
		names = append(names, p.name)
	}
	return names
}

// model maps a value the web server sent (a fixture value) to the model's, or says why not.
func (w *webServer) model(field string, value any) (string, error) {
	s, ok := value.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("its %s is %v, not a value of the fixture", field, value)
	}
	outs := w.values[s]
	if len(outs) == 0 {
		return "", fmt.Errorf("its %s %q is no output of the deploy-shaped fixture (%s): the check cannot tell which resource it is", field, s, webFixture)
	}
	for _, o := range outs[1:] {
		if o.model != outs[0].model {
			return "", fmt.Errorf("its %s %q is the fixture's %s and %s, which are different resources", field, s, outs[0].where, o.where)
		}
	}
	return outs[0].model, nil
}

// check evaluates records and returns one line per problem.
func (w *webServer) check(records []webCall) []string {
	var problems []string
	for _, r := range records {
		label := fmt.Sprintf("web test %q: %s %s", r.Test, r.Client, r.Operation)
		fail := func(format string, args ...any) {
			problems = append(problems, label+": "+fmt.Sprintf(format, args...))
		}
		var as []principal
		switch r.Credentials {
		case "runtime":
			as = w.runtime
		case "trust-role":
			as = []principal{w.trust}
		default:
			fail("credentials %q: want runtime or trust-role", r.Credentials)
			continue
		}
		var action, resource string
		ctx := access.Context{}
		var err error
		switch r.Client + " " + r.Operation {
		case "sts AssumeRole":
			action = "sts:AssumeRole"
			if resource, err = w.model("RoleArn", r.Input["RoleArn"]); err == nil {
				if name, ok := r.Input["RoleSessionName"].(string); ok {
					ctx["sts:RoleSessionName"] = []string{name}
				}
				err = w.sessionDuration(resource, r.Input["DurationSeconds"])
			}
		case "lambda Invoke":
			action = "lambda:InvokeFunction"
			resource, err = w.functionARN(r.Input["FunctionName"], r.Input["Qualifier"])
		case "sns Publish":
			action = "sns:Publish"
			resource, err = w.model("TopicArn", r.Input["TopicArn"])
		default:
			fail("no IAM mapping for %s %s in the web check: add the operation's action and resource to webServer.check", r.Client, r.Operation)
			continue
		}
		if err != nil {
			fail("%v", err)
			continue
		}
		for _, p := range as {
			result, err := w.app.model.Evaluate(access.Request{Principal: p.session, Action: action, Resource: resource, Context: ctx})
			switch {
			case err != nil:
				fail("as the %s: %v", p.name, err)
			case result.Decision != access.Allow:
				fail("as the %s (%s credentials): %s on %s is %s (%s)", p.name, r.Credentials, action, resource, result.Decision, result.Reason)
			}
		}
	}
	return problems
}

// functionARN is the ARN of the function a FunctionName names (a name or an ARN of the fixture),
// with its qualifier.
func (w *webServer) functionARN(name, qualifier any) (string, error) {
	value, err := w.model("FunctionName", name)
	if err != nil {
		return "", err
	}
	arn := value
	if !strings.HasPrefix(value, "arn:") {
		arn = ""
		for _, f := range w.app.functions {
			if f.name == value {
				arn = f.arn
			}
		}
		if arn == "" {
			return "", fmt.Errorf("its FunctionName %v is the name of no asset function of the assembly", name)
		}
	}
	if q, ok := qualifier.(string); ok && q != "" {
		arn += ":" + q
	}
	return arn, nil
}

// sessionDuration checks an AssumeRole's DurationSeconds against the role's MaxSessionDuration
// and the hour a chained session may last at most.
func (w *webServer) sessionDuration(roleARN string, duration any) error {
	if duration == nil {
		return nil // STS's default, an hour, within both
	}
	seconds, ok := duration.(float64)
	if !ok {
		return fmt.Errorf("its DurationSeconds is %v, not a number", duration)
	}
	role := w.app.model.Roles[roleARN]
	if role == nil {
		return fmt.Errorf("its RoleArn %s is no role of the assembly", roleARN)
	}
	limit := 3600.0
	if max, err := w.app.model.Property(role.Stack, role.LogicalID, "MaxSessionDuration"); err == nil && max != nil {
		if n, err := strconv.ParseFloat(fmt.Sprint(max), 64); err == nil && n < limit {
			limit = n
		}
	}
	if seconds > limit {
		return fmt.Errorf("its DurationSeconds %v is more than %v (the role's MaxSessionDuration, and at most 3600 for a session assumed with a role's credentials)", seconds, limit)
	}
	return nil
}
