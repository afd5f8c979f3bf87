// Command web-config writes the web app's configuration from a deploy's stack outputs:
// amplify_outputs.json (Amplify JS / Amplify UI) and .env.local (the Next.js server).
//
//	go run ./app/cmd/web-config -env dev -outputs-file cdk-outputs.json -out-dir .
//
// A hosted build, which has no outputs file, reads the deployed stacks instead (with the
// Amplify build role, which may DescribeStacks exactly those):
//
//	go run ./app/cmd/web-config -env dev -from-stacks -out-dir web -dotenv .env.production
//
// On any problem it prints one line per problem, exits 1 and writes nothing.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
	"github.com/gatehouse-cdk/gatehouse/internal/stackoutputs"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, readStacks))
}

// readStacks reads the stacks' outputs with the default credentials (in a hosted build, the
// build role's).
func readStacks(region, source string, stacks []string) (webconfig.Outputs, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("%s: AWS credentials: %v", source, err)
	}
	return stackoutputs.Read(ctx, cloudformation.NewFromConfig(cfg), source, stacks)
}

// dotenvNames are the files the Next.js server's configuration may be written to: .env.local
// (make web-config, a developer's machine) or .env.production (a hosted build, which Amplify's
// SSR runtime reads).
var dotenvNames = []string{".env.local", ".env.production"}

// stackReader reads the outputs of stacks in region from CloudFormation; source labels them in
// messages. main passes the AWS SDK's (readStacks); tests pass fakes.
type stackReader func(region, source string, stacks []string) (webconfig.Outputs, error)

// run is the command: it parses args, writes the files and returns the exit status, printing one
// line per problem on stderr and writing nothing on failure.
func run(args []string, stdout, stderr io.Writer, readStacks stackReader) int {
	flags := flag.NewFlagSet("web-config", flag.ContinueOnError)
	flags.SetOutput(stderr)
	env := flags.String("env", "dev", "environment whose stacks to read")
	outputsFile := flags.String("outputs-file", "cdk-outputs.json", "the file `cdk deploy --outputs-file` wrote")
	fromStacks := flags.Bool("from-stacks", false, "read the outputs from the deployed stacks (CloudFormation DescribeStacks, in the environment's region from -cdk-json) instead of -outputs-file: what a hosted build does")
	cdkJSON := flags.String("cdk-json", "cdk.json", "the app's cdk.json, whose environments say where -from-stacks reads")
	outDir := flags.String("out-dir", ".", "where to write amplify_outputs.json and the server's env file")
	dotenv := flags.String("dotenv", dotenvNames[0], "the server's env file: .env.local, or .env.production in a hosted build")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q: every setting is a flag (-h lists them)\n", flags.Arg(0))
		return 2
	}
	if !slices.Contains(dotenvNames, *dotenv) {
		fmt.Fprintf(stderr, "-dotenv %s: must be one of %v\n", *dotenv, dotenvNames)
		return 2
	}
	if info, err := os.Stat(*outDir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "-out-dir %s is not a directory\n", *outDir)
		return 1
	}
	source := *outputsFile
	var deployed webconfig.Outputs
	var err error
	if *fromStacks {
		var environment config.Environment
		environment, err = config.FromFile(*cdkJSON, *env)
		if err == nil {
			source = fmt.Sprintf("CloudFormation %s", environment.Region)
			deployed, err = readStacks(environment.Region, source, webconfig.SourceStacks(*env))
		}
	} else {
		deployed, err = webconfig.ReadOutputs(*outputsFile)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	files, err := webconfig.Generate(source, deployed, *env)
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
