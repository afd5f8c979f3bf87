// Command outputs writes the web app's configuration from a deploy's outputs file:
// amplify_outputs.json (Amplify JS / Amplify UI) and .env.local (the Next.js server).
//
//	go run ./bin/outputs -env dev -outputs-file cdk-outputs.json -out-dir .
//
// On any problem it prints one line per problem, exits 1 and writes nothing.
package main

import (
	"os"

	"github.com/gatehouse-cdk/gatehouse/webconfig"
)

func main() {
	os.Exit(webconfig.Main(os.Args[1:], os.Stdout, os.Stderr))
}
