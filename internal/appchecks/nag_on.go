//go:build !gatehouse_bench_without_nag

package appchecks

// nagOn says cdk-nag runs. Only make bench builds the app without it (build tag
// gatehouse_bench_without_nag), to time what it costs.
const nagOn = true
