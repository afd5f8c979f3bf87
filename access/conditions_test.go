package access

import (
	"strings"
	"testing"
)

// condHolds evaluates a one-condition statement (Allow *:* on *) against ctx.
func condHolds(t *testing.T, op, key string, values []string, ctx Context) bool {
	t.Helper()
	st := Statement{
		Effect:    "Allow",
		Action:    []string{"*"},
		Resource:  []string{"*"},
		Condition: []Condition{{Operator: op, Key: key, Values: values}},
	}
	ok, err := st.Applies(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key", Context: ctx})
	if err != nil {
		t.Fatalf("%s %s %q: unexpected error: %v", op, key, values, err)
	}
	return ok
}

type condCase struct {
	name   string
	op     string
	key    string
	values []string
	ctx    Context
	want   bool
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := condHolds(t, tc.op, tc.key, tc.values, tc.ctx); got != tc.want {
				t.Errorf("%s {%q: %q} with %v = %v, want %v", tc.op, tc.key, tc.values, tc.ctx, got, tc.want)
			}
		})
	}
}

func TestContextLookup(t *testing.T) {
	ctx := Context{"aws:SourceIp": {"203.0.113.5"}, "AWS:username": {"upper"}, "aws:username": {"lower"}}
	// "IAM policy elements: Variables and tags": key names are case-insensitive
	// (aws:CurrentTime is equivalent to AWS:currenttime).
	if v, ok := ctx.Lookup("AWS:SOURCEIP"); !ok || len(v) != 1 || v[0] != "203.0.113.5" {
		t.Errorf("Lookup(AWS:SOURCEIP) = %v, %v", v, ok)
	}
	if v, ok := ctx.Lookup("aws:username"); !ok || v[0] != "lower" {
		t.Errorf("exact match should win, got %v, %v", v, ok)
	}
	if v, ok := ctx.Lookup("Aws:UserName"); !ok || v[0] != "upper" {
		t.Errorf("first sorted key should win, got %v, %v", v, ok)
	}
	if _, ok := ctx.Lookup("aws:userid"); ok {
		t.Error("missing key reported present")
	}
	if _, ok := Context(nil).Lookup("x"); ok {
		t.Error("nil context reported a key")
	}
}

// "IAM JSON policy elements: Condition operators", Important note: a missing key makes the
// condition false; for negated operators (StringNotLike, ArnNotLike, ...) it is true; ...IfExists
// and Null test whether the key exists.
func TestMissingKeyEveryFamily(t *testing.T) {
	type fam struct {
		value    string
		positive []string
		negated  []string
	}
	families := map[string]fam{
		"String": {"x", []string{"StringEquals", "StringEqualsIgnoreCase", "StringLike"},
			[]string{"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike"}},
		"Numeric": {"10", []string{"NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"},
			[]string{"NumericNotEquals"}},
		"Date": {"2020-01-01T00:00:00Z", []string{"DateEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"},
			[]string{"DateNotEquals"}},
		"Bool":   {"true", []string{"Bool"}, nil},
		"Binary": {"QmluYXJ5VmFsdWVJbkJhc2U2NA==", []string{"BinaryEquals"}, nil},
		"IP":     {"203.0.113.0/24", []string{"IpAddress"}, []string{"NotIpAddress"}},
		"ARN": {"arn:aws:sns:us-east-1:123456789012:topic", []string{"ArnEquals", "ArnLike"},
			[]string{"ArnNotEquals", "ArnNotLike"}},
	}
	empty := Context{"test:key": {}}
	for name, f := range families {
		for _, op := range f.positive {
			if condHolds(t, op, "test:key", []string{f.value}, nil) {
				t.Errorf("%s (%s) with missing key = true, want false", op, name)
			}
			if condHolds(t, op, "test:key", []string{f.value}, empty) {
				t.Errorf("%s (%s) with empty value list = true, want false", op, name)
			}
		}
		for _, op := range f.negated {
			if !condHolds(t, op, "test:key", []string{f.value}, nil) {
				t.Errorf("%s (%s) with missing key = false, want true", op, name)
			}
		}
		for _, op := range append(append([]string{}, f.positive...), f.negated...) {
			if !condHolds(t, op+"IfExists", "test:key", []string{f.value}, nil) {
				t.Errorf("%sIfExists (%s) with missing key = false, want true", op, name)
			}
		}
	}
}

// "Condition operators", ...IfExists: StringLikeIfExists on ec2:InstanceType ["t1.*", "t2.*",
// "m3.*"] applies when the key is absent and checks it when present.
func TestIfExists(t *testing.T) {
	vals := []string{"t1.*", "t2.*", "m3.*"}
	runCondCases(t, []condCase{
		{"absent", "StringLikeIfExists", "ec2:InstanceType", vals, Context{}, true},
		{"t2.micro", "StringLikeIfExists", "ec2:InstanceType", vals, Context{"ec2:InstanceType": {"t2.micro"}}, true},
		{"m5.large", "StringLikeIfExists", "ec2:InstanceType", vals, Context{"ec2:InstanceType": {"m5.large"}}, false},
		{"without IfExists absent", "StringLike", "ec2:InstanceType", vals, Context{}, false},
		{"negated IfExists present match", "StringNotEqualsIfExists", "aws:ResourceTag/team", []string{"blue"}, Context{"aws:ResourceTag/team": {"blue"}}, false},
		{"negated IfExists present other", "StringNotEqualsIfExists", "aws:ResourceTag/team", []string{"blue"}, Context{"aws:ResourceTag/team": {"red"}}, true},
	})
}

// "Condition operators", Condition operator to check existence of condition keys:
// {"Null": {"aws:TokenIssueTime": "true"}} holds only when the key is absent.
func TestNull(t *testing.T) {
	issued := Context{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}
	runCondCases(t, []condCase{
		{"true absent", "Null", "aws:TokenIssueTime", []string{"true"}, Context{}, true},
		{"true present", "Null", "aws:TokenIssueTime", []string{"true"}, issued, false},
		{"false absent", "Null", "aws:TokenIssueTime", []string{"false"}, Context{}, false},
		{"false present", "Null", "aws:TokenIssueTime", []string{"false"}, issued, true},
		{"true empty list", "Null", "aws:TokenIssueTime", []string{"true"}, Context{"aws:TokenIssueTime": {}}, true},
		{"case-insensitive value", "Null", "AWS:TOKENISSUETIME", []string{"TRUE"}, issued, false},
	})
}

// "Condition operators", String condition operators.
func TestStringOperators(t *testing.T) {
	job := Context{"aws:PrincipalTag/job-category": {"iamuser-admin"}}
	runCondCases(t, []condCase{
		// AWS example: StringEquals aws:PrincipalTag/job-category "iamuser-admin".
		{"equals", "StringEquals", "aws:PrincipalTag/job-category", []string{"iamuser-admin"}, job, true},
		{"equals is case-sensitive", "StringEquals", "aws:PrincipalTag/job-category", []string{"IAMUSER-ADMIN"}, job, false},
		{"key is case-insensitive", "StringEquals", "AWS:PRINCIPALTAG/JOB-CATEGORY", []string{"iamuser-admin"}, job, true},
		{"operator is case-insensitive", "stringequals", "aws:PrincipalTag/job-category", []string{"iamuser-admin"}, job, true},
		{"equals treats * literally", "StringEquals", "aws:PrincipalTag/job-category", []string{"iamuser-*"}, job, false},
		{"equals ignore case", "StringEqualsIgnoreCase", "aws:PrincipalTag/job-category", []string{"IAMUSER-Admin"}, job, true},
		{"not equals match", "StringNotEquals", "aws:PrincipalTag/job-category", []string{"iamuser-admin"}, job, false},
		{"not equals other", "StringNotEquals", "aws:PrincipalTag/job-category", []string{"other", "more"}, job, true},
		{"not equals any of list", "StringNotEquals", "aws:PrincipalTag/job-category", []string{"other", "iamuser-admin"}, job, false},
		{"not equals ignore case", "StringNotEqualsIgnoreCase", "aws:PrincipalTag/job-category", []string{"IAMUSER-ADMIN"}, job, false},
		{"like", "StringLike", "aws:PrincipalTag/job-category", []string{"iamuser-*"}, job, true},
		{"like ?", "StringLike", "aws:PrincipalTag/job-category", []string{"iamuser-adm?n"}, job, true},
		{"like is case-sensitive", "StringLike", "aws:PrincipalTag/job-category", []string{"IAMUSER-*"}, job, false},
		{"not like", "StringNotLike", "aws:PrincipalTag/job-category", []string{"iamuser-*"}, job, false},
		{"not like other", "StringNotLike", "aws:PrincipalTag/job-category", []string{"dev-*"}, job, true},
	})
}

// StringLike s3:prefix with a list (Amazon Cognito "protected" folder pattern, as in the
// IAM User Guide example "Amazon S3: Allows Amazon Cognito users to access objects in their
// bucket"): the prefix must be the user's folder itself or something inside it.
func TestStringLikePrefixList(t *testing.T) {
	lit := []string{"protected/X/", "protected/X/*"}
	vars := []string{"protected/${cognito-identity.amazonaws.com:sub}/", "protected/${cognito-identity.amazonaws.com:sub}/*"}
	withSub := func(prefix string) Context {
		return Context{"s3:prefix": {prefix}, "cognito-identity.amazonaws.com:sub": {"X"}}
	}
	runCondCases(t, []condCase{
		{"folder", "StringLike", "s3:prefix", lit, Context{"s3:prefix": {"protected/X/"}}, true},
		{"inside", "StringLike", "s3:prefix", lit, Context{"s3:prefix": {"protected/X/photos/a.jpg"}}, true},
		{"no slash", "StringLike", "s3:prefix", lit, Context{"s3:prefix": {"protected/X"}}, false},
		{"other user", "StringLike", "s3:prefix", lit, Context{"s3:prefix": {"protected/Y/"}}, false},
		{"look-alike", "StringLike", "s3:prefix", lit, Context{"s3:prefix": {"protected/X-evil/"}}, false},
		{"parent", "StringLike", "s3:prefix", lit, Context{"s3:prefix": {"protected/"}}, false},
		{"var folder", "StringLike", "s3:prefix", vars, withSub("protected/X/"), true},
		{"var inside", "StringLike", "s3:prefix", vars, withSub("protected/X/a"), true},
		{"var look-alike", "StringLike", "s3:prefix", vars, withSub("protected/X-evil/a"), false},
		{"var missing sub", "StringLike", "s3:prefix", vars, Context{"s3:prefix": {"protected/X/"}}, false},
	})
}

// "Condition operators", String condition operators: StringLike s3:prefix ["", "home/",
// "home/${aws:username}/"] lets a user list the bucket root, home/ and their own folder.
func TestStringLikeHomeFolderWithVariable(t *testing.T) {
	vals := []string{"", "home/", "home/${aws:username}/"}
	ctx := func(prefix string) Context { return Context{"s3:prefix": {prefix}, "aws:username": {"David"}} }
	runCondCases(t, []condCase{
		{"root", "StringLike", "s3:prefix", vals, ctx(""), true},
		{"home", "StringLike", "s3:prefix", vals, ctx("home/"), true},
		{"own", "StringLike", "s3:prefix", vals, ctx("home/David/"), true},
		{"other", "StringLike", "s3:prefix", vals, ctx("home/Adele/"), false},
	})
}

// Variables in condition values ("IAM policy elements: Variables and tags", Condition element,
// Specifying default values, Special characters).
func TestConditionVariables(t *testing.T) {
	runCondCases(t, []condCase{
		// SNS example: StringLike sns:endpoint "https://example.com/${aws:username}/".
		{"sns endpoint", "StringLike", "sns:endpoint", []string{"https://example.com/${aws:username}/"},
			Context{"sns:endpoint": {"https://example.com/Bob/"}, "aws:username": {"Bob"}}, true},
		{"sns endpoint other user", "StringLike", "sns:endpoint", []string{"https://example.com/${aws:username}/"},
			Context{"sns:endpoint": {"https://example.com/Eve/"}, "aws:username": {"Bob"}}, false},
		// Default values example: ${aws:userid, 'anonymous'}.
		{"default used", "StringEquals", "aws:Resource", []string{"arn:aws:s3:::/bucket/${aws:userid, 'anonymous'}"},
			Context{"aws:Resource": {"arn:aws:s3:::/bucket/anonymous"}}, true},
		{"default not used", "StringEquals", "aws:Resource", []string{"arn:aws:s3:::/bucket/${aws:userid, 'anonymous'}"},
			Context{"aws:Resource": {"arn:aws:s3:::/bucket/anonymous"}, "aws:userid": {"AIDA1"}}, false},
		// A substituted value is literal text: a '*' in it is no wildcard.
		{"value is literal", "StringLike", "s3:prefix", []string{"${aws:PrincipalTag/dir}"},
			Context{"s3:prefix": {"abc"}, "aws:PrincipalTag/dir": {"*"}}, false},
		{"${*} is literal", "StringLike", "s3:prefix", []string{"a${*}"}, Context{"s3:prefix": {"abc"}}, false},
		{"${*} matches *", "StringLike", "s3:prefix", []string{"a${*}"}, Context{"s3:prefix": {"a*"}}, true},
		// Missing variable: the value matches nothing, so negated operators hold.
		{"missing var positive", "StringEquals", "s3:prefix", []string{"${aws:username}"}, Context{"s3:prefix": {"x"}}, false},
		{"missing var negated", "StringNotEquals", "s3:prefix", []string{"${aws:username}"}, Context{"s3:prefix": {"x"}}, true},
		// Multivalued keys cannot be policy variables ("Single-valued vs. multivalued context keys").
		{"multivalued var", "StringEquals", "s3:prefix", []string{"${aws:TagKeys}"}, Context{"s3:prefix": {"a"}, "aws:TagKeys": {"a", "b"}}, false},
		// ArnLike with a variable.
		{"arn var", "ArnLike", "aws:SourceArn", []string{"arn:aws:sns:*:${aws:PrincipalAccount}:*"},
			Context{"aws:SourceArn": {"arn:aws:sns:us-east-1:111122223333:t"}, "aws:PrincipalAccount": {"111122223333"}}, true},
		// Bool accepts policy variables (Boolean condition operators).
		{"bool var", "Bool", "aws:SecureTransport", []string{"${aws:PrincipalTag/tls}"},
			Context{"aws:SecureTransport": {"true"}, "aws:PrincipalTag/tls": {"true"}}, true},
		{"bool var not bool", "Bool", "aws:SecureTransport", []string{"${aws:PrincipalTag/tls}"},
			Context{"aws:SecureTransport": {"true"}, "aws:PrincipalTag/tls": {"yes"}}, false},
		// Numeric operators take no variables: "${x}" would be a policy error (see TestConditionErrors).
	})
}

// Documents without Version 2012-10-17 treat ${...} as literal text ("Variables and tags" note).
func TestConditionVariablesOldVersion(t *testing.T) {
	doc, err := ParseDocument(`{"Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
		"Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	st := doc.Statement[0]
	for prefix, want := range map[string]bool{"home/David/x": false, "home/${aws:username}/x": true} {
		got, err := st.Applies(Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b",
			Context: Context{"s3:prefix": {prefix}, "aws:username": {"David"}}})
		if err != nil || got != want {
			t.Errorf("prefix %q: got %v, %v; want %v", prefix, got, err, want)
		}
	}
}

// Bool: "Condition operators", Boolean condition operators example denying S3 when
// aws:SecureTransport is "false".
func TestBool(t *testing.T) {
	runCondCases(t, []condCase{
		{"false", "Bool", "aws:SecureTransport", []string{"false"}, Context{"aws:SecureTransport": {"false"}}, true},
		{"true", "Bool", "aws:SecureTransport", []string{"false"}, Context{"aws:SecureTransport": {"true"}}, false},
		{"case-insensitive", "Bool", "aws:SecureTransport", []string{"false"}, Context{"aws:SecureTransport": {"FALSE"}}, true},
		{"policy case-insensitive", "Bool", "aws:SecureTransport", []string{"False"}, Context{"aws:SecureTransport": {"false"}}, true},
		{"unparsable request", "Bool", "aws:SecureTransport", []string{"false"}, Context{"aws:SecureTransport": {"no"}}, false},
		{"missing", "Bool", "aws:SecureTransport", []string{"false"}, Context{}, false},
		{"BoolIfExists missing", "BoolIfExists", "aws:MultiFactorAuthPresent", []string{"false"}, Context{}, true},
	})
}

// Numeric: NumericLessThan s3:TlsVersion 1.2 (the Amazon S3 "enforce a minimum TLS version"
// bucket policy) and NumericLessThanEquals s3:max-keys 10 ("Condition operators", Numeric).
func TestNumeric(t *testing.T) {
	tls := func(v string) Context { return Context{"s3:TlsVersion": {v}} }
	runCondCases(t, []condCase{
		{"tls 1.1", "NumericLessThan", "s3:TlsVersion", []string{"1.2"}, tls("1.1"), true},
		{"tls 1.3", "NumericLessThan", "s3:TlsVersion", []string{"1.2"}, tls("1.3"), false},
		{"tls 1.2", "NumericLessThan", "s3:TlsVersion", []string{"1.2"}, tls("1.2"), false},
		{"tls 1.20 equals", "NumericEquals", "s3:TlsVersion", []string{"1.2"}, tls("1.20"), true},
		{"tls unparsable", "NumericLessThan", "s3:TlsVersion", []string{"1.2"}, tls("TLSv1"), false},
		{"number from JSON", "NumericLessThan", "s3:TlsVersion", []string{"1.2"}, tls("1.0"), true},
		{"max-keys 10", "NumericLessThanEquals", "s3:max-keys", []string{"10"}, Context{"s3:max-keys": {"10"}}, true},
		{"max-keys 11", "NumericLessThanEquals", "s3:max-keys", []string{"10"}, Context{"s3:max-keys": {"11"}}, false},
		{"greater", "NumericGreaterThan", "k", []string{"10"}, Context{"k": {"10.5"}}, true},
		{"greater equals", "NumericGreaterThanEquals", "k", []string{"10"}, Context{"k": {"10"}}, true},
		{"negative", "NumericLessThan", "k", []string{"-1"}, Context{"k": {"-2"}}, true},
		{"not equals", "NumericNotEquals", "k", []string{"1", "2"}, Context{"k": {"3"}}, true},
		{"not equals match", "NumericNotEquals", "k", []string{"1", "2"}, Context{"k": {"2"}}, false},
		// An unparsable request value matches no policy value, so the negated operator holds.
		{"not equals unparsable", "NumericNotEquals", "k", []string{"1"}, Context{"k": {"one"}}, true},
	})
}

// Date: "Condition operators", Date condition operators (DateGreaterThan aws:TokenIssueTime
// "2020-01-01T00:00:01Z"), and aws:CurrentTime / aws:EpochTime comparisons.
func TestDate(t *testing.T) {
	now := func(v string) Context { return Context{"aws:CurrentTime": {v}} }
	runCondCases(t, []condCase{
		{"token after", "DateGreaterThan", "aws:TokenIssueTime", []string{"2020-01-01T00:00:01Z"},
			Context{"aws:TokenIssueTime": {"2020-06-30T12:00:00Z"}}, true},
		{"token before", "DateGreaterThan", "aws:TokenIssueTime", []string{"2020-01-01T00:00:01Z"},
			Context{"aws:TokenIssueTime": {"2019-12-31T23:59:59Z"}}, false},
		{"current after", "DateGreaterThan", "aws:CurrentTime", []string{"2020-04-01T00:00:00Z"}, now("2020-04-01T00:00:01Z"), true},
		{"current equal", "DateGreaterThan", "aws:CurrentTime", []string{"2020-04-01T00:00:00Z"}, now("2020-04-01T00:00:00Z"), false},
		{"offset", "DateGreaterThan", "aws:CurrentTime", []string{"2020-04-01T00:00:00Z"}, now("2020-04-01T01:00:01+01:00"), true},
		{"date only policy", "DateLessThan", "aws:CurrentTime", []string{"2020-04-01"}, now("2020-03-31T23:59:59Z"), true},
		{"epoch policy", "DateGreaterThanEquals", "aws:CurrentTime", []string{"1585699200"}, now("2020-04-01T00:00:00Z"), true},
		{"epoch request", "DateLessThanEquals", "aws:EpochTime", []string{"2020-04-01T00:00:00Z"}, Context{"aws:EpochTime": {"1585699200"}}, true},
		{"equals", "DateEquals", "aws:CurrentTime", []string{"2020-04-01T02:00:00+02:00"}, now("2020-04-01T00:00:00Z"), true},
		{"not equals", "DateNotEquals", "aws:CurrentTime", []string{"2020-04-01T00:00:00Z"}, now("2020-04-02T00:00:00Z"), true},
		{"fractional seconds", "DateLessThan", "aws:CurrentTime", []string{"2020-04-01T00:00:00.5Z"}, now("2020-04-01T00:00:00.25Z"), true},
		{"unparsable request", "DateGreaterThan", "aws:CurrentTime", []string{"2020-04-01T00:00:00Z"}, now("tomorrow"), false},
	})
}

// IP: "Condition operators", IP address condition operators (aws:SourceIp "203.0.113.0/24",
// and the mixed IPv4/IPv6 list).
func TestIPAddress(t *testing.T) {
	ip := func(v string) Context { return Context{"aws:SourceIp": {v}} }
	mixed := []string{"203.0.113.0/24", "2001:DB8:1234:5678::/64"}
	runCondCases(t, []condCase{
		{"in range", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ip("203.0.113.5"), true},
		{"out of range", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ip("198.51.100.1"), false},
		{"ipv6 in list", "IpAddress", "aws:SourceIp", mixed, ip("2001:db8:1234:5678::1"), true},
		{"ipv6 out", "IpAddress", "aws:SourceIp", mixed, ip("2001:db8:1234:5679::1"), false},
		{"single address is /32", "IpAddress", "aws:SourceIp", []string{"203.0.113.7"}, ip("203.0.113.7"), true},
		{"single address other", "IpAddress", "aws:SourceIp", []string{"203.0.113.7"}, ip("203.0.113.8"), false},
		{"mapped ipv4", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ip("::ffff:203.0.113.9"), true},
		{"not ip in range", "NotIpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ip("203.0.113.5"), false},
		{"not ip out of range", "NotIpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ip("198.51.100.1"), true},
		{"unparsable request", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ip("localhost"), false},
	})
}

// ARN: "Condition operators", Amazon Resource Name (ARN) condition operators.
func TestARN(t *testing.T) {
	src := func(v string) Context { return Context{"aws:SourceArn": {v}} }
	// The AWS example: ArnLike matches field by field, StringLike does not.
	pattern := []string{"arn:aws:someservice:*:111122223333:finance/*"}
	tricky := "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
	runCondCases(t, []condCase{
		{"StringLike crosses fields", "StringLike", "aws:SourceArn", pattern, src(tricky), true},
		{"ArnLike does not", "ArnLike", "aws:SourceArn", pattern, src(tricky), false},
		{"ArnLike match", "ArnLike", "aws:SourceArn", pattern, src("arn:aws:someservice:us-east-2:111122223333:finance/document.txt"), true},
		// ArnEquals aws:SourceArn of an SNS topic (SQS queue policy example).
		{"ArnEquals topic", "ArnEquals", "aws:SourceArn", []string{"arn:aws:sns:us-east-2:123456789012:TOPIC-ID"},
			src("arn:aws:sns:us-east-2:123456789012:TOPIC-ID"), true},
		{"ArnEquals other topic", "ArnEquals", "aws:SourceArn", []string{"arn:aws:sns:us-east-2:123456789012:TOPIC-ID"},
			src("arn:aws:sns:us-east-2:123456789012:OTHER"), false},
		{"ArnEquals wildcards like ArnLike", "ArnEquals", "aws:SourceArn", []string{"arn:aws:sns:*:123456789012:*"},
			src("arn:aws:sns:us-east-2:123456789012:TOPIC-ID"), true},
		{"case-sensitive", "ArnLike", "aws:SourceArn", []string{"arn:aws:sns:*:123456789012:topic-id"},
			src("arn:aws:sns:us-east-2:123456789012:TOPIC-ID"), false},
		{"star", "ArnLike", "aws:SourceArn", []string{"*"}, src("arn:aws:sns:us-east-2:123456789012:T"), true},
		{"request not an ARN", "ArnLike", "aws:SourceArn", []string{"*"}, src("not-an-arn"), false},
		{"ArnNotLike match", "ArnNotLike", "aws:SourceArn", pattern, src("arn:aws:someservice:eu-west-1:111122223333:finance/x"), false},
		{"ArnNotLike other", "ArnNotLike", "aws:SourceArn", pattern, src(tricky), true},
		{"ArnNotEquals", "ArnNotEquals", "aws:SourceArn", []string{"arn:aws:sns:us-east-2:123456789012:A"}, src("arn:aws:sns:us-east-2:123456789012:B"), true},
		{"resource part crosses colons", "ArnLike", "aws:SourceArn", []string{"arn:aws:logs:*:123456789012:log-group:app:*"},
			src("arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:s1"), true},
	})
}

// Binary: "Condition operators", Binary condition operators (BinaryEquals with a base64 value).
func TestBinaryEquals(t *testing.T) {
	runCondCases(t, []condCase{
		{"same bytes", "BinaryEquals", "k", []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, Context{"k": {"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, true},
		{"other bytes", "BinaryEquals", "k", []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, Context{"k": {"b3RoZXI="}}, false},
		{"request not base64", "BinaryEquals", "k", []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, Context{"k": {"%%%"}}, false},
	})
}

// Set operators. The DynamoDB cases reproduce "Creating a condition with multiple keys or values
// (set operations)"; the aws:TagKeys cases reproduce the tables of "Multivalued context key
// examples" (Deny with ForAllValues:StringNotLike "key1*"); the empty-set rule is that page's
// note ("ForAllValues returns true, ForAnyValue returns false").
func TestSetOperators(t *testing.T) {
	allowed := []string{"PostDateTime", "Message", "Tags"}
	attrs := func(v ...string) Context { return Context{"dynamodb:requestedAttributes": v} }
	tags := func(v ...string) Context { return Context{"aws:TagKeys": v} }
	runCondCases(t, []condCase{
		{"ForAllValues all listed", "ForAllValues:StringLike", "dynamodb:requestedAttributes", allowed, attrs("PostDateTime", "Message"), true},
		{"ForAllValues one unlisted", "ForAllValues:StringLike", "dynamodb:requestedAttributes", allowed, attrs("PostDateTime", "UserName"), false},
		{"ForAnyValue one listed", "ForAnyValue:StringLike", "dynamodb:requestedAttributes", []string{"ID", "PostDateTime"}, attrs("UserName", "Message", "PostDateTime"), true},
		{"ForAnyValue none listed", "ForAnyValue:StringLike", "dynamodb:requestedAttributes", []string{"ID", "PostDateTime"}, attrs("UserName"), false},

		{"ForAllValues:StringNotLike key1:legal", "ForAllValues:StringNotLike", "aws:TagKeys", []string{"key1*"}, tags("key1:legal"), false},
		{"ForAllValues:StringNotLike key1:hr key1:personnel", "ForAllValues:StringNotLike", "aws:TagKeys", []string{"key1*"}, tags("key1:hr", "key1:personnel"), false},
		{"ForAllValues:StringNotLike key2:audit", "ForAllValues:StringNotLike", "aws:TagKeys", []string{"key1*"}, tags("key2:audit"), true},
		{"ForAllValues:StringNotLike mixed", "ForAllValues:StringNotLike", "aws:TagKeys", []string{"key1*"}, tags("key1:hr", "key2:audit"), false},
		{"ForAllValues:StringNotLike missing", "ForAllValues:StringNotLike", "aws:TagKeys", []string{"key1*"}, Context{}, true},

		{"ForAllValues missing", "ForAllValues:StringEquals", "aws:TagKeys", []string{"env"}, Context{}, true},
		{"ForAllValues empty", "ForAllValues:StringEquals", "aws:TagKeys", []string{"env"}, tags(), true},
		{"ForAllValues empty string", "ForAllValues:StringEquals", "aws:TagKeys", []string{"env"}, tags(""), true},
		{"ForAnyValue empty string", "ForAnyValue:StringEquals", "aws:TagKeys", []string{""}, tags(""), false},
		{"ForAllValues one", "ForAllValues:StringEquals", "aws:TagKeys", []string{"env", "team"}, tags("env"), true},
		{"ForAllValues several", "ForAllValues:StringEquals", "aws:TagKeys", []string{"env", "team"}, tags("env", "team"), true},
		{"ForAllValues extra", "ForAllValues:StringEquals", "aws:TagKeys", []string{"env", "team"}, tags("env", "cost"), false},
		{"ForAnyValue missing", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"env"}, Context{}, false},
		{"ForAnyValue empty", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"env"}, tags(), false},
		{"ForAnyValue one", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"env"}, tags("env"), true},
		{"ForAnyValue several", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"env"}, tags("cost", "env"), true},
		{"ForAnyValue none", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"env"}, tags("cost", "team"), false},
		{"ForAnyValue negated", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"env"}, tags("env", "team"), true},
		{"ForAnyValue negated all listed", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"env"}, tags("env"), false},
		{"ForAnyValue negated missing", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"env"}, Context{}, false},
		{"ForAnyValue IfExists missing", "ForAnyValue:StringEqualsIfExists", "aws:TagKeys", []string{"env"}, Context{}, true},
		{"prefix case-insensitive", "forallvalues:stringequals", "aws:TagKeys", []string{"env"}, tags("env"), true},
		{"ForAnyValue numeric", "ForAnyValue:NumericGreaterThan", "k", []string{"5"}, Context{"k": {"1", "9"}}, true},
		{"ForAllValues numeric", "ForAllValues:NumericGreaterThan", "k", []string{"5"}, Context{"k": {"1", "9"}}, false},
	})
}

// Single-valued operators given several request values: any request value may match; negated
// operators need every request value to match none of the policy values.
func TestMultipleRequestValuesWithoutSetOperator(t *testing.T) {
	ctx := Context{"k": {"a", "b"}}
	runCondCases(t, []condCase{
		{"equals any", "StringEquals", "k", []string{"b"}, ctx, true},
		{"equals none", "StringEquals", "k", []string{"c"}, ctx, false},
		{"not equals one matches", "StringNotEquals", "k", []string{"b"}, ctx, false},
		{"not equals none match", "StringNotEquals", "k", []string{"c"}, ctx, true},
	})
}

func TestConditionErrors(t *testing.T) {
	cases := []struct {
		op, key string
		values  []string
		want    string
	}{
		{"StringMaybe", "k", []string{"x"}, `Condition: unsupported operator "StringMaybe"`},
		{"ForSomeValues:StringEquals", "k", []string{"x"}, `unsupported operator "ForSomeValues:StringEquals"`},
		{"NullIfExists", "k", []string{"true"}, `unsupported operator "NullIfExists"`},
		{"ForAnyValue:Null", "k", []string{"true"}, `unsupported operator "ForAnyValue:Null"`},
		{"NumericLessThan", "s3:TlsVersion", []string{"1.2.3"}, `NumericLessThan "s3:TlsVersion": policy value "1.2.3" is not a number`},
		{"NumericEquals", "k", []string{"${aws:username}"}, `is not a number`},
		{"NumericEquals", "k", []string{"1e3"}, `is not a number`},
		{"NumericEquals", "k", []string{"NaN"}, `is not a number`},
		{"DateLessThan", "aws:CurrentTime", []string{"next tuesday"}, `is not an ISO 8601 date or epoch time`},
		{"Bool", "aws:SecureTransport", []string{"yes"}, `is not "true" or "false"`},
		{"Null", "k", []string{"maybe"}, `is not "true" or "false"`},
		{"BinaryEquals", "k", []string{"%%%"}, `is not base64`},
		{"IpAddress", "aws:SourceIp", []string{"203.0.113.0/33"}, `is not an IP address or CIDR range`},
		{"ArnLike", "aws:SourceArn", []string{"my-bucket"}, `policy value "my-bucket" is not an ARN`},
		{"StringLike", "s3:prefix", []string{"home/${aws:username"}, `has a malformed variable`},
		{"StringLike", "s3:prefix", []string{"home/${aws:username, anonymous}"}, `has a malformed variable`},
	}
	for _, tc := range cases {
		st := Statement{Sid: "X", Index: 2, Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"},
			Condition: []Condition{{Operator: tc.op, Key: tc.key, Values: tc.values}}}
		// The error does not depend on the request: the action here does not even match.
		for _, action := range []string{"s3:GetObject", ""} {
			ok, err := st.Applies(Request{Action: action, Context: Context{tc.key: {"1"}}})
			if err == nil || ok {
				t.Errorf("%s %q: got %v, %v; want an error", tc.op, tc.values, ok, err)
				continue
			}
			if !strings.HasPrefix(err.Error(), `statement 2 (Sid "X"): Condition: `) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s %q: error %q does not contain %q", tc.op, tc.values, err, tc.want)
			}
		}
	}
	// The exact form of the brief's example.
	st := Statement{Sid: "X", Index: 2, Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"},
		Condition: []Condition{{Operator: "StringMaybe", Key: "k", Values: []string{"v"}}}}
	if _, err := st.Applies(Request{}); err == nil || err.Error() != `statement 2 (Sid "X"): Condition: unsupported operator "StringMaybe"` {
		t.Errorf("got %v", err)
	}
}
