// Package cdkapp holds what the app entry and the tests both need around the jsii runtime.
package cdkapp

import (
	"os"

	"github.com/aws/jsii-runtime-go"
)

// Close stops the jsii kernel (and removes its temporary directory). jsii-runtime-go waits for
// the Node child twice, concurrently, and the loser prints "Runtime process exited abnormally:
// waitid: no child processes" although nothing failed. Call Close last, after everything the
// process prints: it silences stderr for the rest of the process.
func Close() {
	if devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = devNull
	}
	jsii.Close()
}

// DisableCreationStackTraces is the context key that stops aws-cdk-lib from recording each
// resource's creation stack trace (aws:cdk:creationStack metadata): in a Go app the trace holds
// only jsii and Node frames.
const DisableCreationStackTraces = "aws:cdk:disable-creation-stack-traces"
