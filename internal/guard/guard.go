// Package guard is the one way gatehouse's constructors refuse invalid props: before creating
// anything, with a *rules.Error whose lines name the construct path the construct would have.
package guard

import (
	"errors"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/gatehouse-cdk/gatehouse/rules"
)

// Check panics with err, scoped to the path of the construct id would create under scope
// (e.g. "PhotoApp/Photos"), when err is not nil. CDK constructors cannot return errors; callers
// recover the panic and use errors.As(err, new(*rules.Error)).
func Check(scope constructs.Construct, id *string, err error) {
	if err == nil {
		return
	}
	var e *rules.Error
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
