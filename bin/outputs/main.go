// Command outputs writes the web app's configuration from a deploy's outputs:
// amplify_outputs.json (Amplify JS / Amplify UI) and .env.local (the Next.js server).
//
//	go run ./bin/outputs -env dev -outputs-file cdk-outputs.json -out-dir .
//
// A hosted build, which has no outputs file, reads the deployed stacks instead (with the
// Amplify build role, which may DescribeStacks exactly those):
//
//	go run ./bin/outputs -env dev -from-stacks -out-dir web -dotenv .env.production
//
// On any problem it prints one line per problem, exits 1 and writes nothing.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/gatehouse-cdk/gatehouse/internal/stackoutputs"
	"github.com/gatehouse-cdk/gatehouse/webconfig"
)

func main() {
	os.Exit(webconfig.Main(os.Args[1:], os.Stdout, os.Stderr, readStacks))
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
