// Command stacks lists what a synthesis wrote: every stack of a cloud assembly with its
// CloudFormation name and the account and region it deploys to. `make synth` ends with it.
//
//	go run ./app/cmd/stacks -assembly cdk.out -env dev
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/gatehouse-cdk/gatehouse/access"
)

func main() {
	assembly := flag.String("assembly", "cdk.out", "cloud assembly directory")
	env := flag.String("env", "", "the environment synthesized, for the deploy hint (optional)")
	flag.Parse()
	os.Exit(run(os.Stdout, os.Stderr, *assembly, *env))
}

func run(stdout, stderr io.Writer, assembly, env string) int {
	stacks, err := access.LoadAssembly(assembly)
	if err != nil {
		fmt.Fprintln(stderr, "stacks:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d stacks in %s:\n", len(stacks), assembly)
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "  STACK\tCLOUDFORMATION NAME\tACCOUNT\tREGION")
	for _, s := range stacks {
		account := s.Account
		if account == "" {
			account = "the CLI's (--profile)"
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", s.Path, s.Name, account, s.Region)
	}
	w.Flush()
	if env != "" {
		fmt.Fprintf(stdout, "Deploy with: make deploy ENV=%s PROFILE=<your profile>  (or: npx cdk deploy -c env=%s '%s/*')\n", env, env, env)
	}
	return 0
}
