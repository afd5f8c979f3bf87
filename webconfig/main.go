package webconfig

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/gatehouse-cdk/gatehouse/config"
)

// DotenvNames are the files the Next.js server's configuration may be written to: .env.local
// (make outputs, a developer's machine) or .env.production (a hosted build, which Amplify's
// SSR runtime reads).
var DotenvNames = []string{".env.local", ".env.production"}

// StackReader reads the outputs of stacks in region from CloudFormation; source labels them in
// messages. bin/outputs passes the AWS SDK's; tests pass a fake.
type StackReader func(region, source string, stacks []string) (Outputs, error)

// Main is the `make outputs` command (bin/outputs): it parses args, writes the files and returns
// the exit status, printing one line per problem on stderr and writing nothing on failure.
func Main(args []string, stdout, stderr io.Writer, readStacks StackReader) int {
	flags := flag.NewFlagSet("outputs", flag.ContinueOnError)
	flags.SetOutput(stderr)
	env := flags.String("env", "dev", "environment whose stacks to read")
	outputsFile := flags.String("outputs-file", "cdk-outputs.json", "the file `cdk deploy --outputs-file` wrote")
	fromStacks := flags.Bool("from-stacks", false, "read the outputs from the deployed stacks (CloudFormation DescribeStacks, in the environment's region from -cdk-json) instead of -outputs-file: what a hosted build does")
	cdkJSON := flags.String("cdk-json", "cdk.json", "the app's cdk.json, whose environments say where -from-stacks reads")
	outDir := flags.String("out-dir", ".", "where to write amplify_outputs.json and the server's env file")
	dotenv := flags.String("dotenv", DotenvNames[0], "the server's env file: .env.local, or .env.production in a hosted build")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q: every setting is a flag (-h lists them)\n", flags.Arg(0))
		return 2
	}
	if !slices.Contains(DotenvNames, *dotenv) {
		fmt.Fprintf(stderr, "-dotenv %s: must be one of %v\n", *dotenv, DotenvNames)
		return 2
	}
	if info, err := os.Stat(*outDir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "-out-dir %s is not a directory\n", *outDir)
		return 1
	}
	source := *outputsFile
	var deployed Outputs
	var err error
	if *fromStacks {
		var environment config.Environment
		environment, err = config.FromFile(*cdkJSON, *env)
		if err == nil {
			source = fmt.Sprintf("CloudFormation %s", environment.Region)
			deployed, err = readStacks(environment.Region, source, SourceStacks(*env))
		}
	} else {
		deployed, err = ReadOutputs(*outputsFile)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	files, err := Generate(source, deployed, *env)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err := files.Write(*outDir, *dotenv); err != nil {
		fmt.Fprintln(stderr, "writing the configuration:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s and %s for %s from %s\n", filepath.Join(*outDir, "amplify_outputs.json"), filepath.Join(*outDir, *dotenv), *env, source)
	return 0
}
