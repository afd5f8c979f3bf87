package limits

import (
	"net/url"
	"strings"
)

// The stand-ins gatehouse ships in cdk.json so that every environment synthesizes from a fresh
// clone. They cannot work in a deployment: config.Placeholders finds them, the app warns at
// synth and refuses them when deploying (make diff, make deploy).

// ExampleKeyFingerprints are the public keys shipped in app/keys/ (KeyFingerprint): their private
// halves were thrown away, so no signature made for them exists.
var ExampleKeyFingerprints = map[string]string{
	"72cf56a8f14ddc58bfd7fa96ae0d5a88f90d186eb0a3b71f95b34c42a51f7bc4": "app/keys/dev-cdn.pem",
	"4682b3f94c5d7c118163d37b3c8fd80a76401469c867f9035c5841cadaafd57c": "app/keys/prod-cdn.pem",
}

// ExampleAccountID is the account id AWS's documentation uses.
const ExampleAccountID = "123456789012"

// PlaceholderDomain reports whether a domain name is reserved for documentation and tests
// (RFC 2606, RFC 6761): example.com, .net, .org and their subdomains; the .example, .test and
// .invalid top-level domains.
func PlaceholderDomain(domain string) bool {
	d := strings.TrimSuffix(strings.ToLower(domain), ".")
	for _, reserved := range []string{"example.com", "example.net", "example.org", "example", "test", "invalid"} {
		if d == reserved || strings.HasSuffix(d, "."+reserved) {
			return true
		}
	}
	return false
}

// PlaceholderOrigin reports whether an origin's host is a placeholder domain.
func PlaceholderOrigin(origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && PlaceholderDomain(u.Hostname())
}
