// Command access-report prints who can do what in one environment of the synthesized reference
// app: every row of its access matrix, verdict first, with the decision the synthesized policies
// give and the statement that decided it. It exits 1 if a decision differs from the one
// gatehouse promises. -format md or tsv prints the same rows as a Markdown table or tab-separated
// values (every value in full); the default, text, fits a terminal. With -diagram it also writes
// the decisions as a picture (a Mermaid flowchart in Markdown, matrix.Diagram). With -pipeline,
// over the pipeline's assembly (make pipeline), it adds the deploy path's rows (matrix.Deploy):
// the bootstrap's execution role and every role of the pipeline, in the pipeline's account.
//
//	go run ./proof/cmd/access-report -env dev -assembly cdk.out -diagram docs/diagrams/access-dev.md
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/proof/matrix"
)

func main() {
	env := flag.String("env", "dev", "environment (a stage of the assembly)")
	assembly := flag.String("assembly", "cdk.out", "cloud assembly directory (make synth writes cdk.out)")
	cdkJSON := flag.String("cdk-json", "cdk.json", "the app's cdk.json: the environment's configuration says who may do what")
	format := flag.String("format", "text", "text (for a terminal), md (a Markdown table) or tsv (tab-separated values)")
	diagram := flag.String("diagram", "", "also write the decisions as a Mermaid diagram (Markdown) to this file")
	pipeline := flag.Bool("pipeline", false, "also the deploy path's rows (the assembly must be the pipeline's: make pipeline)")
	flag.Parse()
	os.Exit(run(os.Stdout, os.Stderr, options{*assembly, *cdkJSON, *env, *format, *diagram, *pipeline}))
}

type options struct {
	assembly, cdkJSON, env, format, diagram string
	pipeline                                bool
}

// line is one row as printed.
type line struct{ verdict, who, action, resource, by string }

func run(stdout, stderr io.Writer, o options) int {
	if o.format != "text" && o.format != "md" && o.format != "tsv" {
		fmt.Fprintf(stderr, "access-report: -format %q: must be text, md or tsv\n", o.format)
		return 2
	}
	cfg, err := config.FromFile(o.cdkJSON, o.env)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	m, err := access.LoadModel(o.assembly)
	if err != nil {
		fmt.Fprintln(stderr, "access-report:", err)
		return 1
	}
	rows, err := matrix.Reference(m, o.env, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "access-report:", err)
		return 1
	}
	pictured := len(rows) // the picture is the environment's
	if o.pipeline {
		context, err := config.ContextFromFile(o.cdkJSON)
		var p config.Pipeline
		if err == nil {
			p, _, err = config.PipelineFromContext(filepath.Dir(o.cdkJSON), context[config.PipelineKey], context["environments"])
		}
		var deploy []matrix.Row
		if err == nil {
			deploy, err = matrix.Deploy(m, o.env, p.Account, p.Region)
		}
		if err != nil {
			fmt.Fprintln(stderr, "access-report:", err)
			return 1
		}
		rows = append(rows, deploy...)
	}
	mismatches := 0
	decisions := make([]access.Decision, len(rows))
	lines := make([]line, len(rows))
	for i, r := range rows {
		result, err := r.Evaluate(m)
		if err != nil {
			fmt.Fprintln(stderr, "access-report:", err)
			return 1
		}
		decisions[i] = result.Decision
		verdict := verdictOf(result.Decision)
		if result.Decision != r.Expect {
			verdict = "WRONG: " + verdict + ", promised " + verdictOf(r.Expect)
			mismatches++
		}
		by := result.Reason
		if f := result.Deciding; f != nil {
			by = decidedBy(*f)
		}
		lines[i] = line{verdict, r.Who, r.Action, r.Resource, by}
	}
	switch o.format {
	case "md":
		fmt.Fprintln(stdout, "| verdict | principal | action | resource | decided by |\n|---|---|---|---|---|")
		cell := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;")
		for _, l := range lines {
			fmt.Fprintf(stdout, "| %s | %s | `%s` | %s | %s |\n", l.verdict, cell.Replace(l.who), l.action, cell.Replace(l.resource), cell.Replace(l.by))
		}
	case "tsv":
		fmt.Fprintln(stdout, "verdict\tprincipal\taction\tresource\tdecided by")
		for _, l := range lines {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", l.verdict, l.who, l.action, l.resource, l.by)
		}
	default:
		w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "VERDICT\tPRINCIPAL\tACTION\tRESOURCE\tDECIDED BY")
		for _, l := range lines {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", l.verdict, shorten(l.who, 28), l.action, shorten(l.resource, 48), shorten(l.by, 80))
		}
		w.Flush()
	}
	if o.format == "text" {
		fmt.Fprintf(stdout, "\n%d requests, %d as promised, %d not (-format md or tsv: every value in full)\n", len(rows), len(rows)-mismatches, mismatches)
	}
	if o.diagram != "" {
		if err := os.WriteFile(o.diagram, []byte(matrix.DiagramPage(o.env, rows[:pictured], decisions[:pictured])), 0o644); err != nil {
			fmt.Fprintln(stderr, "access-report:", err)
			return 1
		}
		fmt.Fprintln(stderr, "the picture:", o.diagram)
	}
	if mismatches > 0 {
		fmt.Fprintf(stderr, "access-report: %d decisions differ from what gatehouse promises (WRONG)\n", mismatches)
		return 1
	}
	return 0
}

// verdictOf is a decision as a reader says it.
func verdictOf(d access.Decision) string {
	switch d {
	case access.Allow:
		return "allow"
	case access.ExplicitDeny:
		return "deny (explicit)"
	case access.ImplicitDeny:
		return "deny"
	}
	return strings.ToLower(string(d))
}

// decidedBy names the deciding statement by its policy's construct path (or stack and logical
// id): "Allow WriteTokens in dev/API/TokenApi/TokenService/Role/DefaultPolicy".
func decidedBy(f access.Finding) string {
	id := f.Sid
	if id == "" {
		id = fmt.Sprintf("statement %d", f.Index)
	}
	where := strings.TrimSuffix(f.Policy.Path, "/Resource")
	if where == "" {
		where = f.Policy.Stack + " " + f.Policy.LogicalID
	}
	if f.Policy.Name == "AssumeRolePolicyDocument" {
		where += " (trust)"
	}
	return f.Effect + " " + id + " in " + where
}

// shorten keeps s within n characters, eliding its middle.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	half := (n - 1) / 2
	return string(r[:half]) + "…" + string(r[len(r)-(n-1-half):])
}
