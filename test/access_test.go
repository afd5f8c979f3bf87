package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/proof/matrix"
)

// referenceModel is the IAM model of the reference app's cloud assembly (every stage).
// referenceModel is the IAM model of the reference app's cloud assembly (every stage).
var referenceModel = sync.OnceValues(func() (*access.Model, error) {
	return access.LoadModel(referenceApp().outdir)
})

// scratchModel is the IAM model of the scratch configurations' cloud assembly.
var scratchModel = sync.OnceValues(func() (*access.Model, error) {
	referenceApp() // synthesizes it
	return access.LoadModel(scratchOutdir)
})

// matrixEnv is an environment whose access matrix is proven, in the model of its assembly.
type matrixEnv struct {
	name  string
	model func() (*access.Model, error)
	cfg   config.Environment
	// deploy, when set, makes the rows the deploy path's (matrix.Deploy) in that account.
	deploy *config.Pipeline
}

// rows is the matrix of env in model m.
func (env matrixEnv) rows(m *access.Model) ([]matrix.Row, error) {
	if p := env.deploy; p != nil {
		return matrix.Deploy(m, env.name, p.Account, p.Region)
	}
	return matrix.Reference(m, env.name, env.cfg)
}

// matrixEnvs are the environments whose access matrix is proven: the shipped ones, the
// all-options one (guests, groups), and the scratch configurations of choices the others do not
// make (a branch's own role opting in to the trust role).
func matrixEnvs() []matrixEnv {
	r := referenceApp()
	var envs []matrixEnv
	for _, env := range []string{"dev", "prod", "full"} {
		envs = append(envs, matrixEnv{env, referenceModel, r.envs[env], nil})
	}
	for _, env := range slices.Sorted(maps.Keys(r.scratchEnvs)) {
		envs = append(envs, matrixEnv{env, scratchModel, r.scratchEnvs[env], nil})
	}
	// The deploy path: the pipeline's account (dev's too in the model) and its roles.
	envs = append(envs, matrixEnv{"dev", referenceModel, r.envs["dev"], &r.pipelineCfg})
	return envs
}

// TestAccessMatrix evaluates every row of the reference app's access matrix against the
// synthesized policies.
func TestAccessMatrix(t *testing.T) {
	for _, env := range matrixEnvs() {
		m, err := env.model()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := env.rows(m)
		if err != nil {
			t.Fatalf("%s: %v", env.name, err)
		}
		problems, err := matrix.Check(m, rows)
		if err != nil {
			t.Fatalf("%s: %v", env.name, err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s", env.name, p)
		}
		t.Logf("%s: %d rows", env.name, len(rows))
	}
	// Give the referee its cases now: it decides them while the other tests run.
	refereeCases()
}

type refereeCase struct {
	ID               string              `json:"id"`
	Principal        string              `json:"principal"`
	Action           string              `json:"action"`
	Resource         string              `json:"resource"`
	ResourceAccount  string              `json:"resourceAccount"`
	Context          map[string][]string `json:"context"`
	IdentityPolicies []any               `json:"identityPolicies"`
	ResourcePolicy   any                 `json:"resourcePolicy"`
	// BoundaryPolicies holds the caller's permissions boundary, if it has one.
	BoundaryPolicies []any `json:"permissionBoundaryPolicies,omitempty"`
}

// refereeCases are the matrix's requests (but sign-ins) with the policies that decide them, and
// our evaluator's decisions by case id. The first call sends the cases to the referee process.
var refereeCases = sync.OnceValues(func() ([]refereeCase, map[string]access.Result) {
	var cases []refereeCase
	ours := map[string]access.Result{}
	for _, env := range matrixEnvs() {
		m := must(env.model())
		name := env.name
		if env.deploy != nil {
			name = "deploy"
		}
		for i, row := range must(env.rows(m)) {
			if row.SignIn != nil {
				continue // a sign-in is not one IAM request; TestAccessMatrix covers it
			}
			id := fmt.Sprintf("%s #%d: %s %s %s", name, i, row.Who, row.Action, row.Resource)
			ours[id] = must(m.Evaluate(row.Request))
			c := must(refereeCaseOf(m, row.Request))
			rc := refereeCase{ID: id, Principal: c.principal, Action: c.action, Resource: row.Request.Resource,
				ResourceAccount: c.account, Context: c.context, IdentityPolicies: c.identity, ResourcePolicy: c.resource}
			if boundary := must(m.BoundaryFor(row.Request.Principal)); boundary != nil {
				rc.BoundaryPolicies = []any{boundary}
			}
			cases = append(cases, rc)
		}
	}
	input, _ := json.Marshal(map[string]any{"cases": cases})
	refereeProcess.send(input)
	return cases, ours
})

// TestAccessMatrixReferee evaluates the same requests, with the same resolved policies, with
// @cloud-copilot/iam-simulate (test/referee): every decision must agree. (Parallel: it only waits
// for the referee, which has had its cases since TestAccessMatrix.)
func TestAccessMatrixReferee(t *testing.T) {
	t.Parallel()
	cases, ours := refereeCases()
	out, err := refereeProcess.output()
	if err != nil {
		t.Fatalf("referee failed: %v", err)
	}
	var verdicts struct {
		Results []struct {
			ID, Decision, Detail string
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &verdicts); err != nil {
		t.Fatalf("referee output: %v\n%s", err, out)
	}
	if len(verdicts.Results) != len(cases) {
		t.Fatalf("referee answered %d of %d cases", len(verdicts.Results), len(cases))
	}
	for _, v := range verdicts.Results {
		if got := ours[v.ID]; string(got.Decision) != v.Decision {
			t.Errorf("%s:\n  gatehouse: %s\n  referee:   %s: %s", v.ID, got, v.Decision, v.Detail)
		}
	}
	t.Logf("referee agreed on %d requests", len(cases))
}

// TestRefereeCollatorCache: the referee's cached collators (test/referee/collator-cache.mjs)
// compare exactly as String.prototype.localeCompare does, so the referee decides as the
// simulator does unpatched.
func TestRefereeCollatorCache(t *testing.T) {
	t.Parallel()
	out, err := collatorCheck.output()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Compared int      `json:"compared"`
		Differ   []string `json:"differ"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("collator-cache-check.mjs: %v\n%s", err, out)
	}
	if got.Compared < 1000 {
		t.Errorf("compared %d pairs, want the whole grid", got.Compared)
	}
	for _, d := range got.Differ {
		t.Error(d)
	}
}

type refereeInput struct {
	principal, account string
	action             string // the action asked, when not the request's (see webIdentityTagging)
	context            map[string][]string
	identity           []any
	resource           any
}

// cognitoSub is the variable iam-simulate cannot resolve for S3 requests: its data knows
// cognito-identity.amazonaws.com:* keys only for STS actions, and drops them elsewhere. The
// referee therefore gets identity policies with the variable already replaced by the
// session's identity id (and no cognito keys in the context); our evaluator substitutes it
// itself from the context.
const cognitoSub = "${cognito-identity.amazonaws.com:sub}"

func refereeCaseOf(m *access.Model, req access.Request) (refereeInput, error) {
	identity, resource, err := m.PoliciesFor(req)
	if err != nil {
		return refereeInput{}, err
	}
	ctx, err := m.ContextFor(req)
	if err != nil {
		return refereeInput{}, err
	}
	// The resource's account: in its ARN, else (S3) the caller's.
	in := refereeInput{principal: req.Principal, account: access.FakeAccount, action: req.Action, context: map[string][]string{}}
	principalAccount := ""
	if parts := strings.Split(req.Principal, ":"); len(parts) > 4 && parts[4] != "" {
		principalAccount = parts[4]
		in.account = principalAccount
	}
	if parts := strings.SplitN(req.Resource, ":", 6); len(parts) == 6 && parts[4] != "" {
		in.account = parts[4]
	}
	sts := strings.HasPrefix(strings.ToLower(req.Action), "sts:")
	tagSession := strings.EqualFold(req.Action, "sts:TagSession")
	webIdentityTagging := tagSession && req.Principal == "cognito-identity.amazonaws.com"
	if webIdentityTagging {
		in.action = "sts:AssumeRoleWithWebIdentity"
	}
	sub, _ := ctx.Lookup("cognito-identity.amazonaws.com:sub")
	for k, v := range ctx {
		if (!sts || (tagSession && !webIdentityTagging)) && strings.HasPrefix(strings.ToLower(k), "cognito-identity.amazonaws.com:") {
			continue
		}
		in.context[k] = v
	}
	// A caller of another account: our evaluator assumes its own account allows the request
	// (the model cannot see that account); give the referee that policy explicitly.
	if principalAccount != "" && principalAccount != in.account && !m.KnowsPrincipal(req.Principal) {
		in.identity = append(in.identity, map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Effect": "Allow", "Action": req.Action, "Resource": req.Resource}}})
	}
	for _, p := range identity {
		raw, _ := json.Marshal(p)
		text := string(raw)
		if len(sub) == 1 {
			text = strings.ReplaceAll(text, cognitoSub, sub[0])
		}
		var doc any
		_ = json.Unmarshal([]byte(text), &doc)
		in.identity = append(in.identity, doc)
	}
	if len(resource) > 0 {
		var statements []any
		for _, p := range resource {
			switch s := p["Statement"].(type) {
			case []any:
				statements = append(statements, s...)
			default:
				statements = append(statements, s)
			}
		}
		if webIdentityTagging {
			statements = tagSessionAsWebIdentity(statements)
		}
		in.resource = map[string]any{"Version": "2012-10-17", "Statement": statements}
	}
	return in, nil
}

// tagSessionAsWebIdentity: STS decides Cognito's sts:TagSession of a sign-in on the role's trust
// with the web identity's context keys (aud, amr, sub), which iam-simulate knows only for
// sts:AssumeRoleWithWebIdentity and drops for TagSession. So the referee is asked the same
// question as AssumeRoleWithWebIdentity, against exactly the trust statements that name
// sts:TagSession (their Action rewritten): the conditions and principals it checks are the
// real ones, and a statement that allows only the sign-in does not count.
func tagSessionAsWebIdentity(statements []any) []any {
	var out []any
	for _, raw := range statements {
		s, _ := raw.(map[string]any)
		var actions []string
		switch a := s["Action"].(type) {
		case string:
			actions = []string{a}
		case []any:
			for _, x := range a {
				v, _ := x.(string)
				actions = append(actions, v)
			}
		}
		for _, a := range actions {
			if strings.EqualFold(a, "sts:TagSession") || strings.EqualFold(a, "sts:*") || a == "*" {
				rewritten := maps.Clone(s)
				rewritten["Action"] = "sts:AssumeRoleWithWebIdentity"
				out = append(out, rewritten)
				break
			}
		}
	}
	if out == nil {
		out = []any{} // no statement names TagSession: nothing allows it
	}
	return out
}

// TestEvaluatorInYourOwnTests is the README's example of using the evaluator from another CDK
// app's tests: build a model from assertions.Template JSON and ask who can do what.
func TestEvaluatorInYourOwnTests(t *testing.T) {
	stack := referenceApp().library // any stack of yours
	template := assertions.Template_FromStack(stack, nil)
	raw, _ := json.Marshal(template.ToJSON())
	var decoded map[string]any
	_ = json.Unmarshal(raw, &decoded)
	m, err := access.NewModel([]access.StackTemplate{{Name: "library", Region: "ap-southeast-1", Template: decoded}})
	if err != nil {
		t.Fatal(err)
	}
	server := m.RoleBySuffix("ServerRole")[0].ARN
	bucket := "arn:aws:s3:::" + must(m.Attr("library", "Files74647968", "Ref"))
	for _, c := range []struct {
		action, resource string
		want             access.Decision
	}{
		{"s3:GetObject", bucket + "/reports/2026.csv", access.Allow},
		{"s3:PutObject", bucket + "/reports/2026.csv", access.ImplicitDeny},
		{"s3:GetObject", bucket + "/private/x", access.ImplicitDeny},
	} {
		got, err := m.Evaluate(access.Request{Principal: server, Action: c.action, Resource: c.resource})
		if err != nil {
			t.Fatal(err)
		}
		if got.Decision != c.want {
			t.Errorf("server role %s %s: %s, want %s", c.action, c.resource, got, c.want)
		}
	}
}

// TestMatrixRefusesAMissingArea: an area the configuration turns on whose resources the model
// cannot find (here the signer's role, as if its construct id were renamed) is an error naming
// what is missing, never an area with no rows.
func TestMatrixRefusesAMissingArea(t *testing.T) {
	templates := must(access.LoadAssembly(referenceApp().outdir))
	renamed := false
	for _, s := range templates {
		resources, _ := s.Template["Resources"].(map[string]any)
		for _, r := range resources {
			metadata, _ := r.(map[string]any)["Metadata"].(map[string]any)
			if path, _ := metadata["aws:cdk:path"].(string); path == "dev/Delivery/Signer/Function/Role/Resource" {
				clone := maps.Clone(metadata)
				clone["aws:cdk:path"] = "dev/Delivery/SignerRenamed/Function/Role/Resource"
				r.(map[string]any)["Metadata"] = clone
				renamed = true
			}
		}
	}
	if !renamed {
		t.Fatal("no resource at dev/Delivery/Signer/Function/Role/Resource: the test renames nothing")
	}
	m := must(access.NewModel(templates))
	rows, err := matrix.Reference(m, "dev", referenceApp().envs["dev"])
	if err == nil || !strings.Contains(err.Error(), "no role at dev/Delivery/Signer/Function/Role") {
		t.Errorf("the matrix without the signer's role: %d rows, error %v; want an error naming the role", len(rows), err)
	}
}
