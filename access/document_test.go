package access

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const docParseSample = `{
	"Version": "2012-10-17",
	"Id": "sample",
	"Statement": [
		{
			"Sid": "Public",
			"Effect": "Allow",
			"Principal": "*",
			"Action": "s3:GetObject",
			"Resource": "arn:aws:s3:::bucket/*",
			"Condition": {
				"StringLike": {"s3:prefix": ["protected/X/", "protected/X/*"]},
				"NumericLessThan": {"s3:TlsVersion": 1.2},
				"Bool": {"aws:SecureTransport": true},
				"IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
				"NumericLessThanEquals": {"s3:max-keys": 10, "aaa:first": "1"}
			}
		},
		{
			"Effect": "Deny",
			"NotPrincipal": {"AWS": ["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/admin"], "Service": "ecs-tasks.amazonaws.com"},
			"NotAction": ["iam:*", "sts:*"],
			"NotResource": "arn:aws:s3:::bucket/public/*"
		}
	]
}`

func TestParseDocument(t *testing.T) {
	want := Document{
		Version: "2012-10-17",
		Statement: []Statement{
			{
				Sid:       "Public",
				Effect:    "Allow",
				Principal: map[string][]string{"*": {"*"}},
				Action:    []string{"s3:GetObject"},
				Resource:  []string{"arn:aws:s3:::bucket/*"},
				Condition: []Condition{
					{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}},
					{Operator: "IpAddress", Key: "aws:SourceIp", Values: []string{"203.0.113.0/24"}},
					{Operator: "NumericLessThan", Key: "s3:TlsVersion", Values: []string{"1.2"}},
					{Operator: "NumericLessThanEquals", Key: "aaa:first", Values: []string{"1"}},
					{Operator: "NumericLessThanEquals", Key: "s3:max-keys", Values: []string{"10"}},
					{Operator: "StringLike", Key: "s3:prefix", Values: []string{"protected/X/", "protected/X/*"}},
				},
				Index: 0,
			},
			{
				Effect: "Deny",
				NotPrincipal: map[string][]string{
					"AWS":     {"arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/admin"},
					"Service": {"ecs-tasks.amazonaws.com"},
				},
				NotAction:   []string{"iam:*", "sts:*"},
				NotResource: []string{"arn:aws:s3:::bucket/public/*"},
				Index:       1,
			},
		},
	}
	var decoded any
	if err := json.Unmarshal([]byte(docParseSample), &decoded); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]any{
		"string":          docParseSample,
		"bytes":           []byte(docParseSample),
		"raw message":     json.RawMessage(docParseSample),
		"decoded any":     decoded,
		"decoded map":     decoded.(map[string]any),
		"pointer to data": &decoded,
	}
	for name, in := range inputs {
		got, err := ParseDocument(in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

// Numbers and booleans in condition values keep their JSON text: 1.2 stays "1.2" (not
// "1.2000000000000002"), large integers are not printed in exponent form.
func TestParseDocumentConditionScalars(t *testing.T) {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": map[string]any{
			"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
			"Condition": map[string]any{
				"NumericEquals": map[string]any{"k": []any{1.2, float64(123456789012), 0.1}},
				"Bool":          map[string]any{"b": false},
			},
		},
	}
	d, err := ParseDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	got := d.Statement[0].Condition
	want := []Condition{
		{Operator: "Bool", Key: "b", Values: []string{"false"}},
		{Operator: "NumericEquals", Key: "k", Values: []string{"1.2", "123456789012", "0.1"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// The parsed statements evaluate as expected end to end.
func TestParseDocumentThenApplies(t *testing.T) {
	d, err := ParseDocument(docParseSample)
	if err != nil {
		t.Fatal(err)
	}
	ctx := Context{"s3:prefix": {"protected/X/a"}, "s3:TlsVersion": {"1.1"}, "aws:SecureTransport": {"true"},
		"aws:SourceIp": {"203.0.113.9"}, "s3:max-keys": {"5"}, "aaa:first": {"0"}}
	ok, err := d.Statement[0].Applies(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/protected/X/a", Context: ctx})
	if err != nil || !ok {
		t.Errorf("statement 0: got %v, %v; want true", ok, err)
	}
	ctx["s3:TlsVersion"] = []string{"1.3"}
	ok, err = d.Statement[0].Applies(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/protected/X/a", Context: ctx})
	if err != nil || ok {
		t.Errorf("statement 0 with TLS 1.3: got %v, %v; want false", ok, err)
	}
	ok, err = d.Statement[1].Applies(Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::bucket/private/a"})
	if err != nil || !ok {
		t.Errorf("statement 1: got %v, %v; want true", ok, err)
	}
}

func TestParseDocumentErrors(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"missing Effect", `{"Version": "2012-10-17", "Statement": [{"Sid": "NoEffect", "Action": "s3:*", "Resource": "*"}]}`,
			`statement 0 (Sid "NoEffect"): Effect: missing`},
		{"bad Effect", `{"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "allow", "Action": "*"}]}`,
			`statement 1: Effect: must be "Allow" or "Deny", got "allow"`},
		{"Effect not a string", `{"Statement": {"Effect": true, "Action": "*"}}`, `Effect: must be "Allow" or "Deny", got true`},
		{"no Action", `{"Statement": {"Effect": "Allow", "Resource": "*"}}`, `statement 0: Action: missing`},
		{"Action and NotAction", `{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "iam:*"}}`, `Action and NotAction cannot both be present`},
		{"Resource and NotResource", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}}`, `Resource and NotResource`},
		{"Principal and NotPrincipal", `{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*", "NotPrincipal": "*"}}`, `Principal and NotPrincipal`},
		{"empty Action list", `{"Statement": {"Effect": "Allow", "Action": []}}`, `Action: empty list`},
		{"Action number", `{"Statement": {"Effect": "Allow", "Action": [1]}}`, `Action: list items must be strings, got a number`},
		{"Principal string", `{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "arn:aws:iam::1:root"}}`, `Principal: must be "*" or an object`},
		{"Principal value", `{"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"AWS": {"x": 1}}}}`, `Principal.AWS: must be a string or a list`},
		{"Condition not object", `{"Statement": {"Effect": "Allow", "Action": "*", "Condition": []}}`, `Condition: must be an object`},
		{"Condition keys not object", `{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"Bool": "true"}}}`, `Condition: Bool: must be an object of condition keys`},
		{"Condition null value", `{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"Null": {"k": null}}}}`, `Condition: Null "k": values must be strings, numbers or booleans, got null`},
		{"unknown element", `{"Statement": {"Effect": "Allow", "Action": "*", "Resources": "*"}}`, `statement 0: Resources: unknown element`},
		{"unknown top element", `{"Statement": [], "Extra": 1}`, `unknown element "Extra"`},
		{"bad Version", `{"Version": "2012-10-18", "Statement": []}`, `Version: must be "2012-10-17" or "2008-10-17", got "2012-10-18"`},
		{"no Statement", `{"Version": "2012-10-17"}`, `Statement: missing`},
		{"Statement string", `{"Statement": "x"}`, `Statement: must be an object or a list`},
		{"statement not object", `{"Statement": ["x"]}`, `statement 0: must be an object`},
		{"not an object", `[]`, `must be a JSON object`},
		{"invalid JSON", `{"Statement": `, `invalid JSON`},
		{"trailing data", `{"Statement": []} {}`, `data after the document`},
	}
	for _, tc := range cases {
		_, err := ParseDocument(tc.doc)
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.name, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not contain %q", tc.name, err, tc.want)
		}
	}
	if _, err := ParseDocument(make(chan int)); err == nil {
		t.Error("ParseDocument(chan) succeeded")
	}
}

// Condition operators and values are checked by Applies, not by ParseDocument.
func TestParseDocumentKeepsUnknownOperatorForApplies(t *testing.T) {
	d, err := ParseDocument(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
		{"Sid": "X", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringMaybe": {"k": "v"}}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Statement[1].Applies(Request{Action: "s3:GetObject"})
	if err == nil || err.Error() != `statement 1 (Sid "X"): Condition: unsupported operator "StringMaybe"` {
		t.Errorf("got %v", err)
	}
}
