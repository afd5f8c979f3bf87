package calls

import (
	"net/http"
	"strings"
	"testing"
)

// TestFrontAttributesEveryCall: a call signed with a key that is not the function's whose
// prefix it was sent to, an unsigned call of an API that needs credentials, and a call to a
// service no stand-in serves are each reported, so no call is counted for the wrong function or
// silently dropped.
func TestFrontAttributesEveryCall(t *testing.T) {
	t.Parallel()
	a, err := loadApp()
	if err != nil {
		t.Fatal(err)
	}
	if len(a.functions) < 2 {
		t.Fatal("the test needs two functions")
	}
	one, other := a.functions[0], a.functions[1]
	fr := newFront(a, "http://127.0.0.1:1", &secretsStandIn{}, http.NotFoundHandler())
	defer fr.close()
	send := func(path, key, service, target string) {
		req, _ := http.NewRequest(http.MethodPost, fr.url+path, strings.NewReader(`{"SecretId": "x"}`))
		if key != "" {
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20260101/"+one.region+"/"+service+"/aws4_request, SignedHeaders=host, Signature=00")
		}
		req.Header.Set("X-Amz-Target", target)
		resp, err := loopback.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	send(one.prefix+"/", other.accessKey, "secretsmanager", "secretsmanager.GetSecretValue")
	send(one.prefix+"/", "", "", "secretsmanager.GetSecretValue")
	send(one.prefix+"/", one.accessKey, "sqs", "AmazonSQS.SendMessage")
	send("/nobody/", one.accessKey, "secretsmanager", "secretsmanager.GetSecretValue")
	r := check(a, fr.recorded())
	for _, want := range []string{
		"signed with access key " + other.accessKey + ", which is not the key of the function",
		"an unsigned POST / of no API this harness knows needs no credentials",
		`no stand-in serves POST / (service "sqs")`,
		"has no function's path prefix",
	} {
		if !strings.Contains(strings.Join(r.problems, "\n"), want) {
			t.Errorf("no problem says %q; the checker reported:\n  %s", want, strings.Join(r.problems, "\n  "))
		}
	}
}
