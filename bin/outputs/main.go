// Command outputs writes the web app's configuration from a deploy's outputs file:
// amplify_outputs.json (Amplify JS / Amplify UI) and .env.local (the Next.js server).
//
//	go run ./bin/outputs -env dev -outputs-file cdk-outputs.json -out-dir .
//
// On any problem it prints one line per problem, exits 1 and writes nothing.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gatehouse-cdk/gatehouse/webconfig"
)

func main() {
	env := flag.String("env", "dev", "environment whose stacks to read")
	outputsFile := flag.String("outputs-file", "cdk-outputs.json", "the file `cdk deploy --outputs-file` wrote")
	outDir := flag.String("out-dir", ".", "where to write amplify_outputs.json and .env.local")
	flag.Parse()
	os.Exit(run(os.Stdout, os.Stderr, *env, *outputsFile, *outDir))
}

func run(stdout, stderr io.Writer, env, outputsFile, outDir string) int {
	outputs, err := webconfig.ReadOutputs(outputsFile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	files, err := webconfig.Generate(outputsFile, outputs, env)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if info, err := os.Stat(outDir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "-out-dir %s is not a directory\n", outDir)
		return 1
	}
	if err := files.Write(outDir); err != nil {
		fmt.Fprintln(stderr, "writing the configuration:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s/amplify_outputs.json and %s/.env.local for %s\n", outDir, outDir, env)
	return 0
}
