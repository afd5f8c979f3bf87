package webconfig_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
)

// fixture is a file in the shape `cdk deploy --outputs-file` writes, for the dev environment.
var fixture = filepath.Join("..", "..", "test", "testdata", "cdk-outputs.json")

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestOutputsBadInput: a clear line for each problem, naming the stack, the key and where it
// should come from; nothing written.
func TestOutputsBadInput(t *testing.T) {
	good := func() webconfig.Outputs {
		raw := must(os.ReadFile(fixture))
		var o webconfig.Outputs
		_ = json.Unmarshal(raw, &o)
		return o
	}
	for _, c := range []struct {
		name   string
		change func(webconfig.Outputs)
		want   []string
	}{
		{"missing stack", func(o webconfig.Outputs) { delete(o, "gatehouse-dev-server") }, []string{
			`f.json: no stack "gatehouse-dev-server": deploy it (make deploy ENV=<env>) so that its outputs are written`,
		}},
		{"missing key", func(o webconfig.Outputs) { delete(o["gatehouse-dev-auth"], "UserPoolId") }, []string{
			`f.json: stack "gatehouse-dev-auth" has no output "UserPoolId": redeploy it with this version of gatehouse`,
		}},
		{"delivery half deployed", func(o webconfig.Outputs) { delete(o, "gatehouse-dev-delivery") }, []string{
			`f.json: image delivery is half deployed ("gatehouse-dev-uploads" has CdnDomain, "gatehouse-dev-delivery" has no SignerFunctionName): deploy every stack of the environment (make deploy ENV=dev)`,
		}},
		{"api without its token service", func(o webconfig.Outputs) { delete(o["gatehouse-dev-api"], "TokenServiceFunctionName") }, []string{
			`f.json: stack "gatehouse-dev-api" has no output "TokenServiceFunctionName": redeploy it with this version of gatehouse`,
		}},
		{"wrong shapes", func(o webconfig.Outputs) {
			o["gatehouse-dev-auth"]["IdentityPoolId"] = "not-an-id"
			o["gatehouse-dev-server"]["SessionDurationSeconds"] = "7200"
		}, []string{
			`f.json: stack "gatehouse-dev-auth" output "IdentityPoolId" = "not-an-id": must be an identity pool id (<region>:<uuid>)`,
			`f.json: stack "gatehouse-dev-server" output "SessionDurationSeconds" = "7200": must be a whole number of seconds (role chaining caps sessions at one hour) from 900 to 3600`,
		}},
	} {
		o := good()
		c.change(o)
		_, err := webconfig.Generate("f.json", o, "dev")
		var werr *webconfig.Error
		if !errors.As(err, &werr) || !slices.Equal(werr.Problems, c.want) {
			t.Errorf("%s: got %v\nwant %s", c.name, err, strings.Join(c.want, "\n"))
		}
	}

}
