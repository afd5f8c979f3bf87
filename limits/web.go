package limits

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// OriginAllowed describes what AllowedOrigins accepts, for messages and docs.
const OriginAllowed = `must be an absolute origin "scheme://host[:port]" in lower case, without path, query or trailing slash; ` +
	`https, or http only for localhost/127.0.0.1/[::1]; "*" and wildcards are refused`

// originShape is what an origin looks like, for the messages of Origin.
const originShape = `an origin is "scheme://host[:port]", e.g. "https://app.example.com" or "http://localhost:3000"`

// Origin reports why origin is not an acceptable CORS origin (OriginAllowed), naming the part
// that is wrong, or "" when it is acceptable.
func Origin(origin string) string {
	switch {
	case origin == "":
		return "is empty: " + originShape
	case strings.Contains(origin, "*"):
		return "has a wildcard: list each origin instead (" + originShape + ")"
	case origin != strings.ToLower(origin):
		return fmt.Sprintf("must be in lower case, as browsers send it: %q", strings.ToLower(origin))
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		if !strings.Contains(origin, "://") {
			return fmt.Sprintf("has no scheme: %q, or http:// for localhost", "https://"+origin)
		}
		return "is not an absolute URL: " + originShape
	}
	base := u.Scheme + "://" + u.Host
	switch {
	case u.User != nil:
		return fmt.Sprintf("must not hold a user name: %q", base)
	case u.Path == "/" && u.RawQuery == "" && u.Fragment == "" && !strings.HasSuffix(origin, "?") && !strings.HasSuffix(origin, "#"):
		return fmt.Sprintf("must not end with a slash: %q", base)
	case u.Path != "":
		return fmt.Sprintf("must not have a path (%s): %q", u.Path, base)
	case u.RawQuery != "" || strings.HasSuffix(origin, "?"):
		return fmt.Sprintf("must not have a query: %q", base)
	case u.Fragment != "" || strings.HasSuffix(origin, "#"):
		return fmt.Sprintf("must not have a fragment: %q", base)
	}
	if port := u.Port(); port != "" && !regexp.MustCompile(`^[1-9][0-9]{0,4}$`).MatchString(port) {
		return fmt.Sprintf("has a bad port %q: 1 to 65535, without leading zeros", port)
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		if host == "localhost" || (net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback()) {
			return ""
		}
		return fmt.Sprintf("must use https (http only for localhost, 127.0.0.1 or [::1]): %q", "https://"+u.Host)
	}
	return fmt.Sprintf("has the scheme %q: use https (or http for localhost)", u.Scheme)
}

// Origins checks a list of origins: non-empty, each valid, no duplicates.
func Origins(ps *Problems, field string, origins []string) {
	if len(origins) == 0 {
		ps.Add(field, nil, "at least one origin is required (e.g. [\"http://localhost:3000\"]); "+OriginAllowed)
		return
	}
	seen := map[string]bool{}
	for i, o := range origins {
		f := fmt.Sprintf("%s[%d]", field, i)
		if why := Origin(o); why != "" {
			ps.Add(f, o, why)
		} else if seen[o] {
			ps.Add(f, o, "is listed twice; list each origin once")
		}
		seen[o] = true
	}
}

// sesRegions are the regions where Amazon SES sends email.
var sesRegions = []string{
	"af-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-5", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1", "me-central-1", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
	"us-west-2", "us-gov-east-1", "us-gov-west-1",
}

// SESRegions lists the regions where Amazon SES sends email.
func SESRegions() []string { return slices.Clone(sesRegions) }

// cognitoSESAlternates are the SES regions that user pools of the regions in
// cognitoSESContinuity may use besides their own (Amazon Cognito's "Amazon SES email
// configuration Regions"); a user pool of any other region uses SES in its own region only.
var (
	cognitoSESAlternates = []string{"us-east-1", "us-west-2", "eu-west-1"}
	cognitoSESContinuity = []string{"us-east-1", "us-west-2", "eu-west-1", "us-east-2", "ca-central-1", "ap-northeast-1",
		"ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "eu-west-2", "eu-central-1"}
)

// CognitoSESRegions lists the SES regions a user pool in poolRegion can send email through.
func CognitoSESRegions(poolRegion string) []string {
	var out []string
	if slices.Contains(sesRegions, poolRegion) {
		out = append(out, poolRegion)
	}
	if slices.Contains(cognitoSESContinuity, poolRegion) {
		for _, r := range cognitoSESAlternates {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// EmailSettings send a user pool's email through Amazon SES (config's `email`,
// auth.UserAuthProps.Email).
type EmailSettings struct {
	From, FromName, ReplyTo, SESIdentity, SESRegion string
}

// EmailFieldNames name EmailSettings' fields the way a caller spells them.
type EmailFieldNames struct {
	From, FromName, ReplyTo, SESIdentity, SESRegion string
}

// EmailAddressAllowed describes a plain email address.
const EmailAddressAllowed = `must be a plain email address such as "no-reply@example.com" (no display name, no spaces)`

// SESIdentityAllowed describes an SES identity.
const SESIdentityAllowed = `must be the SES identity that sends: a verified domain such as "example.com", or a verified email address`

var (
	localPattern = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
)

// EmailAddress reports whether s is a plain ASCII email address with a domain name.
func EmailAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && localPattern.MatchString(local) && !strings.HasPrefix(local, ".") && !strings.HasSuffix(local, ".") &&
		!strings.Contains(local, "..") && DomainName.Match(domain)
}

// Email checks SES email settings for a user pool in poolRegion ("" when unknown, e.g. an
// environment-agnostic stack: the region pairing is then not checked). An empty SESRegion means
// poolRegion.
func Email(ps *Problems, at string, e EmailSettings, names EmailFieldNames, poolRegion string) {
	f := func(name string) string { return at + "." + name }
	if !EmailAddress(e.From) {
		ps.Add(f(names.From), e.From, EmailAddressAllowed+"; required")
	}
	if len(e.FromName) > 64 || strings.ContainsAny(e.FromName, "\r\n<>\"") {
		ps.Add(f(names.FromName), e.FromName, `must be at most 64 characters without line breaks, '<', '>' or '"': the sender's name, e.g. "Example App"`)
	}
	if e.ReplyTo != "" && !EmailAddress(e.ReplyTo) {
		ps.Add(f(names.ReplyTo), e.ReplyTo, EmailAddressAllowed)
	}
	switch {
	case EmailAddress(e.SESIdentity):
		if EmailAddress(e.From) && e.From != e.SESIdentity {
			ps.Add(f(names.From), e.From, fmt.Sprintf("must be the verified address %s (%s), or make %s the verified domain",
				e.SESIdentity, names.SESIdentity, e.From[strings.Index(e.From, "@")+1:]))
		}
	case DomainName.Match(e.SESIdentity):
		if _, domain, _ := strings.Cut(e.From, "@"); EmailAddress(e.From) && domain != e.SESIdentity {
			ps.Add(f(names.From), e.From, fmt.Sprintf("must be an address at the verified domain %s (%s)", e.SESIdentity, names.SESIdentity))
		}
	default:
		ps.Add(f(names.SESIdentity), e.SESIdentity, SESIdentityAllowed+"; required")
	}
	allowed := CognitoSESRegions(poolRegion)
	cannot := "Amazon Cognito in " + poolRegion + " cannot send email through Amazon SES; leave the email settings out to use Cognito's own sender"
	switch {
	case e.SESRegion == "":
		if poolRegion != "" && len(allowed) == 0 {
			ps.Add(f(names.SESRegion), nil, "is not set, so SES in the user pool's region would send: "+cannot)
		}
	case !slices.Contains(sesRegions, e.SESRegion):
		ps.Add(f(names.SESRegion), e.SESRegion, "must be a region where Amazon SES sends email: "+strings.Join(sesRegions, ", "))
	case poolRegion != "" && len(allowed) == 0:
		ps.Add(f(names.SESRegion), e.SESRegion, cannot)
	case poolRegion != "" && !slices.Contains(allowed, e.SESRegion):
		ps.Add(f(names.SESRegion), e.SESRegion, "a user pool in "+poolRegion+" can send through SES only in "+strings.Join(allowed, ", "))
	}
}

// Header is one HTTP response header.
type Header struct{ Name, Value string }

// SecurityHeaders are sent with every page of the web app: by next.config (web/, which reads
// web/security-headers.json, a copy of these that a test keeps equal) and, for the hosted app, by
// Amplify Hosting's custom headers (constructs/hosting). HSTS for two years with subdomains; no
// MIME sniffing; the referrer only to this origin; never framed (both the CSP's frame-ancestors
// and X-Frame-Options, for older browsers); a baseline CSP any app can carry (the web app adds
// its full policy).
var SecurityHeaders = []Header{
	{"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "same-origin"},
	{"X-Frame-Options", "DENY"},
	{"Content-Security-Policy", "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'"},
}
