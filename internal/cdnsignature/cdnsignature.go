// Package cdnsignature checks a CloudFront custom-policy signature as CloudFront does, for the
// signer's tests (its unit test and make test-calls): the policy and the signature come in
// CloudFront's URL-safe base64, and the signature is RSA-SHA1 over the policy by the private half
// of a trusted key.
package cdnsignature

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strings"
)

// Decode undoes CloudFront's URL-safe base64 (- _ ~ for + = /).
func Decode(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not CloudFront's base64: %w", s, err)
	}
	return b, nil
}

// Verify decodes policy and signature and checks the signature with pub. It returns the policy's
// JSON whenever it decodes, and an error when either does not decode or the signature does not
// verify.
func Verify(pub *rsa.PublicKey, policy, signature string) ([]byte, error) {
	doc, err := Decode(policy)
	if err != nil {
		return nil, err
	}
	sig, err := Decode(signature)
	if err != nil {
		return doc, err
	}
	digest := sha1.Sum(doc)
	return doc, rsa.VerifyPKCS1v15(pub, crypto.SHA1, digest[:], sig)
}
