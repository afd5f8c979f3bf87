package limits

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"regexp"
	"strings"
)

// Private image delivery (delivery.ImageDistributionProps, delivery.SignerProps, config).
var (
	// SignatureTTLSeconds is how long a CloudFront signature the signer makes stays valid.
	SignatureTTLSeconds = Range{Min: 60, Max: 3600, Default: 900, Unit: "seconds"}
	// PriceClasses are CloudFront's price classes (which edge locations serve); the first is the
	// default, the cheapest (North America, Europe, Israel).
	PriceClasses = OneOf{"PriceClass_100", "PriceClass_200", "PriceClass_All"}
	// CertificateArn is an ACM certificate CloudFront can use: CloudFront reads certificates only
	// from us-east-1.
	CertificateArn = Pattern{re: regexp.MustCompile(`^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}$`),
		Allowed: "must be the ARN of an ACM certificate in us-east-1 (CloudFront reads certificates only from there): arn:aws:acm:us-east-1:<account>:certificate/<uuid>"}
	// DomainName is a lower-case DNS name with at least two labels: a distribution's custom
	// domain, an SES domain.
	DomainName = Pattern{re: regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`), max: 253,
		Allowed: "must be a lower-case DNS name such as images.example.com"}
	// DeliveredPath is a key prefix a distribution serves: a folder ("protected/").
	DeliveredPath = Pattern{re: regexp.MustCompile(`^([A-Za-z0-9!_.()'-]+/)+$`),
		Allowed: "must be a folder of the bucket ending in '/', e.g. \"protected/\" (letters, digits and !_.()'- between slashes; no wildcards)"}
)

// MaxPublicKeys is how many public keys a distribution trusts: the signing key and, while
// rotating, the previous or the next one.
const MaxPublicKeys = 2

// PublicKeyBits is the RSA key size CloudFront accepts for trusted key groups.
const PublicKeyBits = 2048

// PublicKey parses a PEM-encoded RSA public key as CloudFront takes it (SubjectPublicKeyInfo,
// "BEGIN PUBLIC KEY", 2048 bits). why is "" when it is one, else what is wrong, for messages.
func PublicKey(text string) (key *rsa.PublicKey, why string) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(text)))
	switch {
	case block == nil:
		return nil, "is not PEM: expected a \"-----BEGIN PUBLIC KEY-----\" block (make cdn-key writes one)"
	case block.Type == "RSA PRIVATE KEY" || block.Type == "PRIVATE KEY":
		return nil, "is a PRIVATE key: name the public key here, and keep the private one out of the repository"
	case block.Type != "PUBLIC KEY":
		return nil, fmt.Sprintf("holds a %q PEM block; expected \"PUBLIC KEY\" (an RSA public key in SubjectPublicKeyInfo form)", block.Type)
	case len(strings.TrimSpace(string(rest))) > 0:
		return nil, "holds more than one PEM block; expected exactly one public key"
	}
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, "is not a readable public key: " + err.Error()
	}
	rsaKey, ok := parsed.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Sprintf("is a %T key; CloudFront takes only RSA keys", parsed)
	}
	if rsaKey.N.BitLen() != PublicKeyBits {
		return nil, fmt.Sprintf("is an RSA key of %d bits; CloudFront takes %d-bit keys", rsaKey.N.BitLen(), PublicKeyBits)
	}
	return rsaKey, ""
}

// KeyFingerprint names an RSA public key: the hex SHA-256 of its SubjectPublicKeyInfo. The
// signer finds the key id of the private key it holds by it, and the delivery construct names
// each public key's resource by its start, so a key keeps its id when the list is reordered.
func KeyFingerprint(key *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		panic(err) // an *rsa.PublicKey always marshals
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// KeyText is a public key as read: its PEM text and how messages name it (a file path), or
// why it could not be read.
type KeyText struct {
	Name, PEM string
	// Unreadable, when set, is why the key could not be read; it is reported as the problem.
	Unreadable string
}

// PublicKeys checks a distribution's public keys: 1 to MaxPublicKeys, each readable and an RSA
// 2048 public key, no key twice.
func PublicKeys(ps *Problems, field string, keys []KeyText) {
	if len(keys) == 0 || len(keys) > MaxPublicKeys {
		ps.Add(field, Raw(fmt.Sprintf("[%d keys]", len(keys))), fmt.Sprintf("must list 1 or %d public keys: the one the signer uses first, and while rotating the other", MaxPublicKeys))
	}
	seen := map[string]int{}
	for i, k := range keys {
		f := fmt.Sprintf("%s[%d]", field, i)
		if k.Unreadable != "" {
			ps.Add(f, k.Name, k.Unreadable)
			continue
		}
		key, why := PublicKey(k.PEM)
		if why != "" {
			ps.Add(f, k.Name, why)
			continue
		}
		fp := KeyFingerprint(key)
		if j, dup := seen[fp]; dup {
			ps.Add(f, k.Name, fmt.Sprintf("is the same key as %s[%d]; rotation needs two different keys", field, j))
		}
		seen[fp] = i
	}
}

// CustomDomain checks a distribution's optional custom domain: a domain name and the us-east-1
// certificate for it come together. domainField and certificateField are how the caller spells
// them, under field.
func CustomDomain(ps *Problems, field, domain, certificate, domainField, certificateField string) {
	domainName, certificateName := domainField, certificateField
	if field != "" {
		domainField, certificateField = field+"."+domainField, field+"."+certificateField
	}
	if domain != "" {
		DomainName.Check(ps, domainField, domain)
	}
	if certificate != "" {
		CertificateArn.Check(ps, certificateField, certificate)
	}
	switch {
	case domain != "" && certificate == "":
		ps.Add(certificateField, nil, "is required with "+domainName+" ("+domain+"): CloudFront serves a custom domain only with an ACM certificate for it in us-east-1")
	case domain == "" && certificate != "":
		ps.Add(domainField, nil, "is required with "+certificateName+": the certificate is only used for a custom domain")
	}
}

// TrustedKeys is how the signer is told the distribution's public keys: "<key id>=<fingerprint>"
// pairs joined by commas (the TRUSTED_KEYS environment variable). ids may be deploy-time tokens.
func TrustedKeys(idsByFingerprint map[string]string, order []string) string {
	pairs := make([]string, len(order))
	for i, fingerprint := range order {
		pairs[i] = idsByFingerprint[fingerprint] + "=" + fingerprint
	}
	return strings.Join(pairs, ",")
}

// ParseTrustedKeys reads TrustedKeys' text into key ids by fingerprint.
func ParseTrustedKeys(text string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(text, ",") {
		id, fingerprint, ok := strings.Cut(pair, "=")
		if !ok || id == "" || !fingerprintPattern.MatchString(fingerprint) {
			return nil, fmt.Errorf("%q is not <key id>=<sha256 hex>", pair)
		}
		out[fingerprint] = id
	}
	return out, nil
}

var fingerprintPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
