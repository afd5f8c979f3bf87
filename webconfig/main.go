package webconfig

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// Main is the `make outputs` command (bin/outputs): it parses args, writes the files and returns
// the exit status, printing one line per problem on stderr and writing nothing on failure.
func Main(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("outputs", flag.ContinueOnError)
	flags.SetOutput(stderr)
	env := flags.String("env", "dev", "environment whose stacks to read")
	outputsFile := flags.String("outputs-file", "cdk-outputs.json", "the file `cdk deploy --outputs-file` wrote")
	outDir := flags.String("out-dir", ".", "where to write amplify_outputs.json and .env.local")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	outputs, err := ReadOutputs(*outputsFile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	files, err := Generate(*outputsFile, outputs, *env)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if info, err := os.Stat(*outDir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "-out-dir %s is not a directory\n", *outDir)
		return 1
	}
	if err := files.Write(*outDir); err != nil {
		fmt.Fprintln(stderr, "writing the configuration:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s/amplify_outputs.json and %s/.env.local for %s\n", *outDir, *outDir, *env)
	return 0
}
