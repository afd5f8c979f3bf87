package access

import (
	"fmt"
	"strings"
	"unicode"
)

// globToken is one character of a pattern; wild marks a '*' or '?' that is a wildcard.
type globToken struct {
	r    rune
	wild bool
}

// globPattern is a pattern whose wildcards are told apart from literal '*' and '?'.
type globPattern []globToken

// literalGlob turns policy text into a pattern in which every '*' and '?' is a wildcard.
func literalGlob(s string) globPattern {
	pat := make(globPattern, 0, len(s))
	for _, r := range s {
		pat = append(pat, globToken{r: r, wild: r == '*' || r == '?'})
	}
	return pat
}

// text returns the pattern's characters as a string.
func (p globPattern) text() string {
	var b strings.Builder
	for _, t := range p {
		b.WriteRune(t.r)
	}
	return b.String()
}

// isStar reports whether p is a single '*' wildcard.
func (p globPattern) isStar() bool {
	return len(p) == 1 && p[0].wild && p[0].r == '*'
}

func sameRune(a, b rune, fold bool) bool {
	if a == b {
		return true
	}
	return fold && (unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b))
}

// equals reports whether s is exactly p's text (wildcards count as plain characters).
func (p globPattern) equals(s string, fold bool) bool {
	i := 0
	for _, r := range s {
		if i >= len(p) || !sameRune(p[i].r, r, fold) {
			return false
		}
		i++
	}
	return i == len(p)
}

// matches reports whether s matches p: a wildcard '*' matches any run of characters
// (including none), a wildcard '?' exactly one character.
func (p globPattern) matches(s string, fold bool) bool {
	str := []rune(s)
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(str) {
		if pi < len(p) {
			t := p[pi]
			if t.wild && t.r == '*' {
				starP, starS = pi, si
				pi++
				continue
			}
			if (t.wild && t.r == '?') || (!t.wild && sameRune(t.r, str[si], fold)) {
				pi++
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi].wild && p[pi].r == '*' {
		pi++
	}
	return pi == len(p)
}

// arnFields splits a pattern at its first five literal colons. ok is false when it has fewer.
func (p globPattern) arnFields() (fields [6]globPattern, ok bool) {
	n, start := 0, 0
	for i, t := range p {
		if n < 5 && !t.wild && t.r == ':' {
			fields[n] = p[start:i]
			n++
			start = i + 1
		}
	}
	if n < 5 {
		return fields, false
	}
	fields[5] = p[start:]
	return fields, true
}

// splitARNValue splits an ARN into its six fields; the last one keeps any further colons.
func splitARNValue(arn string) ([]string, bool) {
	fields := strings.SplitN(arn, ":", 6)
	return fields, len(fields) == 6
}

// arnPatternMatches matches an ARN against an ARN pattern field by field: wildcards in the first five
// fields (arn, partition, service, region, account) stay within their field, while in the
// resource portion '*' matches anything, '/' and ':' included. A lone '*' matches anything.
// A pattern or value that is not an ARN does not match.
func arnPatternMatches(p globPattern, value string) bool {
	if p.isStar() {
		return true
	}
	pf, ok := p.arnFields()
	if !ok {
		return false
	}
	vf, ok := splitARNValue(value)
	if !ok {
		return false
	}
	return arnFieldsMatch(pf, vf)
}

// MatchAction reports whether action matches pattern: case-insensitive, '*' and '?' wildcards.
func MatchAction(pattern, action string) bool {
	return literalGlob(pattern).matches(action, true)
}

// MatchResource reports whether resource (an ARN) matches pattern, case-sensitively. "*"
// matches everything. An ARN pattern is matched field by field: '*' and '?' in the first five
// colon-separated fields do not cross a colon, and in the resource portion after the fifth
// colon '*' matches any characters, '/' and ':' included. A pattern that is not an ARN (fewer
// than five colons) is matched as a whole-string glob; an ARN pattern never matches a resource
// that is not an ARN. ${...} is plain text here: substitute variables first.
func MatchResource(pattern, resource string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == resource // no wildcard: the same string, field for field
	}
	p := literalGlob(pattern)
	if _, ok := p.arnFields(); !ok {
		return p.matches(resource, false)
	}
	return arnPatternMatches(p, resource)
}

// stmtLabel names the statement in error messages.
func (s Statement) stmtLabel() string {
	if s.Sid != "" {
		return fmt.Sprintf("statement %d (Sid %q)", s.Index, s.Sid)
	}
	return fmt.Sprintf("statement %d", s.Index)
}

// stmtErr formats an error about one element of s.
func (s Statement) stmtErr(element, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %s", s.stmtLabel(), element, fmt.Sprintf(format, args...))
}

// compileResources parses Resource or NotResource patterns. Each must be "*" or an ARN (five
// colons); a pattern with variables is checked once they are substituted.
func (s Statement) compileResources(element string, patterns []string) ([]pvString, error) {
	out := make([]pvString, 0, len(patterns))
	for _, raw := range patterns {
		p, err := parsePolicyString(raw, !s.literalVariables)
		if err != nil {
			return nil, s.stmtErr(element, "%q: %v", raw, err)
		}
		if !p.isStar() && p.literalColons() < 5 && !p.hasVariables() {
			return nil, s.stmtErr(element, "%q is neither \"*\" nor an ARN", raw)
		}
		out = append(out, p)
	}
	return out, nil
}

// anyResourceMatches reports whether any pattern matches the resource. A pattern whose
// variables cannot be substituted matches nothing.
func anyResourceMatches(patterns []pvString, resource string, ctx Context) bool {
	for _, p := range patterns {
		pat, ok := p.expand(ctx)
		if ok && arnPatternMatches(pat, resource) {
			return true
		}
	}
	return false
}

// Applies reports whether the statement's Action/NotAction, Resource/NotResource and Condition
// all match req (Principal is not considered). An error means the statement could not be
// understood (e.g. an unsupported condition operator, an unparsable number/date/ARN where one is
// required): never silently true or false. The whole statement is checked before req is
// looked at, so a malformed statement is an error for every request.
//
// A statement with neither Resource nor NotResource (as in a role trust policy) applies to any
// resource. Resource patterns must be "*" or ARNs. Policy variables are substituted in
// Resource/NotResource and condition values (String*, Arn*, Bool) unless the document's Version
// predates 2012-10-17; a pattern whose variable has no value matches nothing (so in NotResource
// it excludes nothing).
func (s Statement) Applies(req Request) (bool, error) {
	if s.Effect != "Allow" && s.Effect != "Deny" {
		return false, s.stmtErr("Effect", "must be \"Allow\" or \"Deny\", got %q", s.Effect)
	}
	hasAction, hasNotAction := len(s.Action) > 0, len(s.NotAction) > 0
	if hasAction == hasNotAction {
		return false, s.stmtErr("Action", "exactly one of Action and NotAction is required")
	}
	if len(s.Resource) > 0 && len(s.NotResource) > 0 {
		return false, s.stmtErr("Resource", "Resource and NotResource cannot both be present")
	}
	resources, err := s.compileResources("Resource", s.Resource)
	if err != nil {
		return false, err
	}
	notResources, err := s.compileResources("NotResource", s.NotResource)
	if err != nil {
		return false, err
	}
	checks := make([]condCheck, 0, len(s.Condition))
	for _, c := range s.Condition {
		cc, err := compileCondition(c, !s.literalVariables)
		if err != nil {
			return false, fmt.Errorf("%s: Condition: %w", s.stmtLabel(), err)
		}
		checks = append(checks, cc)
	}

	if hasAction {
		if !anyActionMatches(s.Action, req.Action) {
			return false, nil
		}
	} else if anyActionMatches(s.NotAction, req.Action) {
		return false, nil
	}
	switch {
	case len(resources) > 0:
		if !anyResourceMatches(resources, req.Resource, req.Context) {
			return false, nil
		}
	case len(notResources) > 0:
		if anyResourceMatches(notResources, req.Resource, req.Context) {
			return false, nil
		}
	}
	for _, cc := range checks {
		if !cc.eval(req.Context) {
			return false, nil
		}
	}
	return true, nil
}

func anyActionMatches(patterns []string, action string) bool {
	for _, p := range patterns {
		if MatchAction(p, action) {
			return true
		}
	}
	return false
}
