// Package limits defines, once, every limit, default and pattern gatehouse checks — for the
// configuration in cdk.json (package config) and for the constructs' props alike — and the
// error both report: a list of problems, one line each, naming the field, the bad value and
// what is allowed. It imports no CDK package.
package limits

import (
	"fmt"
	"strings"
)

// Problem is one invalid value: Field is a path such as `environments.dev.region` or
// `UploadBucketProps.AllowedOrigins[0]`; Value is the offending value as the user wrote it.
type Problem struct {
	Field   string
	Value   any
	Allowed string
}

func (p Problem) String() string {
	if p.Value == nil {
		return fmt.Sprintf("%s: %s", p.Field, p.Allowed)
	}
	return fmt.Sprintf("%s = %s: %s", p.Field, quote(p.Value), p.Allowed)
}

// Raw is a value printed as written (e.g. JSON text), not quoted again.
type Raw string

func quote(v any) string {
	if r, ok := v.(Raw); ok {
		return string(r)
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%v", v)
}

// Error is a set of problems found together; its message has one line per problem. Every
// invalid configuration and every invalid construct props value is reported as an *Error:
// catch it with errors.As (a constructor panics with it; recover, then errors.As).
type Error struct {
	// Scope says where the problems were found: "cdk.json context", a construct path such as
	// "PhotoApp/Photos", or a props type such as "storage.UploadBucketProps".
	Scope    string
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = fmt.Sprintf("invalid %s: %s", e.Scope, p)
	}
	return strings.Join(lines, "\n")
}

// Problems collects problems for one scope.
type Problems struct {
	scope string
	list  []Problem
}

// NewProblems starts an empty collection for scope.
func NewProblems(scope string) *Problems { return &Problems{scope: scope} }

// Add records a problem.
func (ps *Problems) Add(field string, value any, allowed string) {
	ps.list = append(ps.list, Problem{Field: field, Value: value, Allowed: allowed})
}

// Reported reports whether a problem was already added for field (e.g. a value of the wrong
// type, before its limits are checked on the default left in its place).
func (ps *Problems) Reported(field string) bool {
	for _, p := range ps.list {
		if p.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when nothing was added, else an *Error.
func (ps *Problems) Err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Scope: ps.scope, Problems: append([]Problem(nil), ps.list...)}
}
