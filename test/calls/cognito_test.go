package calls

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// cognitoStandIn stands in for the two Cognito services the functions call, on loopback only:
//
//   - the user pool's JWKS, at https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json,
//     served by an HTTPS proxy (the child's HTTPS_PROXY) that answers CONNECT for that host alone,
//     with a certificate of a test CA (the child's SSL_CERT_FILE), and refuses everything else;
//   - cognito-identity's GetId (served through the front, the children's AWS_ENDPOINT_URL), JSON
//     1.1, which verifies the login token as Cognito would and answers one stable identity id per
//     user.
//
// It also signs the tokens: the pool's own (RS256, a kid in the JWKS) and the attacker's.
type cognitoStandIn struct {
	region, userPoolID, clientID, identityPoolID string

	poolKey    jwk.Key // the pool's signing key (private); its public half is the JWKS
	foreignKey jwk.Key // another key with the same kid: a forged signature
	otherKey   jwk.Key // another pool's key, with a kid of its own
	jwks       []byte

	caFile    string // the test CA's certificate (PEM), for SSL_CERT_FILE
	proxyURL  string // http://127.0.0.1:port, for HTTPS_PROXY and HTTP_PROXY
	listeners []net.Listener

	mu sync.Mutex
	// identities are the identity ids GetId handed out, by the token's sub.
	identities map[string]string
	// jwksFetches counts JWKS requests; refused lists what the proxy refused; unverifiedLogins
	// lists why GetId refused the login tokens it received that do not verify (the functions
	// must refuse those before they call GetId).
	jwksFetches      int
	refused          []string
	unverifiedLogins []string
	getIDCalls       int
	// unavailable are subs whose GetId fails as if Cognito could not be reached.
	unavailable map[string]bool
}

func (c *cognitoStandIn) issuer() string {
	return "https://cognito-idp." + c.region + ".amazonaws.com/" + c.userPoolID
}

func (c *cognitoStandIn) jwksHost() string { return "cognito-idp." + c.region + ".amazonaws.com" }

// newCognitoStandIn makes the keys, the CA and the JWKS proxy for the assembly's user pool, web
// client and identity pool. dir receives the CA file. Its GetId is served through the front.
func newCognitoStandIn(dir, region, userPoolID, clientID, identityPoolID string) (*cognitoStandIn, error) {
	c := &cognitoStandIn{
		region:         region,
		userPoolID:     userPoolID,
		clientID:       clientID,
		identityPoolID: identityPoolID,
		identities:     map[string]string{},
		unavailable:    map[string]bool{},
	}
	var err error
	if c.poolKey, err = newSigningKey(0, "pool-key-1"); err != nil {
		return nil, err
	}
	if c.foreignKey, err = newSigningKey(1, "pool-key-1"); err != nil {
		return nil, err
	}
	if c.otherKey, err = newSigningKey(2, "other-pool-key"); err != nil {
		return nil, err
	}
	set := jwk.NewSet()
	if err := set.AddKey(c.poolKey); err != nil {
		return nil, err
	}
	public, err := jwk.PublicSetOf(set)
	if err != nil {
		return nil, err
	}
	if c.jwks, err = json.Marshal(public); err != nil {
		return nil, err
	}
	ca, caKey, caPEM, err := newTestCA()
	if err != nil {
		return nil, err
	}
	c.caFile = filepath.Join(dir, "test-ca.pem")
	if err := os.WriteFile(c.caFile, caPEM, 0o600); err != nil {
		return nil, err
	}
	leaf, err := newLeafCertificate(ca, caKey, c.jwksHost())
	if err != nil {
		return nil, err
	}
	if err := c.startProxy(leaf); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *cognitoStandIn) close() {
	for _, l := range c.listeners {
		_ = l.Close()
	}
}

// newSigningKey is the n-th of testdata/cognito-standin-keys.pem's RSA keys (made once and
// published with the tests: making one costs ~0.1 s of CPU on every run) as a signing JWK.
func newSigningKey(n int, kid string) (jwk.Key, error) {
	rest, err := os.ReadFile(filepath.Join(repoRoot, "test", "testdata", "cognito-standin-keys.pem"))
	if err != nil {
		return nil, err
	}
	var block *pem.Block
	for i := 0; i <= n; i++ {
		if block, rest = pem.Decode(rest); block == nil {
			return nil, fmt.Errorf("testdata/cognito-standin-keys.pem has no key %d", n)
		}
	}
	raw, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	key, err := jwk.Import(raw)
	if err != nil {
		return nil, err
	}
	for name, value := range map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: jwa.RS256(), jwk.KeyUsageKey: "sig"} {
		if err := key.Set(name, value); err != nil {
			return nil, err
		}
	}
	return key, nil
}

func newTestCA() (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "gatehouse end-to-end test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

func newLeafCertificate(ca *x509.Certificate, caKey *ecdsa.PrivateKey, host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// startProxy serves CONNECT to the JWKS host (port 443) by terminating TLS itself with leaf and
// answering the JWKS path; every other request or host is refused and recorded.
func (c *cognitoStandIn) startProxy(leaf tls.Certificate) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	c.listeners = append(c.listeners, l)
	c.proxyURL = "http://" + l.Addr().String()
	jwksPath := "/" + c.userPoolID + "/.well-known/jwks.json"
	inner := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || r.URL.Path != jwksPath {
				c.refuse("https://" + r.Host + r.URL.Path)
				http.NotFound(w, r)
				return
			}
			c.mu.Lock()
			c.jwksFetches++
			c.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(c.jwks)
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12},
	}
	tunnels := &connListener{conns: make(chan net.Conn), done: make(chan struct{}), addr: l.Addr()}
	go func() { _ = inner.ServeTLS(tunnels, "", "") }()
	go func() {
		defer tunnels.Close()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go c.serveProxyConn(conn, tunnels)
		}
	}()
	return nil
}

// serveProxyConn reads one proxy request: a CONNECT to the JWKS host becomes a tunnel whose TLS
// the inner server terminates; anything else is refused.
func (c *cognitoStandIn) serveProxyConn(conn net.Conn, tunnels *connListener) {
	reader := bufio.NewReader(conn)
	req, err := http.ReadRequest(reader)
	if err != nil {
		_ = conn.Close()
		return
	}
	if req.Method != http.MethodConnect || req.Host != c.jwksHost()+":443" {
		c.refuse(req.Method + " " + req.Host + req.URL.Path)
		_, _ = conn.Write([]byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		_ = conn.Close()
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n")); err != nil {
		_ = conn.Close()
		return
	}
	select {
	case tunnels.conns <- &bufferedConn{Conn: conn, reader: reader}:
	case <-tunnels.done:
		_ = conn.Close()
	}
}

func (c *cognitoStandIn) refuse(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refused = append(c.refused, what)
}

// connListener hands the proxy's tunnels to an http.Server.
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	addr  net.Addr
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case conn := <-l.conns:
		return conn, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return l.addr }

// bufferedConn is a connection whose first bytes may already sit in reader.
type bufferedConn struct {
	net.Conn
	reader *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.reader.Read(p) }

// getID is cognito-identity's GetId (JSON 1.1), served through the front: the pool must be the
// identity pool, Logins exactly the user pool's provider with a token that verifies (signature by
// a JWKS key, issuer, audience = the web client, token_use id, not expired); the answer is the
// identity id of the token's sub, the same for every call. A sub marked unavailable gets
// ExternalServiceException (Cognito could not check it now).
func (c *cognitoStandIn) getID() http.Handler {
	public := must(jwk.ParseString(string(c.jwks)))
	provider := "cognito-idp." + c.region + ".amazonaws.com/" + c.userPoolID
	fail := func(w http.ResponseWriter, typ, message string) {
		serviceError(w, "cognito-identity", http.StatusBadRequest, typ, message)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.getIDCalls++
		c.mu.Unlock()
		var in struct {
			AccountId      string
			IdentityPoolId string
			Logins         map[string]string
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			fail(w, "SerializationException", err.Error())
			return
		}
		if in.IdentityPoolId != c.identityPoolID {
			fail(w, "ResourceNotFoundException", "no identity pool "+in.IdentityPoolId)
			return
		}
		token, ok := in.Logins[provider]
		if len(in.Logins) != 1 || !ok {
			fail(w, "NotAuthorizedException", "Logins must name "+provider+" alone")
			return
		}
		parsed, err := jwt.ParseString(token, jwt.WithKeySet(public), jwt.WithIssuer(c.issuer()),
			jwt.WithAudience(c.clientID), jwt.WithClaimValue("token_use", "id"), jwt.WithValidate(true))
		if err != nil {
			c.mu.Lock()
			c.unverifiedLogins = append(c.unverifiedLogins, err.Error())
			c.mu.Unlock()
			fail(w, "NotAuthorizedException", "Invalid login token. "+err.Error())
			return
		}
		sub, _ := parsed.Subject()
		c.mu.Lock()
		down := c.unavailable[sub]
		c.mu.Unlock()
		if down {
			fail(w, "ExternalServiceException", "the identity provider could not be reached")
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]string{"IdentityId": c.identityOf(sub)})
	})
}

// markUnavailable makes GetId fail for sub as if Cognito could not check its token now.
func (c *cognitoStandIn) markUnavailable(sub string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unavailable[sub] = true
}

// identityOf is the identity id of a user pool sub: made once, then always the same.
func (c *cognitoStandIn) identityOf(sub string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.identities[sub]; ok {
		return id
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := fmt.Sprintf("%s:%x-%x-%x-%x-%x", c.region, b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	c.identities[sub] = id
	return id
}

// stats returns a copy of what the stand-in recorded.
func (c *cognitoStandIn) stats() (jwksFetches, getIDCalls int, refused, unverifiedLogins []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.jwksFetches, c.getIDCalls, append([]string(nil), c.refused...), append([]string(nil), c.unverifiedLogins...)
}

// claims are an ID token's claims as Cognito issues them; a test changes some to forge one.
type claims map[string]any

// idClaims are the claims of a fresh ID token of user sub, valid for an hour.
func (c *cognitoStandIn) idClaims(sub string) claims {
	now := time.Now()
	return claims{
		"sub": sub, "iss": c.issuer(), "aud": c.clientID, "token_use": "id",
		"cognito:username": sub, "email": sub + "@example.com", "email_verified": true,
		"auth_time": now.Unix(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"jti": sub + "-" + fmt.Sprint(now.UnixNano()), "origin_jti": sub + "-origin",
	}
}

// sign signs claims with key (RS256; the kid is the key's).
func signClaims(key jwk.Key, cl claims) (string, error) {
	tok := jwt.New()
	for name, value := range cl {
		if err := tok.Set(name, value); err != nil {
			return "", err
		}
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), key))
	return string(signed), err
}

// unsigned is a token with "alg": "none", naming the pool key's kid, and no signature.
func (c *cognitoStandIn) unsigned(cl claims) (string, error) {
	payload, err := json.Marshal(cl)
	if err != nil {
		return "", err
	}
	headers := jws.NewHeaders()
	kid, _ := c.poolKey.KeyID()
	if err := headers.Set(jws.KeyIDKey, kid); err != nil {
		return "", err
	}
	if err := headers.Set(jws.TypeKey, "JWT"); err != nil {
		return "", err
	}
	signed, err := jws.Sign(payload, jws.WithInsecureNoSignature(jws.WithProtectedHeaders(headers)))
	return string(signed), err
}

// withClaimsOf is token a with its payload replaced by claims cl, keeping a's header and
// signature: a tampered token.
func withClaimsOf(a string, cl claims) (string, error) {
	parts := strings.Split(a, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("not a JWS compact token")
	}
	payload, err := json.Marshal(cl)
	if err != nil {
		return "", err
	}
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2], nil
}
