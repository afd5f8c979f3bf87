package access

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Context holds the request's condition keys. Keys are case-insensitive; every key holds a list
// of values (single-valued keys hold one). Booleans are "true"/"false", numbers decimal strings,
// dates RFC 3339.
type Context map[string][]string

// Lookup returns the values of key, matching key names case-insensitively, and whether it is
// present. An exact match wins; among keys that differ only in case the first in sorted order
// is used.
func (c Context) Lookup(key string) ([]string, bool) {
	if v, ok := c[key]; ok {
		return v, true
	}
	var names []string
	for k := range c {
		if strings.EqualFold(k, key) {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return nil, false
	}
	sort.Strings(names)
	return c[names[0]], true
}

// Condition is one operator/key pair of a Condition block, with its values as strings.
type Condition struct {
	Operator string   // as written, e.g. "ForAnyValue:StringLike", "StringEqualsIfExists"
	Key      string   // condition key as written; looked up case-insensitively
	Values   []string // JSON booleans and numbers converted to strings ("true", "1.2")
}

// condFamily is the type of value an operator compares.
type condFamily uint8

const (
	famString condFamily = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

// condCompare is how a request value is compared with a policy value.
type condCompare uint8

const (
	cmpEqual condCompare = iota
	cmpEqualFold
	cmpLike
	cmpLess
	cmpLessEqual
	cmpGreater
	cmpGreaterEqual
)

// condOperator describes one base operator (without IfExists or a set prefix).
type condOperator struct {
	name    string
	family  condFamily
	compare condCompare
	negated bool // true when no policy value may match
}

// condOperators lists the supported base operators by lower-case name.
var condOperators = func() map[string]condOperator {
	ops := []condOperator{
		{"StringEquals", famString, cmpEqual, false},
		{"StringNotEquals", famString, cmpEqual, true},
		{"StringEqualsIgnoreCase", famString, cmpEqualFold, false},
		{"StringNotEqualsIgnoreCase", famString, cmpEqualFold, true},
		{"StringLike", famString, cmpLike, false},
		{"StringNotLike", famString, cmpLike, true},
		{"NumericEquals", famNumeric, cmpEqual, false},
		{"NumericNotEquals", famNumeric, cmpEqual, true},
		{"NumericLessThan", famNumeric, cmpLess, false},
		{"NumericLessThanEquals", famNumeric, cmpLessEqual, false},
		{"NumericGreaterThan", famNumeric, cmpGreater, false},
		{"NumericGreaterThanEquals", famNumeric, cmpGreaterEqual, false},
		{"DateEquals", famDate, cmpEqual, false},
		{"DateNotEquals", famDate, cmpEqual, true},
		{"DateLessThan", famDate, cmpLess, false},
		{"DateLessThanEquals", famDate, cmpLessEqual, false},
		{"DateGreaterThan", famDate, cmpGreater, false},
		{"DateGreaterThanEquals", famDate, cmpGreaterEqual, false},
		{"Bool", famBool, cmpEqual, false},
		{"BinaryEquals", famBinary, cmpEqual, false},
		{"IpAddress", famIP, cmpEqual, false},
		{"NotIpAddress", famIP, cmpEqual, true},
		{"ArnEquals", famARN, cmpLike, false},
		{"ArnLike", famARN, cmpLike, false},
		{"ArnNotEquals", famARN, cmpLike, true},
		{"ArnNotLike", famARN, cmpLike, true},
		{"Null", famNull, cmpEqual, false},
	}
	m := make(map[string]condOperator, len(ops))
	for _, op := range ops {
		m[strings.ToLower(op.name)] = op
	}
	return m
}()

// condSet is a condition set operator prefix.
type condSet uint8

const (
	setNone condSet = iota
	setAnyValue
	setAllValues
)

// condOpSpec is a parsed operator: the base operator with its prefix and suffix.
type condOpSpec struct {
	base     condOperator
	set      condSet
	ifExists bool
}

// parseCondOperator parses an operator such as "ForAnyValue:StringLikeIfExists", ignoring case.
func parseCondOperator(op string) (condOpSpec, error) {
	var spec condOpSpec
	name := strings.ToLower(op)
	switch {
	case strings.HasPrefix(name, "foranyvalue:"):
		spec.set, name = setAnyValue, name[len("foranyvalue:"):]
	case strings.HasPrefix(name, "forallvalues:"):
		spec.set, name = setAllValues, name[len("forallvalues:"):]
	}
	if trimmed, ok := strings.CutSuffix(name, "ifexists"); ok {
		spec.ifExists, name = true, trimmed
	}
	base, ok := condOperators[name]
	if !ok || (base.family == famNull && (spec.ifExists || spec.set != setNone)) {
		return spec, fmt.Errorf("unsupported operator %q", op)
	}
	spec.base = base
	return spec, nil
}

// condValue is one policy value, parsed for its operator family.
type condValue struct {
	text   pvString // String, Arn and Bool values (may hold policy variables)
	vars   bool     // text holds variables and needs the request context
	num    *big.Rat
	when   time.Time
	bin    []byte
	prefix netip.Prefix
	flag   bool // Bool and Null values
}

// condCheck is a condition ready to be evaluated.
type condCheck struct {
	cond   Condition
	spec   condOpSpec
	values []condValue
}

// compileCondition checks c's operator and parses its policy values. vars enables policy
// variables in String, Arn and Bool values.
func compileCondition(c Condition, vars bool) (condCheck, error) {
	spec, err := parseCondOperator(c.Operator)
	if err != nil {
		return condCheck{}, err
	}
	cc := condCheck{cond: c, spec: spec, values: make([]condValue, 0, len(c.Values))}
	for _, raw := range c.Values {
		v, err := parsePolicyValue(spec.base.family, raw, vars)
		if err != nil {
			return condCheck{}, fmt.Errorf("%s %q: policy value %q %v", c.Operator, c.Key, raw, err)
		}
		cc.values = append(cc.values, v)
	}
	return cc, nil
}

// parsePolicyValue parses one policy value; the error completes "policy value X ...".
func parsePolicyValue(family condFamily, raw string, vars bool) (condValue, error) {
	var v condValue
	var err error
	switch family {
	case famString, famARN, famBool:
		p, perr := parsePolicyString(raw, vars)
		if perr != nil {
			return v, fmt.Errorf("has a malformed variable: %v", perr)
		}
		v.text, v.vars = p, p.hasVariables()
		if v.vars {
			return v, nil // checked once substituted; an invalid result matches nothing
		}
		pat, _ := p.expand(nil) // no variables: always expands
		switch family {
		case famARN:
			if _, ok := pat.arnFields(); !ok && !pat.isStar() {
				return v, errors.New("is not an ARN")
			}
		case famBool:
			v.flag, err = parsedOr(pat.text(), parseCondBool, notTrueOrFalse)
		}
	case famNumeric:
		v.num, err = parsedOr(raw, parseCondDecimal, "is not a number")
	case famDate:
		v.when, err = parsedOr(raw, parseCondDate, "is not an ISO 8601 date or epoch time")
	case famBinary:
		v.bin, err = parsedOr(raw, parseCondBinary, "is not base64")
	case famIP:
		v.prefix, err = parsedOr(raw, parseCondIPPrefix, "is not an IP address or CIDR range")
	case famNull:
		v.flag, err = parsedOr(raw, parseCondBool, notTrueOrFalse)
	}
	return v, err
}

const notTrueOrFalse = "is not \"true\" or \"false\""

// parsedOr is raw parsed by parse, or the error isNot (what raw is not).
func parsedOr[T any](raw string, parse func(string) (T, bool), isNot string) (T, error) {
	x, ok := parse(raw)
	if !ok {
		return x, errors.New(isNot)
	}
	return x, nil
}

func parseCondBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

var condDecimalPattern = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// parseCondDecimal parses an integer or decimal number exactly (no exponents, NaN or infinities).
func parseCondDecimal(s string) (*big.Rat, bool) {
	if !condDecimalPattern.MatchString(s) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

var condEpochPattern = regexp.MustCompile(`^-?[0-9]+$`)

// condDateLayouts are the W3C profile of ISO 8601 (a time zone designator is optional; without one
// the time is UTC).
var condDateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
}

// parseCondDate parses an ISO 8601 date or date-time, or epoch seconds (all digits, so "2020"
// is epoch seconds, not a year).
func parseCondDate(s string) (time.Time, bool) {
	if condEpochPattern.MatchString(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range condDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseCondIPPrefix parses a CIDR range or a single address (a /32 or /128 range).
func parseCondIPPrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval evaluates the condition against the request context.
//
// A key that is missing or has no values (for set operators also a lone empty string) makes
// the condition true for ...IfExists and ForAllValues, false for ForAnyValue, true for other
// negated operators and false for other positive ones; Null tests whether the key has values. A negated operator's comparison of one
// request value is true when that value matches none of the policy values. Without a set
// operator, a positive operator needs some request value to match and a negated one needs every
// request value to match none (a multi-valued key is treated as the set of its values). A request
// value that does not parse as the operator's type (number, date, IP, ARN, bool, base64) matches
// no policy value.
func (cc condCheck) eval(ctx Context) bool {
	vals, _ := ctx.Lookup(cc.cond.Key)
	present := len(vals) > 0
	base := cc.spec.base
	if base.family == famNull {
		for _, v := range cc.values {
			if v.flag != present { // "true": the key must be absent
				return true
			}
		}
		return false
	}
	if cc.spec.set != setNone && len(vals) == 1 && vals[0] == "" {
		present = false // AWS: an empty string is an empty data set for set operators
	}
	if !present {
		switch {
		case cc.spec.ifExists:
			return true
		case cc.spec.set == setAnyValue:
			return false
		case cc.spec.set == setAllValues:
			return true
		}
		return base.negated
	}
	policy := cc.substitute(ctx)
	satisfies := func(rv string) bool {
		return matchesAnyPolicyValue(base, rv, policy) != base.negated
	}
	wantAll := cc.spec.set == setAllValues || (cc.spec.set == setNone && base.negated)
	for _, rv := range vals {
		ok := satisfies(rv)
		if wantAll && !ok {
			return false
		}
		if !wantAll && ok {
			return true
		}
	}
	return wantAll
}

// resolvedValue is a policy value after variable substitution.
type resolvedValue struct {
	condValue
	pat  globPattern
	arn  [6]globPattern
	star bool // ARN pattern "*"
}

// substitute expands variables in the policy values; values that cannot be expanded, or that
// do not form a valid ARN or bool once expanded, are dropped (they match nothing).
func (cc condCheck) substitute(ctx Context) []resolvedValue {
	out := make([]resolvedValue, 0, len(cc.values))
	for _, v := range cc.values {
		r := resolvedValue{condValue: v}
		switch cc.spec.base.family {
		case famString, famARN, famBool:
			pat, ok := v.text.expand(ctx)
			if !ok {
				continue
			}
			r.pat = pat
			if cc.spec.base.family == famARN {
				if pat.isStar() {
					r.star = true
				} else if r.arn, ok = pat.arnFields(); !ok {
					continue
				}
			}
			if cc.spec.base.family == famBool && v.vars {
				if r.flag, ok = parseCondBool(pat.text()); !ok {
					continue
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// matchesAnyPolicyValue reports whether request value rv matches at least one policy value
// under op's positive comparison.
func matchesAnyPolicyValue(op condOperator, rv string, policy []resolvedValue) bool {
	switch op.family {
	case famString:
		for _, p := range policy {
			switch op.compare {
			case cmpEqual:
				if p.pat.equals(rv, false) {
					return true
				}
			case cmpEqualFold:
				if p.pat.equals(rv, true) {
					return true
				}
			case cmpLike:
				if p.pat.matches(rv, false) {
					return true
				}
			}
		}
	case famNumeric:
		return anyMatch(rv, parseCondDecimal, policy, func(n *big.Rat, p resolvedValue) bool {
			return compareOK(op.compare, n.Cmp(p.num))
		})
	case famDate:
		return anyMatch(rv, parseCondDate, policy, func(t time.Time, p resolvedValue) bool {
			return compareOK(op.compare, t.Compare(p.when))
		})
	case famBool:
		return anyMatch(rv, parseCondBool, policy, func(b bool, p resolvedValue) bool { return p.flag == b })
	case famBinary:
		return anyMatch(rv, parseCondBinary, policy, func(b []byte, p resolvedValue) bool { return bytes.Equal(b, p.bin) })
	case famIP:
		return anyMatch(rv, parseRequestIP, policy, func(a netip.Addr, p resolvedValue) bool { return p.prefix.Contains(a) })
	case famARN:
		return anyMatch(rv, splitARNValue, policy, func(fields []string, p resolvedValue) bool {
			return p.star || arnFieldsMatch(p.arn, fields)
		})
	}
	return false
}

// anyMatch reports whether request value rv, once parsed, matches at least one policy value; a
// request value that does not parse matches none.
func anyMatch[T any](rv string, parse func(string) (T, bool), policy []resolvedValue, match func(T, resolvedValue) bool) bool {
	v, ok := parse(rv)
	return ok && slices.ContainsFunc(policy, func(p resolvedValue) bool { return match(v, p) })
}

// parseCondBinary decodes a binary value (base64), a policy's or a request's.
func parseCondBinary(s string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	return b, err == nil
}

// parseRequestIP parses a request's address, without zone and with an IPv4-mapped IPv6 address
// as IPv4.
func parseRequestIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	return a.WithZone("").Unmap(), err == nil
}

func arnFieldsMatch(pattern [6]globPattern, fields []string) bool {
	for i := range pattern {
		if !pattern[i].matches(fields[i], false) {
			return false
		}
	}
	return true
}

// compareOK interprets a three-way comparison result c (request value vs policy value).
func compareOK(cmp condCompare, c int) bool {
	switch cmp {
	case cmpEqual:
		return c == 0
	case cmpLess:
		return c < 0
	case cmpLessEqual:
		return c <= 0
	case cmpGreater:
		return c > 0
	case cmpGreaterEqual:
		return c >= 0
	}
	return false
}
