package access

import (
	"strings"
	"testing"
)

// stmtFromJSON parses a document with one statement and returns it.
func stmtFromJSON(t *testing.T, doc string) Statement {
	t.Helper()
	d, err := ParseDocument(doc)
	if err != nil {
		t.Fatalf("ParseDocument: %v", err)
	}
	if len(d.Statement) != 1 {
		t.Fatalf("got %d statements, want 1", len(d.Statement))
	}
	return d.Statement[0]
}

type appliesCase struct {
	name string
	req  Request
	want bool
}

func runAppliesCases(t *testing.T, st Statement, cases []appliesCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Applies(tc.req)
			if err != nil {
				t.Fatalf("Applies: %v", err)
			}
			if got != tc.want {
				t.Errorf("Applies(%+v) = %v, want %v", tc.req, got, tc.want)
			}
		})
	}
}

// patternCase: whether pattern matches value.
type patternCase struct {
	pattern, value string
	want           bool
}

// runPatternCases checks match (named name in messages) on every case.
func runPatternCases(t *testing.T, name string, match func(pattern, value string) bool, cases []patternCase) {
	t.Helper()
	for _, tc := range cases {
		if got := match(tc.pattern, tc.value); got != tc.want {
			t.Errorf("%s(%q, %q) = %v, want %v", name, tc.pattern, tc.value, got, tc.want)
		}
	}
}

func TestMatchAction(t *testing.T) {
	runPatternCases(t, "MatchAction", MatchAction, []patternCase{
		{"s3:GetObject", "s3:GetObject", true},
		// "IAM JSON policy elements: Action": action names are case-insensitive.
		{"S3:getobject", "s3:GetObject", true},
		{"s3:GetObject", "S3:GETOBJECT", true},
		{"s3:Get*", "s3:GetObject", true},
		{"s3:*", "s3:GetObject", true},
		{"*", "ec2:RunInstances", true},
		// "Action" element example: iam:*AccessKey*.
		{"iam:*AccessKey*", "iam:CreateAccessKey", true},
		{"iam:*AccessKey*", "iam:ListAccessKeys", true},
		{"iam:*AccessKey*", "iam:CreateUser", false},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:Get?bject", "s3:GetObbject", false},
		{"s3:GetObject", "s3:GetObjectAcl", false},
		{"s3:GetObject*", "s3:GetObjectAcl", true},
		{"ec2:*", "s3:GetObject", false},
		{"s3:*Object", "s3:GetObjectAcl", false},
	})
}

func TestMatchResource(t *testing.T) {
	runPatternCases(t, "MatchResource", MatchResource, []patternCase{
		{"*", "arn:aws:s3:::bucket/key", true},
		{"*", "*", true},
		{"arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/key", true},
		// '*' in the resource portion crosses '/'.
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.txt", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
		{"arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", false},
		{"arn:aws:s3:::bucket*", "arn:aws:s3:::bucket-2/key", true},
		// Resources are case-sensitive.
		{"arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/key", false},
		{"arn:aws:s3:::bucket/Key", "arn:aws:s3:::bucket/key", false},
		// Wildcards in the first five fields stay within their field (the ArnLike example of
		// "Condition operators", ARN condition operators).
		{"arn:aws:someservice:*:111122223333:finance/*", "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", false},
		{"arn:aws:someservice:*:111122223333:finance/*", "arn:aws:someservice:us-east-2:111122223333:finance/document.txt", true},
		{"arn:aws:iam::*:role/app", "arn:aws:iam::123456789012:role/app", true},
		{"arn:aws:iam::*:role/app", "arn:aws:iam::123456789012:role/app2", false},
		{"arn:aws:s3:*:*:bucket", "arn:aws:s3:::bucket", true},
		{"arn:aws:sqs:us-east-?:*:q", "arn:aws:sqs:us-east-2:1:q", true},
		{"arn:*:s3:::b", "arn:aws-cn:s3:::b", true},
		// ... and in the resource portion '*' crosses ':'.
		{"arn:aws:logs:us-east-1:123456789012:log-group:app:*", "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:s1", true},
		{"arn:aws:logs:us-east-1:123456789012:log-group:*", "arn:aws:logs:us-east-1:123456789012:log-group:other:log-stream:s1", true},
		{"arn:aws:sqs:us-east-2:*:*-queue", "arn:aws:sqs:us-east-2:123456789012:David-queue", true},
		// Not an ARN.
		{"arn:aws:s3:::*", "*", false},
		{"arn:aws:s3:::*", "bucket", false},
	})
}

func TestSubstitute(t *testing.T) {
	ctx := Context{
		"aws:username":                       {"David"},
		"cognito-identity.amazonaws.com:sub": {"ap-southeast-1:1111"},
		"aws:TagKeys":                        {"a", "b"},
		"aws:PrincipalTag/empty":             {},
	}
	cases := []struct {
		in, out string
		ok      bool
	}{
		{"home/${aws:username}/*", "home/David/*", true},
		// Variable names are case-insensitive ("Variables and tags").
		{"home/${AWS:UserName}", "home/David", true},
		{"${cognito-identity.amazonaws.com:sub}", "ap-southeast-1:1111", true},
		{"home/${aws:userid}", "", false},
		// Multivalued keys cannot be variables ("Single-valued vs. multivalued context keys").
		{"${aws:TagKeys}", "", false},
		{"${aws:PrincipalTag/empty}", "", false},
		// "Specifying default values".
		{"${aws:userid, 'anonymous'}", "anonymous", true},
		{"${aws:username, 'anonymous'}", "David", true},
		{"${aws:userid,'it''s'}", "it's", true},
		{"${ aws:userid , 'x}y' }", "x}y", true},
		// "Special characters".
		{"a${*}b${?}c${$}d", "a*b?c$d", true},
		{"${$}{aws:username}", "${aws:username}", true},
		{"no variables * ?", "no variables * ?", true},
		{"cost $5", "cost $5", true},
		// Malformed variables.
		{"${aws:username", "", false},
		{"${}", "", false},
		{"${aws:userid, anonymous}", "", false},
		{"${aws:userid, 'anonymous}", "", false},
	}
	for _, tc := range cases {
		out, ok := Substitute(tc.in, ctx)
		if out != tc.out || ok != tc.ok {
			t.Errorf("Substitute(%q) = %q, %v; want %q, %v", tc.in, out, ok, tc.out, tc.ok)
		}
	}
}

// "Policy evaluation logic": an explicit deny in any policy overrides any allow. At statement
// level, both the Allow and the Deny statement apply to the request, so the caller denies it.
func TestExplicitDenyStatementApplies(t *testing.T) {
	doc, err := ParseDocument(`{
		"Version": "2012-10-17",
		"Statement": [
			{"Sid": "AllowAll", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
			{"Sid": "DenyDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::bucket/*"}
		]}`)
	if err != nil {
		t.Fatal(err)
	}
	del := Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::bucket/key"}
	get := Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key"}
	for _, tc := range []struct {
		st   int
		req  Request
		want bool
	}{{0, del, true}, {1, del, true}, {0, get, true}, {1, get, false}} {
		got, err := doc.Statement[tc.st].Applies(tc.req)
		if err != nil || got != tc.want {
			t.Errorf("statement %d, %s: got %v, %v; want %v", tc.st, tc.req.Action, got, err, tc.want)
		}
	}
}

// "IAM JSON policy elements: NotAction", NotAction with Allow: allow everything except IAM.
func TestNotActionAllow(t *testing.T) {
	st := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}`)
	runAppliesCases(t, st, []appliesCase{
		{"s3", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, true},
		{"ec2", Request{Action: "ec2:RunInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/*"}, true},
		{"iam", Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::1:user/x"}, false},
		{"iam other case", Request{Action: "IAM:createuser", Resource: "arn:aws:iam::1:user/x"}, false},
	})
	// NotAction with Allow scoped by Resource: all S3 actions on S3 resources except DeleteBucket.
	st = stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}}`)
	runAppliesCases(t, st, []appliesCase{
		{"get", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, true},
		{"delete bucket", Request{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::b"}, false},
		{"list all needs *", Request{Action: "s3:ListAllMyBuckets", Resource: "*"}, false},
	})
}

// "IAM JSON policy elements: NotAction", NotAction with Deny (DenyAllUsersNotUsingMFA).
func TestNotActionDenyWithBoolIfExists(t *testing.T) {
	st := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": [{
		"Sid": "DenyAllUsersNotUsingMFA", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
		"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}`)
	s3 := func(mfa ...string) Request {
		ctx := Context{}
		if mfa != nil {
			ctx["aws:MultiFactorAuthPresent"] = mfa
		}
		return Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Context: ctx}
	}
	runAppliesCases(t, st, []appliesCase{
		{"no mfa", s3("false"), true},
		{"mfa key absent", s3(), true},
		{"mfa", s3("true"), false},
		{"iam action", Request{Action: "iam:ListUsers", Resource: "*", Context: Context{"aws:MultiFactorAuthPresent": {"false"}}}, false},
	})
}

// "IAM JSON policy elements: NotResource": deny all S3 except the Payroll folder.
func TestNotResource(t *testing.T) {
	st := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*",
		"NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}}`)
	get := func(res string) Request { return Request{Action: "s3:GetObject", Resource: res} }
	runAppliesCases(t, st, []appliesCase{
		{"payroll folder", get("arn:aws:s3:::HRBucket/Payroll"), false},
		{"payroll object", get("arn:aws:s3:::HRBucket/Payroll/2024/jan.csv"), false},
		{"other folder", get("arn:aws:s3:::HRBucket/Benefits/a"), true},
		{"other bucket", get("arn:aws:s3:::OtherBucket/Payroll/a"), true},
		{"case differs", get("arn:aws:s3:::HRBucket/payroll/a"), true},
		{"not s3", Request{Action: "ec2:RunInstances", Resource: "arn:aws:s3:::x"}, false},
	})
}

// "IAM policy elements: Variables and tags", Resource element: each user's home directory.
func TestResourceVariableUsername(t *testing.T) {
	st := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
		"Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*"}}`)
	req := func(res string, ctx Context) Request {
		return Request{Action: "s3:GetObject", Resource: res, Context: ctx}
	}
	david := Context{"aws:username": {"David"}}
	runAppliesCases(t, st, []appliesCase{
		{"own folder", req("arn:aws:s3:::bucket/home/David/notes.txt", david), true},
		{"own nested", req("arn:aws:s3:::bucket/home/David/a/b", david), true},
		{"other user", req("arn:aws:s3:::bucket/home/Adele/notes.txt", david), false},
		{"prefix user", req("arn:aws:s3:::bucket/home/David2/notes.txt", david), false},
		{"key case-insensitive", req("arn:aws:s3:::bucket/home/David/x", Context{"AWS:USERNAME": {"David"}}), true},
		// A role session has no aws:username: the pattern matches nothing.
		{"no username", req("arn:aws:s3:::bucket/home/David/notes.txt", Context{}), false},
		{"literal text", req("arn:aws:s3:::bucket/home/${aws:username}/notes.txt", Context{}), false},
		{"multivalued", req("arn:aws:s3:::bucket/home/David/x", Context{"aws:username": {"David", "Adele"}}), false},
	})

	// Without Version (or with 2008-10-17) the variable is literal text ("Variables and tags" note).
	for _, version := range []string{``, `"Version": "2008-10-17",`} {
		old := stmtFromJSON(t, `{`+version+` "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
			"Resource": "arn:aws:s3:::bucket/home/${aws:username}/*"}}`)
		runAppliesCases(t, old, []appliesCase{
			{"old version: value not substituted", req("arn:aws:s3:::bucket/home/David/x", david), false},
			{"old version: literal", req("arn:aws:s3:::bucket/home/${aws:username}/x", david), true},
		})
	}
}

// A NotResource pattern whose variable has no value excludes nothing.
func TestNotResourceMissingVariable(t *testing.T) {
	st := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*",
		"NotResource": "arn:aws:s3:::bucket/home/${aws:username}/*"}}`)
	res := "arn:aws:s3:::bucket/home/David/x"
	runAppliesCases(t, st, []appliesCase{
		{"own folder excluded", Request{Action: "s3:GetObject", Resource: res, Context: Context{"aws:username": {"David"}}}, false},
		{"other user denied", Request{Action: "s3:GetObject", Resource: res, Context: Context{"aws:username": {"Adele"}}}, true},
		{"no username denied", Request{Action: "s3:GetObject", Resource: res, Context: Context{}}, true},
	})
}

// "Amazon S3: Allows Amazon Cognito users to access objects in their bucket", with the
// "protected" folder layout: the identity ID contains a colon, which must stay in the resource
// portion and must not let a look-alike folder match.
func TestResourceVariableCognito(t *testing.T) {
	st := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
		"Resource": "arn:aws:s3:::bucket/protected/${cognito-identity.amazonaws.com:sub}/*"}}`)
	sub := Context{"cognito-identity.amazonaws.com:sub": {"ap-southeast-1:1111"}}
	get := func(key string, ctx Context) Request {
		return Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/" + key, Context: ctx}
	}
	runAppliesCases(t, st, []appliesCase{
		{"own identity", get("protected/ap-southeast-1:1111/photo.jpg", sub), true},
		{"other identity", get("protected/ap-southeast-1:2222/photo.jpg", sub), false},
		{"look-alike folder", get("protected/ap-southeast-1:1111-x/photo.jpg", sub), false},
		{"look-alike nested", get("protected/ap-southeast-1:1111-x/ap-southeast-1:1111/photo.jpg", sub), false},
		{"no identity", get("protected/ap-southeast-1:1111/photo.jpg", Context{}), false},
		{"key case-insensitive", get("protected/ap-southeast-1:1111/p", Context{"Cognito-Identity.amazonaws.com:SUB": {"ap-southeast-1:1111"}}), true},
	})
}

// "Variables and tags", Special characters and Specifying default values, in Resource.
func TestResourceSpecialCharactersAndDefaults(t *testing.T) {
	get := func(res string, ctx Context) Request {
		return Request{Action: "s3:GetObject", Resource: res, Context: ctx}
	}
	star := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
		"Resource": "arn:aws:s3:::bucket/${*}/x${?}"}}`)
	runAppliesCases(t, star, []appliesCase{
		{"literal * and ?", get("arn:aws:s3:::bucket/*/x?", nil), true},
		{"* is not a wildcard", get("arn:aws:s3:::bucket/abc/x?", nil), false},
		{"? is not a wildcard", get("arn:aws:s3:::bucket/*/xy", nil), false},
	})
	dollar := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
		"Resource": "arn:aws:s3:::bucket/${$}{aws:username}"}}`)
	runAppliesCases(t, dollar, []appliesCase{
		{"literal ${", get("arn:aws:s3:::bucket/${aws:username}", Context{"aws:username": {"David"}}), true},
		{"not substituted", get("arn:aws:s3:::bucket/David", Context{"aws:username": {"David"}}), false},
	})
	def := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
		"Resource": "arn:aws:s3:::bucket/${aws:userid, 'anonymous'}/*"}}`)
	runAppliesCases(t, def, []appliesCase{
		{"default", get("arn:aws:s3:::bucket/anonymous/x", nil), true},
		{"value", get("arn:aws:s3:::bucket/AIDA1/x", Context{"aws:userid": {"AIDA1"}}), true},
		{"default unused when value present", get("arn:aws:s3:::bucket/anonymous/x", Context{"aws:userid": {"AIDA1"}}), false},
	})
}

// Resources are case-sensitive; actions are not.
func TestAppliesCaseSensitivity(t *testing.T) {
	st := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "S3:getobject",
		"Resource": "arn:aws:s3:::Bucket/*"}}`)
	runAppliesCases(t, st, []appliesCase{
		{"action any case", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::Bucket/k"}, true},
		{"resource case differs", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/k"}, false},
	})
}

// Conditions are ANDed; values within one condition are ORed ("IAM JSON policy elements:
// Condition", evaluation logic for multiple keys or values).
func TestAppliesConditionLogic(t *testing.T) {
	st := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sns:*", "Resource": "*",
		"Condition": {"StringLike": {"sns:endpoint": "https://example.com/${aws:username}/"},
		              "StringEquals": {"sns:Protocol": ["https", "http"]}}}}`)
	req := func(endpoint, protocol string) Request {
		return Request{Action: "sns:Subscribe", Resource: "arn:aws:sns:us-east-1:999999999999:t",
			Context: Context{"aws:username": {"Bob"}, "sns:endpoint": {endpoint}, "sns:Protocol": {protocol}}}
	}
	runAppliesCases(t, st, []appliesCase{
		{"both", req("https://example.com/Bob/", "https"), true},
		{"second value", req("https://example.com/Bob/", "http"), true},
		{"protocol fails", req("https://example.com/Bob/", "email"), false},
		{"endpoint fails", req("https://example.com/Eve/", "https"), false},
	})
}

// A statement without Resource or NotResource (a role trust policy) is not limited by resource.
func TestAppliesWithoutResource(t *testing.T) {
	st := stmtFromJSON(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
		"Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}}`)
	runAppliesCases(t, st, []appliesCase{
		{"assume", Request{Principal: "ecs-tasks.amazonaws.com", Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/r"}, true},
		{"other action", Request{Action: "sts:TagSession"}, false},
	})
}

func TestAppliesErrors(t *testing.T) {
	cases := []struct {
		name string
		st   Statement
		want string
	}{
		{"bad effect", Statement{Effect: "allow", Action: []string{"*"}}, `statement 0: Effect: must be "Allow" or "Deny"`},
		{"no action", Statement{Effect: "Allow", Resource: []string{"*"}}, `statement 0: Action: exactly one of Action and NotAction`},
		{"both actions", Statement{Effect: "Allow", Action: []string{"*"}, NotAction: []string{"iam:*"}}, `Action: exactly one`},
		{"both resources", Statement{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}, NotResource: []string{"*"}}, `Resource and NotResource`},
		{"resource not ARN", Statement{Sid: "S", Index: 3, Effect: "Allow", Action: []string{"*"}, Resource: []string{"my-bucket/*"}},
			`statement 3 (Sid "S"): Resource: "my-bucket/*" is neither "*" nor an ARN`},
		{"notresource not ARN", Statement{Effect: "Deny", Action: []string{"*"}, NotResource: []string{"arn:aws:s3"}}, `NotResource: "arn:aws:s3" is neither`},
		{"malformed variable", Statement{Effect: "Allow", Action: []string{"*"}, Resource: []string{"arn:aws:s3:::b/${aws:username"}}, `Resource: "arn:aws:s3:::b/${aws:username": variable`},
	}
	for _, tc := range cases {
		ok, err := tc.st.Applies(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"})
		if err == nil || ok {
			t.Errorf("%s: got %v, %v; want error", tc.name, ok, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not contain %q", tc.name, err, tc.want)
		}
	}
}
