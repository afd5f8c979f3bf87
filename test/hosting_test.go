package test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/app/stacks"
	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
	"github.com/gatehouse-cdk/gatehouse/limits"
	"github.com/gatehouse-cdk/gatehouse/proof/matrix"
)

const (
	computeRole     = "ComputeRole883DFCE3"
	betaComputeRole = "ComputeRolebetaE04A3D07"
	feedbackTopic   = "Feedback19B0955F"
)

func amplifyTrust(condition any) any {
	statement := M{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": M{"Service": "amplify.amazonaws.com"}}
	if condition != nil {
		statement["Condition"] = condition
	}
	return policyOf(statement)
}

func TestComputeRoleTrust(t *testing.T) {
	r := referenceApp()
	// Without conditions by default (as AWS documents the compute-role trust).
	r.check(t, "prod/Hosting").HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
		"AssumeRolePolicyDocument": amplifyTrust(nil), "Policies": assertions.Match_Absent(), "ManagedPolicyArns": assertions.Match_Absent(),
	})
	// With restrictTrust (dev's app role may assume the trust role, which requires it): this
	// account, and the managed app's branches (any app of this account: the app's id does not
	// exist before the app); a branch's own role, that branch only.
	roles := resourcesOfType(r.json["dev/Hosting"], "AWS::IAM::Role")
	for role, branch := range map[string]string{computeRole: "*", betaComputeRole: "beta"} {
		want := M{"Version": "2012-10-17", "Statement": []any{M{"Action": "sts:AssumeRole", "Effect": "Allow",
			"Principal": M{"Service": "amplify.amazonaws.com"},
			"Condition": M{
				"StringEquals": M{"aws:SourceAccount": accountOf["dev"]},
				"ArnLike": M{"aws:SourceArn": fnJoin("arn:", M{"Ref": "AWS::Partition"}, ":amplify:ap-southeast-1:", accountOf["dev"],
					":apps/*/branches/"+branch)},
			}}}}
		if got := roles[role]["Properties"].(map[string]any)["AssumeRolePolicyDocument"]; !equalJSON(got, want) {
			t.Errorf("dev/Hosting %s trust:\n  %s\nwant:\n  %s", role, compactJSON(got), compactJSON(want))
		}
	}
	// With restrictTrust: this account, and branches of the configured app.
	r.check(t, "full/Hosting").HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
		"AssumeRolePolicyDocument": amplifyTrust(M{
			"StringEquals": M{"aws:SourceAccount": "111122223333"},
			"ArnLike": M{"aws:SourceArn": M{"Fn::Join": []any{"", []any{"arn:", M{"Ref": "AWS::Partition"},
				":amplify:eu-west-1:111122223333:apps/d1a2b3c4d5e6f7/branches/*"}}}},
		}),
	})
}

func TestFeedbackTopicAndPublishGrant(t *testing.T) {
	r := referenceApp()
	for _, env := range []string{"dev", "prod", "full"} {
		tmpl := r.check(t, env+"/Hosting")
		tmpl.HasResourceProperties(jsii.String("AWS::SNS::Topic"), M{"KmsMasterKeyId": assertions.Match_AnyValue()})
		tmpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), M{"PolicyDocument": policyOf(M{
			"Sid": "AllowPublishThroughSSLOnly", "Action": "sns:Publish", "Effect": "Deny", "Principal": "*",
			"Resource": M{"Ref": feedbackTopic}, "Condition": M{"Bool": M{"aws:SecureTransport": "false"}}})})
		// The app's compute role may publish to the topic, and nothing else (the other policy is
		// the build role's: TestBuildRole).
		tmpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(2))
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M{
			"PolicyDocument": policyOf(M{"Effect": "Allow", "Action": "sns:Publish", "Resource": M{"Ref": feedbackTopic}}),
			"Roles":          []any{M{"Ref": computeRole}},
		})
		tmpl.HasOutput(jsii.String(contract.FeedbackTopicArn), M{"Value": M{"Ref": feedbackTopic}})
		tmpl.HasOutput(jsii.String(contract.ComputeRoleArn), M{"Value": arnOf(computeRole)})
	}
	r.check(t, "dev/Hosting").HasResourceProperties(jsii.String("AWS::SNS::Topic"), M{
		"KmsMasterKeyId": "alias/aws/sns"})
}

// amplifySecurityHeaders: every response of the hosted app carries the security headers
// (limits.SecurityHeaders), whatever the app itself sends.
const amplifySecurityHeaders = `customHeaders:
  - pattern: "**"
    headers:
      - key: "Strict-Transport-Security"
        value: "max-age=63072000; includeSubDomains"
      - key: "X-Content-Type-Options"
        value: "nosniff"
      - key: "Referrer-Policy"
        value: "same-origin"
      - key: "X-Frame-Options"
        value: "DENY"
      - key: "Content-Security-Policy"
        value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'"
`

// TestSecurityHeadersAreTheWebAppsOwn: the headers Amplify adds are the ones next.config sends
// (web/security-headers.json), name for name and value for value.
func TestSecurityHeadersAreTheWebAppsOwn(t *testing.T) {
	t.Parallel()
	var web map[string]string
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(repoRoot, "web", "security-headers.json"))), &web); err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{}
	for _, h := range limits.SecurityHeaders {
		ours[h.Name] = h.Value
	}
	if !maps.Equal(web, ours) {
		t.Errorf("web/security-headers.json = %v\nrules.SecurityHeaders = %v\nkeep them equal: next.config sends the first, Amplify Hosting the second", web, ours)
	}
}

func TestAmplifyAppWiring(t *testing.T) {
	r := referenceApp()
	dev := r.check(t, "dev/Hosting")
	dev.HasResourceProperties(jsii.String("AWS::Amplify::App"), M{
		"Name": "gatehouse-web-dev", "Platform": "WEB_COMPUTE", "ComputeRoleArn": arnOf(computeRole),
		"Repository": assertions.Match_Absent(), "AccessToken": assertions.Match_Absent(), "OauthToken": assertions.Match_Absent(),
		"CustomHeaders": amplifySecurityHeaders,
	})
	for branch, role := range map[string]string{"main": computeRole, "beta": betaComputeRole} {
		dev.HasResourceProperties(jsii.String("AWS::Amplify::Branch"), M{
			"BranchName": branch, "ComputeRoleArn": arnOf(role), "EnableAutoBuild": false,
			"AppId": M{"Fn::GetAtt": []any{"AppF1B96344", "AppId"}},
		})
	}
	// The beta branch's own role has nothing: only what the branch was given (its trust:
	// TestComputeRoleTrust).
	dev.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{"Description": "Amplify SSR compute role of branch beta"})
	dev.HasOutput(jsii.String(contract.BranchComputeRoleArn("beta")), M{"Value": arnOf(betaComputeRole)})
	dev.HasOutput(jsii.String(contract.AmplifyAppID), M{"Value": M{"Fn::GetAtt": []any{"AppF1B96344", "AppId"}}})
	dev.HasOutput(jsii.String(contract.AmplifyDefaultDomain), M{"Value": M{"Fn::GetAtt": []any{"AppF1B96344", "DefaultDomain"}}})
	// Role-only mode: no app, no branches.
	for _, env := range []string{"prod", "full"} {
		r.check(t, env+"/Hosting").ResourceCountIs(jsii.String("AWS::Amplify::App"), jsii.Number(0))
		r.check(t, env+"/Hosting").ResourceCountIs(jsii.String("AWS::Amplify::Branch"), jsii.Number(0))
	}
	// With a repository, the token is a Secrets Manager reference, resolved by CloudFormation.
	r.check(t, "library/Library").HasResourceProperties(jsii.String("AWS::Amplify::App"), M{
		"Repository":  "https://github.com/example/web",
		"AccessToken": "{{resolve:secretsmanager:gatehouse/github-token:SecretString:::}}",
	})
	r.check(t, "library/Library").HasResourceProperties(jsii.String("AWS::Amplify::Branch"), M{"BranchName": "main", "EnableAutoBuild": true})
}

const buildRole = "BuildRole9036B253"

// TestBuildRole: the hosted build's role may read the web app's stacks' outputs and nothing
// else; Amplify's builds of this account's apps assume it; the managed app runs its builds with
// it, from web/, told the environment.
func TestBuildRole(t *testing.T) {
	r := referenceApp()
	for _, env := range []string{"dev", "prod", "full"} {
		tmpl := r.check(t, env+"/Hosting")
		account := accountOf[env]
		region := regionOf[env]
		var stacks []any
		// Sorted by name (minimizePolicies); the partition is known from the region.
		for _, name := range slices.Sorted(slices.Values(webconfig.SourceStacks(env))) {
			stacks = append(stacks, fnJoin("arn:aws:cloudformation:"+region+":", account, ":stack/"+name+"/*"))
		}
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M{
			"PolicyDocument": policyOf(M{"Effect": "Allow", "Action": "cloudformation:DescribeStacks", "Resource": stacks}),
			"Roles":          []any{M{"Ref": buildRole}},
		})
		tmpl.HasResource(jsii.String("AWS::IAM::Role"), M{
			"Properties": M{
				"AssumeRolePolicyDocument": amplifyTrust(M{
					"StringEquals": M{"aws:SourceAccount": account},
					"ArnLike":      M{"aws:SourceArn": fnJoin("arn:", M{"Ref": "AWS::Partition"}, ":amplify:"+region+":", account, ":apps/*")},
				}),
				"Policies": assertions.Match_Absent(), "ManagedPolicyArns": assertions.Match_Absent(),
			},
		})
		tmpl.HasOutput(jsii.String(contract.BuildRoleArn), M{"Value": arnOf(buildRole)})
	}
	r.check(t, "dev/Hosting").HasResourceProperties(jsii.String("AWS::Amplify::App"), M{
		"IAMServiceRole": arnOf(buildRole),
		"EnvironmentVariables": []any{
			M{"Name": "AMPLIFY_MONOREPO_APP_ROOT", "Value": stacks.WebAppRoot},
			M{"Name": stacks.BuildEnvVariable, "Value": "dev"},
		},
	})
}

// fnJoin is the Fn::Join CDK writes for parts: adjacent strings merged (one string: itself).
func fnJoin(parts ...any) any {
	var merged []any
	for _, p := range parts {
		if s, ok := p.(string); ok && len(merged) > 0 {
			if last, ok := merged[len(merged)-1].(string); ok {
				merged[len(merged)-1] = last + s
				continue
			}
		}
		merged = append(merged, p)
	}
	if len(merged) == 1 {
		return merged[0]
	}
	return M{"Fn::Join": []any{"", merged}}
}

// TestAmplifyBuildSpecMatchesTheManagedApp: amplify.yml builds the app from the folder the
// managed app names, reads the environment the app is told, writes the file Amplify's SSR
// runtime reads, and runs the Node the repository pins.
func TestAmplifyBuildSpecMatchesTheManagedApp(t *testing.T) {
	spec := string(must(os.ReadFile(filepath.Join("..", "amplify.yml"))))
	var pinned struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join("..", "package.json"))), &pinned); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"- appRoot: " + stacks.WebAppRoot + "\n",
		`test -n "$` + stacks.BuildEnvVariable + `"`,
		`go run ./app/cmd/web-config -env "$` + stacks.BuildEnvVariable + `" -from-stacks -out-dir ` + stacks.WebAppRoot + " -dotenv .env.production",
		"nvm install " + pinned.DevDependencies["node"] + " && nvm use " + pinned.DevDependencies["node"] + "\n",
		"baseDirectory: .next\n",
	} {
		if !strings.Contains(spec, want) {
			t.Errorf("amplify.yml does not hold %q", want)
		}
	}
}

// TestComputeRolesAssumeTheTrustRoleOnlyWhenTheyOptIn: whether a compute role may assume the
// trust role (with the session name) follows its own choice — amplify.assumeTrustRole for the
// app's role, a branch's assumeTrustRole for the branch's own role — both ways: in dev the app's
// role may and beta's own role may not; in the optin scratch configuration beta's may and the
// app's and gamma's may not. The access matrix holds each row (and the referee agrees with it);
// here each is also evaluated.
func TestComputeRolesAssumeTheTrustRoleOnlyWhenTheyOptIn(t *testing.T) {
	wants := map[string]map[string]access.Decision{
		"dev":   {"compute role": access.Allow, "branch role beta": access.ImplicitDeny},
		"optin": {"compute role": access.ImplicitDeny, "branch role beta": access.Allow, "branch role gamma": access.ImplicitDeny},
	}
	for _, env := range matrixEnvs() {
		want, ok := wants[env.name]
		if !ok || env.deploy != nil {
			continue
		}
		m := must(env.model())
		server := must(m.Outputs(env.name + "/Server"))
		got := map[string]access.Decision{}
		for _, row := range must(matrix.Reference(m, env.name, env.cfg)) {
			session, _ := row.Request.Context.Lookup("sts:RoleSessionName")
			if row.Request.Action != "sts:AssumeRole" || row.Request.Resource != server["TrustRoleArn"] ||
				len(session) != 1 || session[0] != server["RoleSessionName"] || !strings.Contains(row.Who, " role") {
				continue
			}
			if _, hosted := want[row.Who]; !hosted {
				continue
			}
			result := must(m.Evaluate(row.Request))
			if result.Decision != row.Expect {
				t.Errorf("%s: %s assuming the trust role: %s, the matrix promises %s", env.name, row.Who, result, row.Expect)
			}
			got[row.Who] = row.Expect
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: the matrix's rows of compute roles assuming the trust role = %v, want %v", env.name, got, want)
		}
		delete(wants, env.name)
	}
	if len(wants) > 0 {
		t.Errorf("no matrix for %v", slices.Sorted(maps.Keys(wants)))
	}
}
