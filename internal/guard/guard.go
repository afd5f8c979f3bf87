// Package guard is the one way gatehouse's constructors refuse invalid props: before creating
// anything, with a *limits.Error whose lines name the construct path the construct would have.
package guard

import (
	"errors"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// Check panics with err, scoped to the path of the construct id would create under scope
// (e.g. "PhotoApp/Photos"), when err is not nil. CDK constructors cannot return errors; callers
// recover the panic and use errors.As(err, new(*limits.Error)).
func Check(scope constructs.Construct, id *string, err error) {
	if err == nil {
		return
	}
	var e *limits.Error
	if !errors.As(err, &e) {
		panic(err)
	}
	scoped := *e
	scoped.Scope = *id
	if path := *scope.Node().Path(); path != "" {
		scoped.Scope = path + "/" + *id
	}
	panic(&scoped)
}

// Problems panics with ps's problems when it has any: refusals found once the construct exists
// (the stacks its arguments are in, a method's argument), scoped by ps itself.
func Problems(ps *limits.Problems) {
	if err := ps.Err(); err != nil {
		panic(err)
	}
}

// Refuse panics with one problem of scope (a construct path, or "<path>.<Method>"): field, its
// value and why it is refused.
func Refuse(scope, field string, value any, why string) {
	ps := limits.NewProblems(scope)
	ps.Add(field, value, why)
	Problems(ps)
}

// Copy is a copy of props, or the zero value (every default) when props is nil: where each
// constructor's withDefaults starts, so that filling in defaults never changes the caller's props.
func Copy[T any](props *T) T {
	var q T
	if props != nil {
		q = *props
	}
	return q
}
