// Command access-report prints who can do what in one environment of the synthesized reference
// app: every row of its access matrix, with the decision the synthesized policies give and the
// statement that decided it. It exits 1 if a decision differs from the one gatehouse promises.
// With -diagram it also writes the decisions as a picture (a Mermaid flowchart in Markdown,
// matrix.Diagram).
//
//	go run ./bin/access-report -env dev -assembly cdk.out -diagram docs/diagrams/access-dev.md
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/config"
	"github.com/gatehouse-cdk/gatehouse/matrix"
)

func main() {
	env := flag.String("env", "dev", "environment (a stage of the assembly)")
	assembly := flag.String("assembly", "cdk.out", "cloud assembly directory (run `make synth` first)")
	cdkJSON := flag.String("cdk-json", "cdk.json", "the app's cdk.json: the environment's configuration says who may do what")
	diagram := flag.String("diagram", "", "also write the decisions as a Mermaid diagram (Markdown) to this file")
	flag.Parse()
	os.Exit(run(os.Stdout, os.Stderr, *assembly, *cdkJSON, *env, *diagram))
}

func run(stdout, stderr io.Writer, assembly, cdkJSON, env, diagram string) int {
	cfg, err := config.FromFile(cdkJSON, env)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	m, err := access.LoadModel(assembly)
	if err != nil {
		fmt.Fprintln(stderr, "access-report:", err)
		return 1
	}
	rows, err := matrix.Reference(m, env, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "access-report:", err)
		return 1
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "PRINCIPAL\tACTION\tRESOURCE\tDECISION\tDECIDED BY")
	mismatches := 0
	decisions := make([]access.Decision, len(rows))
	for i, r := range rows {
		result, err := r.Evaluate(m)
		if err != nil {
			fmt.Fprintln(stderr, "access-report:", err)
			return 1
		}
		decisions[i] = result.Decision
		decision := string(result.Decision)
		if result.Decision != r.Expect {
			decision += " (EXPECTED " + string(r.Expect) + ")"
			mismatches++
		}
		by := "-"
		if result.Deciding != nil {
			by = result.Deciding.String()
		} else if result.Reason != "" {
			by = result.Reason
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Who, r.Action, r.Resource, decision, by)
	}
	w.Flush()
	fmt.Fprintf(stdout, "\n%d requests, %d as expected, %d not\n", len(rows), len(rows)-mismatches, mismatches)
	if diagram != "" {
		if err := os.WriteFile(diagram, []byte(matrix.DiagramPage(env, rows, decisions)), 0o644); err != nil {
			fmt.Fprintln(stderr, "access-report:", err)
			return 1
		}
		fmt.Fprintln(stdout, "the picture:", diagram)
	}
	if mismatches > 0 {
		return 1
	}
	return 0
}
