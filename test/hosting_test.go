package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/outputs"
	"github.com/gatehouse-cdk/gatehouse/stacks"
	"github.com/gatehouse-cdk/gatehouse/webconfig"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
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
	for _, env := range []string{"dev", "prod"} {
		r.check(t, env+"/Hosting").HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
			"AssumeRolePolicyDocument": amplifyTrust(nil), "Policies": assertions.Match_Absent(), "ManagedPolicyArns": assertions.Match_Absent(),
		})
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
		tmpl.HasOutput(jsii.String(outputs.FeedbackTopicArn), M{"Value": M{"Ref": feedbackTopic}})
		tmpl.HasOutput(jsii.String(outputs.ComputeRoleArn), M{"Value": arnOf(computeRole)})
	}
	r.check(t, "dev/Hosting").HasResourceProperties(jsii.String("AWS::SNS::Topic"), M{
		"KmsMasterKeyId": "alias/aws/sns"})
}

func TestAmplifyAppWiring(t *testing.T) {
	r := referenceApp()
	dev := r.check(t, "dev/Hosting")
	dev.HasResourceProperties(jsii.String("AWS::Amplify::App"), M{
		"Name": "gatehouse-web-dev", "Platform": "WEB_COMPUTE", "ComputeRoleArn": arnOf(computeRole),
		"Repository": assertions.Match_Absent(), "AccessToken": assertions.Match_Absent(), "OauthToken": assertions.Match_Absent(),
	})
	for branch, role := range map[string]string{"main": computeRole, "beta": betaComputeRole} {
		dev.HasResourceProperties(jsii.String("AWS::Amplify::Branch"), M{
			"BranchName": branch, "ComputeRoleArn": arnOf(role), "EnableAutoBuild": false,
			"AppId": M{"Fn::GetAtt": []any{"AppF1B96344", "AppId"}},
		})
	}
	// The beta branch's own role has nothing: only what the branch was given.
	dev.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{"Description": "Amplify SSR compute role of branch beta",
		"AssumeRolePolicyDocument": amplifyTrust(nil)})
	dev.HasOutput(jsii.String(outputs.BranchComputeRoleArn("beta")), M{"Value": arnOf(betaComputeRole)})
	dev.HasOutput(jsii.String(outputs.AmplifyAppID), M{"Value": M{"Fn::GetAtt": []any{"AppF1B96344", "AppId"}}})
	dev.HasOutput(jsii.String(outputs.AmplifyDefaultDomain), M{"Value": M{"Fn::GetAtt": []any{"AppF1B96344", "DefaultDomain"}}})
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
		tmpl.HasOutput(jsii.String(outputs.BuildRoleArn), M{"Value": arnOf(buildRole)})
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
		`go run ./bin/outputs -env "$` + stacks.BuildEnvVariable + `" -from-stacks -out-dir ` + stacks.WebAppRoot + " -dotenv .env.production",
		"nvm install " + pinned.DevDependencies["node"] + " && nvm use " + pinned.DevDependencies["node"] + "\n",
		"baseDirectory: .next\n",
	} {
		if !strings.Contains(spec, want) {
			t.Errorf("amplify.yml does not hold %q", want)
		}
	}
}
