package payload_test

import (
	"slices"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/payload"
)

func TestCheckKeys(t *testing.T) {
	known := func(k string) bool { return slices.Contains([]string{"action", "idToken", "owner"}, k) }
	for _, c := range []struct {
		json    string
		key     string
		problem payload.Problem
	}{
		{`{"action": "list", "idToken": "t"}`, "", payload.OK},
		{`{}`, "", payload.OK},
		{`{"action": "list", "action": "issue"}`, "action", payload.Repeated},
		{`{"Action": "list"}`, "Action", payload.Unknown},
		{`{"OWNER": "b"}`, "OWNER", payload.Unknown},
		{`{"action": {"action": 1, "x": 2}}`, "", payload.OK}, // only the top level
		{`null`, "", payload.NotObject},
		{`[1]`, "", payload.NotObject},
		{`{"action": `, "", payload.NotObject},
	} {
		key, problem := payload.CheckKeys([]byte(c.json), known)
		if key != c.key || problem != c.problem {
			t.Errorf("%s: %q %v, want %q %v", c.json, key, problem, c.key, c.problem)
		}
	}
}
