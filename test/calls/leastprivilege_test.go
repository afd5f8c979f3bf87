package calls

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// scenarios drive each kind of asset function (the code of functions/<kind>) through its
// documented operations and refusals. A function of the assembly whose kind has none fails
// the test: its calls would go unproven.
var scenarios = map[string]bool{"items": true, "tokens": true, "authorizer": true, "api": true, "signer": true}

// TestLeastPrivilege runs every asset function of the assembly through its scenarios, then
// proves least privilege both ways on what they called: every call is allowed by the calling
// function's role, and every grant of each function's role is used by a call or reasoned
// (runtimeGrants). Then it proves the checker catches a grant removed, a grant added and an
// index renamed.
func TestLeastPrivilege(t *testing.T) {
	a, err := loadApp()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.functions {
		if !scenarios[f.kind] {
			t.Errorf("%s: no scenario drives functions/%s: add one (scenarios), so that its calls are recorded and checked", f.label(), f.kind)
		}
	}
	h := startHarness(t, a)
	t.Run("functions", func(t *testing.T) {
		// The signer touches no table: it runs beside the table scenarios, which run in order
		// (the identity proof reads both tables whole).
		t.Run("signer", func(t *testing.T) {
			t.Parallel()
			signerOperations(t, h)
		})
		t.Run("tables", func(t *testing.T) {
			t.Parallel()
			t.Run("whose data: the identity check", func(t *testing.T) { identityProof(t, h) })
			t.Run("items", func(t *testing.T) { itemsOperations(t, h) })
			t.Run("tokens", func(t *testing.T) { tokenOperations(t, h) })
			t.Run("token API", func(t *testing.T) { tokenAPI(t, h) })
		})
	})
	calls := h.front.recorded()
	for _, f := range a.functions {
		if !slices.ContainsFunc(calls, func(c *call) bool { return c.fn == f }) {
			t.Errorf("%s made no AWS call in its scenarios: nothing proves its role", f.label())
		}
	}
	r := check(a, calls)
	t.Run("every call is allowed by its function's role", func(t *testing.T) {
		for _, line := range r.denied {
			t.Error(line)
		}
	})
	t.Run("every grant of a function's role is used by its code, or reasoned", func(t *testing.T) {
		for _, line := range r.unused {
			t.Error(line)
		}
		t.Logf("%d grants no call used are kept, each for a reason of runtimeGrants (build/calls-test.log's summary lists them)", len(r.reasoned))
	})
	t.Run("every call fits the resources the templates define", func(t *testing.T) {
		for _, line := range slices.Concat(r.problems, r.shapes) {
			t.Error(line)
		}
		// Anything but an AWS API goes through Cognito's stand-in, which serves the user
		// pool's keys alone.
		if _, _, refused, _ := h.cognito.stats(); len(refused) > 0 {
			t.Errorf("the functions tried to reach what no stand-in serves (the proxy serves only the user pool's JWKS): %v", refused)
		}
	})
	t.Logf("%d calls of %d functions recorded and checked", len(calls), len(a.functions))
	writeSummary(t, r.summary(a, calls))
	t.Run("the checker catches", func(t *testing.T) { mutations(t, calls) })
}

// writeSummary leaves the per-function table beside the log (make test-calls prints it).
func writeSummary(t *testing.T, table string) {
	dir := os.Getenv("CALLS_SUMMARY_DIR")
	if dir == "" {
		t.Log("\n" + table)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "calls-summary.md"), []byte(table), 0o644); err != nil {
		t.Error(err)
	}
}

// flushPathOf is the authorizer cache the token service flushes (its TOKEN_API_ID and
// TOKEN_API_STAGE), which must be a stage of the assembly.
func flushPathOf(t testing.TB, h *harness, tokens *function) string {
	t.Helper()
	stage := "/restapis/" + tokens.env[limits.EnvTokenAPIID] + "/stages/" + tokens.env[limits.EnvTokenAPIStage]
	if h.app.stages[stage] == nil {
		t.Fatalf("the token service would flush %s, the cache of no stage of the assembly (stages: %v)", stage, slices.Sorted(maps.Keys(h.app.stages)))
	}
	return stage + "/cache/authorizers"
}

// hashKeyOf is a table's partition key, from its template.
func hashKeyOf(tb *table) string {
	var p tableProperties
	raw, _ := json.Marshal(tb.properties)
	_ = json.Unmarshal(raw, &p)
	return p.hashKey()
}

// redacted is a payload without its tokens, for labels.
func redacted(payload map[string]any) map[string]any {
	out := maps.Clone(payload)
	for _, k := range []string{"idToken", "token"} {
		if v, ok := out[k].(string); ok && v != "" {
			out[k] = "…"
		}
	}
	return out
}

func compactJSON(v any) string {
	raw, _ := json.Marshal(v)
	return strings.TrimSpace(string(raw))
}
