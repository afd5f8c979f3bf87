package access

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// stacksJSON are two hand-written stacks that use every intrinsic the resolver supports and
// every kind of policy the model gathers.
const stackOne = `{
 "Parameters": {"SessionName": {"Type": "String", "Default": "web"}},
 "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}},
 "Resources": {
  "Caller": {"Type": "AWS::IAM::Role", "Metadata": {"aws:cdk:path": "one/Caller/Resource"}, "Properties": {
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": {"Service": "ecs-tasks.amazonaws.com"},
      "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]},
    "Policies": [{"PolicyName": "AssumeTarget", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
      {"Sid": "AssumeTarget", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": {"Fn::GetAtt": ["Target", "Arn"]}}]}}]}},
  "Target": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "target",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": {"AWS": {"Fn::GetAtt": ["Caller", "Arn"]}},
      "Condition": {"StringEquals": {"sts:RoleSessionName": {"Ref": "SessionName"}}}}]}}},
  "RootTrusted": {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}}]}}},
  "Managed": {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]},
    "ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/ReadOnlyAccess"]]}]}},
  "Bounded": {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]},
    "PermissionsBoundary": {"Ref": "Boundary"},
    "ManagedPolicyArns": [{"Ref": "Broad"}]}},
  "Broad": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}},
  "Boundary": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}},
  "Partner": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "partner",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Condition": {"StringEquals": {"sts:ExternalId": "ext-1"}}}]}}},
  "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "data"}},
  "Topic": {"Type": "AWS::SNS::Topic"},
  "TopicPolicy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": {
    "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sns:Publish", "Principal": "*", "Resource": {"Ref": "Topic"},
      "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}},
  "Function": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "items"}},
  "Invoke": {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction",
    "FunctionName": {"Fn::GetAtt": ["Function", "Arn"]}, "Principal": "s3.amazonaws.com",
    "SourceArn": {"Fn::GetAtt": ["Bucket", "Arn"]}}},
  "ProdOnly": {"Type": "AWS::IAM::Role", "Condition": "IsProd", "Properties": {
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}}
 },
 "Outputs": {"BucketArn": {"Value": {"Fn::GetAtt": ["Bucket", "Arn"]}, "Export": {"Name": "one-bucket-arn"}}}
}`

const stackTwo = `{
 "Resources": {
  "Reader": {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
  "ReaderPolicy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "read", "Roles": [{"Ref": "Reader"}],
    "PolicyDocument": {"Version": "2012-10-17", "Statement": [
      {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "sns:Publish"], "Resource": [
        {"Fn::Join": ["", [{"Fn::ImportValue": "one-bucket-arn"}, "/reports/*"]]},
        {"Fn::Sub": ["arn:aws:sns:${Region}:${AWS::AccountId}:${Name}", {"Region": {"Fn::Select": [1, {"Fn::Split": [":", "x:ap-southeast-1:y"]}]}, "Name": "*"}]}
      ]}]}}}
 }
}`

func testModel(t *testing.T, extra ...StackTemplate) *Model {
	t.Helper()
	var one, two map[string]any
	if err := json.Unmarshal([]byte(stackOne), &one); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(stackTwo), &two); err != nil {
		t.Fatal(err)
	}
	templates := append([]StackTemplate{
		{Name: "one", Region: "ap-southeast-1", Template: one},
		{Name: "two", Region: "ap-southeast-1", Template: two},
	}, extra...)
	m, err := NewModel(templates)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func roleARN(name string) string { return "arn:aws:iam::" + FakeAccount + ":role/" + name }

func TestModelGathersEverything(t *testing.T) {
	m := testModel(t)
	callerARN := roleARN("one-Caller-" + fakeSuffix("one/Caller"))
	caller := m.Roles[callerARN]
	if caller == nil || len(caller.Policies) != 1 || caller.Path != "one/Caller/Resource" {
		t.Fatalf("caller role = %+v (roles: %v)", caller, slices.Sorted(maps.Keys(m.Roles)))
	}
	if len(m.Roles) != 7 { // ProdOnly's condition is false in ap-southeast-1
		t.Errorf("%d roles, want 7: %v", len(m.Roles), slices.Sorted(maps.Keys(m.Roles)))
	}
	managed := m.RoleBySuffix("Managed")[0]
	if len(managed.Unknown) != 1 || managed.Unknown[0] != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("AWS managed policy not reported as unknown: %v", managed.Unknown)
	}
	if len(m.ResourcePolicies) != 2 {
		t.Errorf("%d resource policies, want the topic policy and the Lambda permission", len(m.ResourcePolicies))
	}
}

func TestModelEvaluate(t *testing.T) {
	m := testModel(t)
	callerARN := roleARN("one-Caller-" + fakeSuffix("one/Caller"))
	callerSession := "arn:aws:sts::" + FakeAccount + ":assumed-role/one-Caller-" + fakeSuffix("one/Caller") + "/web"
	rootTrusted := m.RoleBySuffix("RootTrusted")[0].ARN
	reader := m.RoleBySuffix("Reader")[0].ARN
	bounded := m.RoleBySuffix("Bounded")[0].ARN
	managed := m.RoleBySuffix("Managed")[0].ARN
	topic := "arn:aws:sns:ap-southeast-1:" + FakeAccount + ":one-Topic-" + fakeSuffix("one/Topic")
	function := "arn:aws:lambda:ap-southeast-1:" + FakeAccount + ":function:items"
	cases := []struct {
		name string
		req  Request
		want Decision
		by   string // Sid or source fragment of the deciding statement
	}{
		{"ECS assumes its task role", Request{Principal: "ecs-tasks.amazonaws.com", Action: "sts:AssumeRole", Resource: callerARN,
			Context: Context{"aws:SourceAccount": {FakeAccount}}}, Allow, "AssumeRolePolicyDocument"},
		{"ECS of another account is refused", Request{Principal: "ecs-tasks.amazonaws.com", Action: "sts:AssumeRole", Resource: callerARN,
			Context: Context{"aws:SourceAccount": {"999999999999"}}}, ImplicitDeny, ""},
		{"Lambda cannot assume the ECS role", Request{Principal: "lambda.amazonaws.com", Action: "sts:AssumeRole", Resource: callerARN}, ImplicitDeny, ""},
		{"the caller assumes the target with the right session name", Request{Principal: callerSession, Action: "sts:AssumeRole", Resource: roleARN("target"),
			Context: Context{"sts:RoleSessionName": {"web"}}}, Allow, ""},
		{"the wrong session name is refused", Request{Principal: callerSession, Action: "sts:AssumeRole", Resource: roleARN("target"),
			Context: Context{"sts:RoleSessionName": {"other"}}}, ImplicitDeny, ""},
		{"a role the trust does not name is refused", Request{Principal: reader, Action: "sts:AssumeRole", Resource: roleARN("target"),
			Context: Context{"sts:RoleSessionName": {"web"}}}, ImplicitDeny, ""},
		// Trust naming the account root delegates to identity policies: the caller has none for it.
		{"root trust without an identity allow", Request{Principal: callerSession, Action: "sts:AssumeRole", Resource: rootTrusted}, ImplicitDeny, ""},
		{"cross-stack import, join, sub, select and split", Request{Principal: reader, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/reports/q1.csv"}, Allow, "Read"},
		{"outside the imported prefix", Request{Principal: reader, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/private/q1.csv"}, ImplicitDeny, ""},
		{"identity allows publish", Request{Principal: reader, Action: "sns:Publish", Resource: topic}, Allow, "Read"},
		{"topic policy denies publish without TLS", Request{Principal: reader, Action: "sns:Publish", Resource: topic,
			Context: Context{"aws:SecureTransport": {"false"}}}, ExplicitDeny, "TopicPolicy"},
		{"S3 invokes the function for its bucket", Request{Principal: "s3.amazonaws.com", Action: "lambda:InvokeFunction", Resource: function,
			Context: Context{"aws:SourceArn": {"arn:aws:s3:::data"}}}, Allow, "Invoke"},
		{"S3 invokes the function for another bucket", Request{Principal: "s3.amazonaws.com", Action: "lambda:InvokeFunction", Resource: function,
			Context: Context{"aws:SourceArn": {"arn:aws:s3:::other"}}}, ImplicitDeny, ""},
		{"the permissions boundary caps a broad policy", Request{Principal: bounded, Action: "s3:PutObject", Resource: "arn:aws:s3:::data/x"}, ImplicitDeny, ""},
		{"within the boundary", Request{Principal: bounded, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x"}, Allow, "Broad"},
		{"an AWS managed policy makes it unknown", Request{Principal: managed, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x"}, Unknown, ""},
		{"anonymous", Request{Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x"}, ImplicitDeny, ""},
		// Cross-account: decided on the trust policy (the caller's own account must allow too).
		{"the trusted account with the external id", Request{Principal: "arn:aws:iam::444455556666:role/sync", Action: "sts:AssumeRole",
			Resource: roleARN("partner"), Context: Context{"sts:ExternalId": {"ext-1"}}}, Allow, "Partner"},
		{"the trusted account without the external id", Request{Principal: "arn:aws:iam::444455556666:role/sync", Action: "sts:AssumeRole",
			Resource: roleARN("partner")}, ImplicitDeny, ""},
		{"the trusted account with a wrong external id", Request{Principal: "arn:aws:sts::444455556666:assumed-role/sync/s", Action: "sts:AssumeRole",
			Resource: roleARN("partner"), Context: Context{"sts:ExternalId": {"ext-2"}}}, ImplicitDeny, ""},
		{"another account with the external id", Request{Principal: "arn:aws:iam::999999999999:role/sync", Action: "sts:AssumeRole",
			Resource: roleARN("partner"), Context: Context{"sts:ExternalId": {"ext-1"}}}, ImplicitDeny, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := m.Evaluate(c.req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Decision != c.want {
				t.Fatalf("%s, want %s", got, c.want)
			}
			if c.by != "" && (got.Deciding == nil || !strings.Contains(got.Deciding.String(), c.by)) {
				t.Errorf("decided by %v, want a statement of %q", got.Deciding, c.by)
			}
		})
	}
}

func TestRootTrustWithIdentityAllow(t *testing.T) {
	// Caller of account root trust: allowed once its own policy allows sts:AssumeRole on the role.
	var three map[string]any
	_ = json.Unmarshal([]byte(`{"Resources": {
	  "Assumer": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "assumer",
	    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
	    "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
	      {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}]}}}}`), &three)
	m := testModel(t, StackTemplate{Name: "three", Template: three})
	got, err := m.Evaluate(Request{Principal: roleARN("assumer"), Action: "sts:AssumeRole", Resource: m.RoleBySuffix("RootTrusted")[0].ARN})
	if err != nil || got.Decision != Allow {
		t.Fatalf("%v %v, want Allow", got, err)
	}
}

// authenticatedRole is the template resources "Authenticated", the role "auth" that the identity
// pool "Pool"'s authenticated identities assume by trustActions (a JSON action or list), whose
// policy allows s3:GetObject in data/protected/<folder>/*, and "Attachment", which gives it to
// the pool.
func authenticatedRole(trustActions, folder string) string {
	return `"Authenticated": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "auth",
	    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ` + trustActions + `,
	      "Principal": {"Federated": "cognito-identity.amazonaws.com"},
	      "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": "Pool"}},
	                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}}]},
	    "Policies": [{"PolicyName": "own", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
	      "Resource": "arn:aws:s3:::data/protected/` + folder + `/*"}]}}]}},
	  "Attachment": {"Type": "AWS::Cognito::IdentityPoolRoleAttachment", "Properties": {"IdentityPoolId": {"Ref": "Pool"},
	    "Roles": {"authenticated": {"Fn::GetAtt": ["Authenticated", "Arn"]}}}}`
}

func TestSignInThroughIdentityPool(t *testing.T) {
	var auth map[string]any
	_ = json.Unmarshal([]byte(`{"Resources": {
	  "Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": false}},
	  `+authenticatedRole(`"sts:AssumeRoleWithWebIdentity"`, "${cognito-identity.amazonaws.com:sub}")+`}}`), &auth)
	m := testModel(t, StackTemplate{Name: "auth", Region: "ap-southeast-1", Template: auth})
	var pool string
	for id := range m.IdentityPools {
		pool = id
	}
	session, result, err := m.SignIn(pool, "ap-southeast-1:1111", true, "")
	if err != nil || result.Decision != Allow {
		t.Fatalf("sign-in: %v %v", result, err)
	}
	for key, want := range map[string]Decision{
		"protected/ap-southeast-1:1111/a.txt":   Allow,
		"protected/ap-southeast-1:2222/a.txt":   ImplicitDeny,
		"protected/ap-southeast-1:1111-x/a.txt": ImplicitDeny,
	} {
		got, err := m.Evaluate(session.Request("s3:GetObject", "arn:aws:s3:::data/"+key, nil))
		if err != nil || got.Decision != want {
			t.Errorf("%s: %v %v, want %s", key, got, err, want)
		}
	}
	if _, result, _ := m.SignIn(pool, "ap-southeast-1:1111", false, ""); result.Decision != ImplicitDeny ||
		!strings.Contains(result.Reason, "does not allow unauthenticated identities") {
		t.Errorf("guest sign-in: %v", result)
	}
	if _, _, err := m.SignIn("ap-southeast-1:nope", "x", true, ""); err == nil {
		t.Error("sign-in to an unknown pool: no error")
	}
	other, _ := m.Evaluate(WebIdentityRequest(roleARN("auth"), "ap-southeast-1:other", "x", true))
	if other.Decision != ImplicitDeny {
		t.Errorf("identity of another pool: %v", other)
	}
}

// TestSignInWithPrincipalTags: a pool that maps the token's sub to a session tag signs in only
// through a role whose trust also allows sts:TagSession (amplify-cli#9747: sign-in breaks
// without it), only with a token of the provider and client it accepts, and the session then
// carries the tag, which a policy variable reads.
func TestSignInWithPrincipalTags(t *testing.T) {
	template := func(trustActions string) map[string]any {
		var tmpl map[string]any
		_ = json.Unmarshal([]byte(`{"Resources": {
		  "UserPool": {"Type": "AWS::Cognito::UserPool", "Properties": {}},
		  "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"UserPoolId": {"Ref": "UserPool"}}},
		  "Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": false,
		    "CognitoIdentityProviders": [{"ClientId": {"Ref": "Client"},
		      "ProviderName": {"Fn::Join": ["", ["cognito-idp.", {"Ref": "AWS::Region"}, ".amazonaws.com/", {"Ref": "UserPool"}]]}}]}},
		  "Tags": {"Type": "AWS::Cognito::IdentityPoolPrincipalTag", "Properties": {"IdentityPoolId": {"Ref": "Pool"},
		    "IdentityProviderName": {"Fn::GetAtt": ["UserPool", "ProviderName"]}, "PrincipalTags": {"sub": "sub"}, "UseDefaults": false}},
		  `+authenticatedRole(trustActions, "${aws:PrincipalTag/sub}")+`}}`), &tmpl)
		return tmpl
	}
	login := func(m *Model) Login {
		var pool *IdentityPool
		for _, p := range m.IdentityPools {
			pool = p
		}
		if len(pool.Providers) != 1 {
			t.Fatalf("providers = %v", pool.Providers)
		}
		provider, client, _ := strings.Cut(pool.Providers[0], ":")
		if pool.PrincipalTags[provider]["sub"] != "sub" {
			t.Fatalf("the tag map is not keyed by the provider the pool accepts: %v, providers %v", pool.PrincipalTags, pool.Providers)
		}
		return Login{Pool: pool.ID, IdentityID: "ap-southeast-1:1111", Authenticated: true, Provider: provider, Client: client,
			Claims: map[string]string{"sub": "sub-a"}}
	}

	m := testModel(t, StackTemplate{Name: "auth", Region: "ap-southeast-1", Template: template(`["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]`)})
	l := login(m)
	session, result, err := m.SignInWith(l)
	if err != nil || result.Decision != Allow || session.Context["aws:PrincipalTag/sub"][0] != "sub-a" {
		t.Fatalf("sign-in: %v %v %v", result, err, session.Context)
	}
	for key, want := range map[string]Decision{"protected/sub-a/a.txt": Allow, "protected/sub-b/a.txt": ImplicitDeny, "protected/ap-southeast-1:1111/a.txt": ImplicitDeny} {
		if got, err := m.Evaluate(session.Request("s3:GetObject", "arn:aws:s3:::data/"+key, nil)); err != nil || got.Decision != want {
			t.Errorf("%s: %v %v, want %s", key, got, err, want)
		}
	}
	// An untagged session of the same role reaches no folder.
	untagged, _, _ := m.SignIn(l.Pool, l.IdentityID, true, "")
	if got, _ := m.Evaluate(untagged.Request("s3:GetObject", "arn:aws:s3:::data/protected/sub-a/a.txt", nil)); got.Decision != ImplicitDeny {
		t.Errorf("untagged: %v", got)
	}
	// A token of another client is refused.
	other := l
	other.Client = "another"
	if _, result, _ := m.SignInWith(other); result.Decision != ImplicitDeny || !strings.Contains(result.Reason, "does not accept tokens") {
		t.Errorf("another client: %v", result)
	}
	// Without sts:TagSession in the trust, the sign-in fails.
	m = testModel(t, StackTemplate{Name: "auth", Region: "ap-southeast-1", Template: template(`"sts:AssumeRoleWithWebIdentity"`)})
	if _, result, _ := m.SignInWith(login(m)); result.Decision != ImplicitDeny {
		t.Errorf("trust without sts:TagSession: %v, want the sign-in refused", result)
	}
}

// TestTemplatesWeCannotUnderstand: never a silent allow or deny.
func TestTemplatesWeCannotUnderstand(t *testing.T) {
	role := func(policyResource string) string {
		return `{"Resources": {"Broken": {"Type": "AWS::IAM::Role", "Properties": {
		  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
		  "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
		    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ` + policyResource + `}]}}]}}}}`
	}
	for _, c := range []struct{ name, template, want string }{
		{"unknown intrinsic", role(`{"Fn::Base64": "x"}`),
			`bad: resource Broken: Properties.Policies[0].PolicyDocument.Statement[0].Resource: unsupported intrinsic function Fn::Base64`},
		{"unresolvable reference", role(`{"Fn::GetAtt": ["Missing", "Arn"]}`),
			`bad: resource Broken: Properties.Policies[0].PolicyDocument.Statement[0].Resource: no resource named "Missing"`},
		{"missing import", role(`{"Fn::ImportValue": "nobody-exports-this"}`),
			`bad: resource Broken: Properties.Policies[0].PolicyDocument.Statement[0].Resource: Fn::ImportValue: no stack exports "nobody-exports-this"`},
		{"parameter without default", `{"Parameters": {"P": {"Type": "String"}}, "Resources": {"Broken": {"Type": "AWS::S3::BucketPolicy",
		  "Properties": {"Bucket": {"Ref": "P"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": []}}}}}`,
			`bad: resource Broken: Properties.Bucket: Ref: parameter "P" has no default value`},
		{"policy to an unknown role", `{"Resources": {"Broken": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["nobody"],
		  "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}}}}`,
			`bad: resource Broken: Properties.Roles: no role named "nobody" in the app`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var tmpl map[string]any
			if err := json.Unmarshal([]byte(c.template), &tmpl); err != nil {
				t.Fatal(err)
			}
			_, err := NewModel([]StackTemplate{{Name: "bad", Template: tmpl}})
			if err == nil || err.Error() != c.want {
				t.Errorf("error = %v\nwant    %s", err, c.want)
			}
		})
	}
	// An operator we do not know is an error at evaluation, naming the policy.
	var tmpl map[string]any
	_ = json.Unmarshal([]byte(`{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "r",
	  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
	  "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
	    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringMaybe": {"aws:SourceIp": "x"}}}]}}]}}}}`), &tmpl)
	m, err := NewModel([]StackTemplate{{Name: "odd", Template: tmpl}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Evaluate(Request{Principal: roleARN("r"), Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"})
	if err == nil || !strings.Contains(err.Error(), "odd R p") || !strings.Contains(err.Error(), `unsupported operator "StringMaybe"`) {
		t.Errorf("error = %v", err)
	}
}
