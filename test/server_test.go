package test

import (
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/app/deploypolicy"
	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

const (
	itemsTable    = logicalids.ItemsTable
	itemsFunction = "ItemsFunctionF3ACFEF0"
	itemsRole     = "ItemsFunctionRole977C0E77"
	itemsLogs     = "ItemsFunctionLogsECA07D48"
	trustRole     = "TrustRole655E6A67"
	webpageRole   = "WebpageRoleCD514D0E"
)

func policyOf(statements ...any) any {
	return assertions.Match_ObjectEquals(&M{"Version": "2012-10-17", "Statement": statements})
}

func TestRoleChainTrusts(t *testing.T) {
	r := referenceApp()
	for _, c := range []struct{ env, session string }{{"dev", "webApplication-NextJS"}, {"prod", "webApplication-NextJS"}, {"full", "ssr-server"}} {
		tmpl := r.check(t, c.env+"/Server")
		account := accountOf[c.env]
		// ECS tasks of this account only.
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
			"AssumeRolePolicyDocument": policyOf(M{"Action": "sts:AssumeRole", "Effect": "Allow",
				"Principal": M{"Service": "ecs-tasks.amazonaws.com"},
				"Condition": M{"StringEquals": M{"aws:SourceAccount": account}}}),
			"Policies": assertions.Match_Absent(), "ManagedPolicyArns": assertions.Match_Absent(),
		})
		// Exactly the webpage role and the other servers the configuration names (the app's
		// compute role with amplify.assumeTrustRole, a branch's own with its assumeTrustRole —
		// dev's beta does not —, developerRoleArns), with the configured session name; one hour
		// at most.
		computeRoleOf := func(id, output string) M {
			return M{"Fn::GetStackOutput": M{"StackName": "gatehouse-" + c.env + "-hosting", "Region": regionOf[c.env],
				"OutputName": "PublishOutputFnGetAtt" + id + "Arn" + output}}
		}
		principals := map[string]any{
			"dev":  []any{arnOf(webpageRole), computeRoleOf(computeRole, "A85FF1E0")},
			"prod": arnOf(webpageRole),
			"full": []any{"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Developer_0123456789abcdef",
				arnOf(webpageRole), computeRoleOf(computeRole, "A85FF1E0")},
		}[c.env]
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
			"AssumeRolePolicyDocument": policyOf(M{"Action": "sts:AssumeRole", "Effect": "Allow",
				"Principal": M{"AWS": principals},
				"Condition": M{"StringEquals": M{"sts:RoleSessionName": c.session}}}),
			"MaxSessionDuration": 3600,
			"Policies":           assertions.Match_Absent(), "ManagedPolicyArns": assertions.Match_Absent(),
		})
		// The function's role: Lambda of this account only, no managed policy.
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
			"AssumeRolePolicyDocument": policyOf(M{"Action": "sts:AssumeRole", "Effect": "Allow",
				"Principal": M{"Service": "lambda.amazonaws.com"},
				"Condition": M{"StringEquals": M{"aws:SourceAccount": account}}}),
			"Policies": assertions.Match_Absent(), "ManagedPolicyArns": assertions.Match_Absent(),
		})
		tmpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(3))
	}
}

func TestRoleChainPermissions(t *testing.T) {
	tmpl := referenceApp().check(t, "dev/Server")
	signerArn := M{"Fn::GetStackOutput": M{"StackName": "gatehouse-dev-delivery", "Region": "ap-southeast-1", "OutputName": "PublishOutputFnGetAtt" + signerFunction + "Arn28DA97B9"}}
	tmpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(4))
	for role, statements := range map[string][]any{
		// The webpage role may only assume the trust role, and publish feedback (the web app's
		// server does, with its runtime's credentials).
		webpageRole: {M{"Effect": "Allow", "Action": "sns:Publish", "Resource": M{"Fn::GetStackOutput": M{"StackName": "gatehouse-dev-hosting", "Region": "ap-southeast-1", "OutputName": "PublishOutputRefFeedback19B0955F6EE8A8CA"}}},
			M{"Sid": "AssumeTrustRole", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arnOf(trustRole)}},
		// The trust role may only invoke the asset functions: items, and the signer of the
		// delivery stack (and their versions and aliases).
		trustRole: {M{"Effect": "Allow", "Action": "lambda:InvokeFunction",
			"Resource": []any{arnOf(itemsFunction), signerArn, M{"Fn::Join": []any{"", []any{arnOf(itemsFunction), ":*"}}},
				M{"Fn::Join": []any{"", []any{signerArn, ":*"}}}}}},
	} {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M{"PolicyDocument": policyOf(statements...), "Roles": []any{M{"Ref": role}}})
	}
}

// TestItemsRoleHoldsWhatItsCodeCalls: every statement of every policy of the items function's
// role, exactly: its own log group, and on its table the three calls functions/items makes
// (GetItem, PutItem, Query) — no other item-level call, no Scan, no table management; no
// inline or managed policy on the role.
func TestItemsRoleHoldsWhatItsCodeCalls(t *testing.T) {
	r := referenceApp()
	want := []any{
		M{"Version": "2012-10-17", "Statement": []any{M{"Sid": "WriteOwnLogGroup", "Effect": "Allow",
			"Action": []any{"logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": arnOf(itemsLogs)}}},
		M{"Version": "2012-10-17", "Statement": []any{M{"Effect": "Allow", "Resource": arnOf(itemsTable),
			"Action": []any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"}}}},
	}
	for _, env := range allEnvs {
		tmpl := r.json[env+"/Server"]
		if got := policiesOfRole(tmpl, itemsRole); !sameJSONSet(got, want) {
			t.Errorf("%s: policies of the items function's role:\n  %s\nwant:\n  %s", env, compactJSON(got), compactJSON(want))
		}
		role := resourcesOfType(tmpl, "AWS::IAM::Role")[itemsRole]["Properties"].(map[string]any)
		for _, key := range []string{"Policies", "ManagedPolicyArns"} {
			if v, ok := role[key]; ok {
				t.Errorf("%s: the items function's role has %s: %s", env, key, compactJSON(v))
			}
		}
		// Its only other policy is gatehouse's permissions boundary (TestEveryRoleIsBounded).
		if b := compactJSON(role["PermissionsBoundary"]); b != compactJSON(M{"Fn::Sub": deploypolicy.PolicyArn("${AWS::AccountId}", deploypolicy.BoundaryName)}) {
			t.Errorf("%s: the items function's role's PermissionsBoundary is %s", env, b)
		}
	}
}

// policiesOfRole is the policy document of every AWS::IAM::Policy of tmpl attached to the role
// with logical id role.
func policiesOfRole(tmpl map[string]any, role string) []any {
	var out []any
	for _, p := range resourcesOfType(tmpl, "AWS::IAM::Policy") {
		props := p["Properties"].(map[string]any)
		roles, _ := props["Roles"].([]any)
		for _, r := range roles {
			if compactJSON(r) == compactJSON(M{"Ref": role}) {
				out = append(out, props["PolicyDocument"])
			}
		}
	}
	return out
}

// sameJSONSet reports whether a and b hold the same values, by JSON, in any order.
func sameJSONSet(a, b []any) bool {
	texts := func(list []any) []string {
		out := make([]string, len(list))
		for i, v := range list {
			out[i] = compactJSON(v)
		}
		return slices.Sorted(slices.Values(out))
	}
	return slices.Equal(texts(a), texts(b))
}

// withOwnerKey adds to vars the owner key a function acting for env's users is told: only when
// it is not the default (the identity id), so that identity-id templates did not change.
func withOwnerKey(env string, vars M) *M {
	if key := referenceApp().envs[env].OwnerKey; key != limits.DefaultOwnerKey {
		vars[limits.EnvOwnerKey] = key
	}
	return &vars
}

func TestItemsFunctionAndTable(t *testing.T) {
	r := referenceApp()
	for _, env := range []string{"dev", "prod", "full"} {
		tmpl := r.check(t, env+"/Server")
		// Its table, and the sign-in whose users it acts for (it verifies their ID tokens: the
		// auth stack's user pool, web client and identity pool, read through its outputs).
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), M{
			"Runtime": "provided.al2023", "Architectures": []any{"arm64"}, "Handler": "bootstrap",
			"Role": arnOf(itemsRole),
			"Environment": M{"Variables": assertions.Match_ObjectEquals(withOwnerKey(env, M{
				"TABLE_NAME":               M{"Ref": itemsTable},
				limits.EnvUserPoolID:       authOutput(env, "PublishOutputRefSignInUserPoolA2C003D1709FDFED"),
				limits.EnvUserPoolClientID: authOutput(env, "PublishOutputRefSignInUserPoolWebClient9BA5B3B3E3D74A23"),
				limits.EnvIdentityPoolID:   authOutput(env, "PublishOutputRefSignInIdentityPool9123F5A75987E121"),
			}))},
			"LoggingConfig": M{"LogFormat": "JSON", "LogGroup": M{"Ref": itemsLogs}},
		})
		tmpl.HasResource(jsii.String("AWS::Logs::LogGroup"), M{"DeletionPolicy": "Retain", "Properties": M{"RetentionInDays": 90}})
		tmpl.HasResource(jsii.String("AWS::DynamoDB::GlobalTable"), M{
			"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
			"Properties": M{
				"BillingMode":      "PAY_PER_REQUEST",
				"SSESpecification": M{"SSEEnabled": true, "SSEType": "KMS"},
				"KeySchema":        []any{M{"AttributeName": "owner", "KeyType": "HASH"}, M{"AttributeName": "id", "KeyType": "RANGE"}},
				"Replicas": []any{M{"Region": regionOf[env], "DeletionProtectionEnabled": true,
					"PointInTimeRecoverySpecification": M{"PointInTimeRecoveryEnabled": true}, "Tags": assertions.Match_AnyValue()}},
			},
		})
	}
}

// TestFunctionsActingForUsersKnowTheirSignIn resolves each function's environment as
// CloudFormation would (through the auth stack's outputs): the three functions the trust role
// invokes for a signed-in user — items, the token service, the signer — are told that
// environment's user pool, web client and identity pool, with which they verify the caller's ID
// token; the token API's authorizer and handler, which act for a token's owner, are not.
func TestFunctionsActingForUsersKnowTheirSignIn(t *testing.T) {
	m := must(referenceModel())
	for _, env := range allEnvs {
		want := map[string]string{
			limits.EnvUserPoolID:       must(m.Attr(env+"/Auth", logicalids.UserPool, "Ref")),
			limits.EnvUserPoolClientID: must(m.Attr(env+"/Auth", "SignInUserPoolWebClient9BA5B3B3", "Ref")),
			limits.EnvIdentityPoolID:   must(m.Attr(env+"/Auth", logicalids.IdentityPool, "Ref")),
		}
		if key := referenceApp().envs[env].OwnerKey; key != limits.DefaultOwnerKey {
			want[limits.EnvOwnerKey] = key
		}
		for _, fn := range []struct {
			stack, id   string
			actsForUser bool
		}{{"Server", itemsFunction, true}, {"API", tokenServiceFn, true}, {"Delivery", signerFunction, true},
			{"API", authorizerFn, false}, {"API", apiHandlerFn, false}} {
			raw := must(m.Property(env+"/"+fn.stack, fn.id, "Environment"))
			vars := raw.(map[string]any)["Variables"].(map[string]any)
			for key, value := range want {
				got, set := vars[key]
				switch {
				case fn.actsForUser && got != value:
					t.Errorf("%s/%s %s: %s = %v, want %s", env, fn.stack, fn.id, key, got, value)
				case !fn.actsForUser && set:
					t.Errorf("%s/%s %s acts for no signed-in user, but has %s = %v", env, fn.stack, fn.id, key, got)
				}
			}
		}
	}
}

func TestServerOutputs(t *testing.T) {
	tmpl := referenceApp().check(t, "full/Server")
	for key, value := range map[string]any{
		contract.TrustRoleArn:           arnOf(trustRole),
		contract.WebpageRoleArn:         arnOf(webpageRole),
		contract.SessionName:            "ssr-server",
		contract.SessionDurationSeconds: "3600",
		contract.AssetFunctionName:      M{"Ref": itemsFunction},
		contract.AssetFunctionArn:       arnOf(itemsFunction),
		contract.ItemsTableName:         M{"Ref": itemsTable},
	} {
		tmpl.HasOutput(jsii.String(key), M{"Value": value})
	}
}

func TestCrossAccountRole(t *testing.T) {
	r := referenceApp()
	if _, ok := r.stacks["dev/CrossAccount"]; ok {
		t.Error("dev has no crossAccount entry but got a cross-account stack")
	}
	tmpl := r.check(t, "full/CrossAccount")
	// Only the trusted account, only its role partner-reader, only with the external id and
	// the session name.
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
		"AssumeRolePolicyDocument": policyOf(M{"Action": "sts:AssumeRole", "Effect": "Allow",
			"Principal": M{"AWS": "arn:aws:iam::444455556666:root"},
			"Condition": M{
				"StringEquals": M{"sts:ExternalId": "gatehouse-partner-7f3a9c", "sts:RoleSessionName": "partner-sync"},
				"ArnEquals":    M{"aws:PrincipalArn": M{"Fn::Join": []any{"", []any{"arn:", M{"Ref": "AWS::Partition"}, ":iam::444455556666:role/partner-reader"}}}},
			}}),
		"MaxSessionDuration": 7200,
		"Policies":           assertions.Match_Absent(), "ManagedPolicyArns": assertions.Match_Absent(),
	})
	// It reads outbox/ of the exchange bucket and publishes to the partner topic; nothing else.
	tmpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(1))
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M{"PolicyDocument": policyOf(
		M{"Effect": "Allow", "Action": "s3:GetObject", "Resource": objectsOf(logicalids.ExchangeBucket, "outbox/*")},
		M{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": arnOf(logicalids.ExchangeBucket),
			"Condition": M{"StringLike": M{"s3:prefix": []any{"outbox/", "outbox/*"}}}},
		M{"Effect": "Allow", "Action": "sns:Publish", "Resource": M{"Ref": "PartnerEventsF09E014A"}},
	)})
	// The topic: encrypted with the AWS managed key, TLS only.
	tmpl.HasResourceProperties(jsii.String("AWS::SNS::Topic"), M{"KmsMasterKeyId": "alias/aws/sns"})
	tmpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), M{"PolicyDocument": policyOf(M{
		"Sid": "AllowPublishThroughSSLOnly", "Action": "sns:Publish", "Effect": "Deny", "Principal": "*",
		"Resource": M{"Ref": "PartnerEventsF09E014A"}, "Condition": M{"Bool": M{"aws:SecureTransport": "false"}}})})
	// The exchange bucket is as hardened as the uploads bucket, without CORS.
	tmpl.HasResource(jsii.String("AWS::S3::Bucket"), M{"DeletionPolicy": "Retain", "Properties": M{
		"PublicAccessBlockConfiguration": assertions.Match_ObjectEquals(&blockAll),
		"VersioningConfiguration":        M{"Status": "Enabled"},
		"CorsConfiguration":              assertions.Match_Absent(),
	}})
	tmpl.HasOutput(jsii.String(contract.CrossAccountRoleArn), M{"Value": arnOf("PartnerRole52724788")})
	// The stack deploys to the account that owns what it shares.
	if env := r.stacks["full/CrossAccount"]; *env.Account() != "777788889999" || *env.Region() != "eu-west-1" {
		t.Errorf("cross-account stack env = %s/%s, want 777788889999/eu-west-1", *env.Account(), *env.Region())
	}
}

// TestWebpageRoleAttachesToTaskDefinition: AttachTo makes the webpage role the task role of a
// task definition the user already has.
func TestWebpageRoleAttachesToTaskDefinition(t *testing.T) {
	tmpl := referenceApp().check(t, "library/Library")
	tmpl.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), M{"TaskRoleArn": arnOf("WebpageRoleCD514D0E")})
}
