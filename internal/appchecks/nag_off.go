//go:build gatehouse_bench_without_nag

package appchecks

// nagOn is false in make bench's build of the app without cdk-nag (never the app's own).
const nagOn = false
