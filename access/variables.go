package access

import (
	"fmt"
	"strings"
)

// IAM policy variables (AWS IAM User Guide, "IAM policy elements: Variables and tags"):
// ${key} takes the single value of a request context key, ${key, 'default'} falls back to a
// default, and ${*}, ${?}, ${$} stand for a literal '*', '?' and '$'. Substituted values and
// defaults are literal text: a '*' inside them is never a wildcard.

// pvKind is the kind of one piece of a policy string.
type pvKind uint8

const (
	pvLiteral  pvKind = iota // policy text; '*' and '?' keep their wildcard meaning
	pvVariable               // ${key} or ${key, 'default'}
	pvChar                   // ${*}, ${?} or ${$}: one literal character
)

// pvPiece is one piece of a parsed policy string.
type pvPiece struct {
	kind   pvKind
	text   string // literal text, variable key, or the escaped character
	def    string // default value of a variable
	hasDef bool
}

// pvString is a policy string split into literal text and variables.
type pvString []pvPiece

// parsePolicyString splits s into literal text and policy variables. With vars false (a
// document older than Version 2012-10-17) all of s is literal text.
func parsePolicyString(s string, vars bool) (pvString, error) {
	if !vars {
		return pvString{{kind: pvLiteral, text: s}}, nil
	}
	var out pvString
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			if s != "" {
				out = append(out, pvPiece{kind: pvLiteral, text: s})
			}
			return out, nil
		}
		if start > 0 {
			out = append(out, pvPiece{kind: pvLiteral, text: s[:start]})
		}
		piece, rest, err := parseVariable(s[start+2:])
		if err != nil {
			return nil, err
		}
		out = append(out, piece)
		s = rest
	}
}

// parseVariable parses the inside of a variable, s starting just after "${", and returns the
// text after the closing brace.
func parseVariable(s string) (pvPiece, string, error) {
	end := strings.IndexAny(s, ",}")
	if end < 0 {
		return pvPiece{}, "", fmt.Errorf("variable \"${%s\" has no closing brace", s)
	}
	key := strings.TrimSpace(s[:end])
	if key == "" {
		return pvPiece{}, "", fmt.Errorf("empty variable in \"${%s\"", s)
	}
	if s[end] == '}' {
		if key == "*" || key == "?" || key == "$" {
			return pvPiece{kind: pvChar, text: key}, s[end+1:], nil
		}
		return pvPiece{kind: pvVariable, text: key}, s[end+1:], nil
	}
	// A default value: ${key, 'text'}, with '' standing for one quote.
	rest := strings.TrimLeft(s[end+1:], " ")
	if !strings.HasPrefix(rest, "'") {
		return pvPiece{}, "", fmt.Errorf("default value of variable %q must be in single quotes", key)
	}
	rest = rest[1:]
	var def strings.Builder
	for {
		q := strings.IndexByte(rest, '\'')
		if q < 0 {
			return pvPiece{}, "", fmt.Errorf("default value of variable %q has no closing quote", key)
		}
		def.WriteString(rest[:q])
		rest = rest[q+1:]
		if strings.HasPrefix(rest, "'") {
			def.WriteByte('\'')
			rest = rest[1:]
			continue
		}
		break
	}
	rest = strings.TrimLeft(rest, " ")
	if !strings.HasPrefix(rest, "}") {
		return pvPiece{}, "", fmt.Errorf("variable %q has no closing brace after its default value", key)
	}
	return pvPiece{kind: pvVariable, text: key, def: def.String(), hasDef: true}, rest[1:], nil
}

// hasVariables reports whether p needs the request context to be expanded.
func (p pvString) hasVariables() bool {
	for _, piece := range p {
		if piece.kind == pvVariable {
			return true
		}
	}
	return false
}

// literalColons counts the colons in p's literal policy text.
func (p pvString) literalColons() int {
	n := 0
	for _, piece := range p {
		if piece.kind == pvLiteral {
			n += strings.Count(piece.text, ":")
		}
	}
	return n
}

// isStar reports whether p is exactly the policy text "*".
func (p pvString) isStar() bool {
	return len(p) == 1 && p[0].kind == pvLiteral && p[0].text == "*"
}

// variableValue returns the value a variable takes in ctx: the key's single value, else the
// default. A missing, empty or multi-valued key has no value.
func variableValue(piece pvPiece, ctx Context) (string, bool) {
	if vals, ok := ctx.Lookup(piece.text); ok && len(vals) == 1 {
		return vals[0], true
	}
	if piece.hasDef {
		return piece.def, true
	}
	return "", false
}

// expand substitutes p's variables from ctx into a glob pattern in which only p's own policy
// text carries wildcards. ok is false when a variable has no value.
func (p pvString) expand(ctx Context) (pat globPattern, ok bool) {
	for _, piece := range p {
		switch piece.kind {
		case pvLiteral:
			for _, r := range piece.text {
				pat = append(pat, globToken{r: r, wild: r == '*' || r == '?'})
			}
		case pvChar:
			pat = append(pat, globToken{r: rune(piece.text[0])})
		case pvVariable:
			v, found := variableValue(piece, ctx)
			if !found {
				return nil, false
			}
			for _, r := range v {
				pat = append(pat, globToken{r: r})
			}
		}
	}
	return pat, true
}

// Substitute replaces IAM policy variables in s with values from ctx. ok is false when a
// variable has no value in ctx (and no default): the caller then treats that element as not
// matching. ok is also false when a variable is malformed (e.g. no closing brace). ${*}, ${?}
// and ${$} become '*', '?' and '$'; the result is plain text, so use it where wildcards do not
// matter (Statement.Applies keeps those characters literal).
func Substitute(s string, ctx Context) (out string, ok bool) {
	p, err := parsePolicyString(s, true)
	if err != nil {
		return "", false
	}
	pat, ok := p.expand(ctx)
	if !ok {
		return "", false
	}
	return pat.text(), true
}
