package coinbase

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// jwtLifetime is how long a request token is valid: Coinbase documents
// that a JWT "expires after 2 minutes".
const jwtLifetime = 120 * time.Second

// jwtHeader and jwtClaims are structs, not maps, so the encoding is stable
// and every field the venue checks is spelled once.
type jwtHeader struct {
	Alg   string `json:"alg"`
	Kid   string `json:"kid"`
	Nonce string `json:"nonce"`
	Typ   string `json:"typ"`
}

type jwtClaims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Nbf int64  `json:"nbf"`
	Exp int64  `json:"exp"`
	URI string `json:"uri,omitempty"` // empty in WebSocket tokens
}

// parsePrivateKey reads a CDP key secret: a PEM "EC PRIVATE KEY" (SEC1, as
// Coinbase issues it) or "PRIVATE KEY" (PKCS#8) holding a P-256 key.
// Secrets copied from the key's JSON file carry "\n" escapes instead of
// newlines; those are undone. Errors never quote the secret.
func parsePrivateKey(secret string) (*ecdsa.PrivateKey, error) {
	text := strings.TrimSpace(secret)
	if !strings.Contains(text, "\n") && strings.Contains(text, `\n`) {
		text = strings.ReplaceAll(text, `\n`, "\n")
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("not a PEM private key: Coinbase CDP keys for ES256 start with -----BEGIN EC PRIVATE KEY----- (Ed25519 keys are not supported; create an ECDSA key)")
	}
	var key *ecdsa.PrivateKey
	switch block.Type {
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("EC PRIVATE KEY block does not parse as a SEC1 key")
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("PRIVATE KEY block does not parse as a PKCS#8 key")
		}
		ec, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("PKCS#8 key is %s, not ECDSA: Coinbase signs with ES256 (P-256)", keyKind(k))
		}
		key = ec
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key (want EC PRIVATE KEY or PRIVATE KEY)", block.Type)
	}
	if key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("key is on curve %s; ES256 needs P-256", key.Curve.Params().Name)
	}
	return key, nil
}

func keyKind(k any) string {
	switch k.(type) {
	case ed25519.PrivateKey:
		return "Ed25519"
	case *rsa.PrivateKey:
		return "RSA"
	case *ecdh.PrivateKey:
		return "X25519"
	}
	return "another kind"
}

// signJWT builds the bearer token for one request: ES256 over
// base64url(header) "." base64url(claims), the signature being the raw
// 64-byte r‖s (RFC 7518 §3.4), not ASN.1 DER as crypto/ecdsa's SignASN1
// would produce. uri is "METHOD host/path": no scheme, no query.
func signJWT(keyName string, key *ecdsa.PrivateKey, uri string, now time.Time, random io.Reader) (string, error) {
	nonce := make([]byte, 16)
	if _, err := io.ReadFull(random, nonce); err != nil {
		return "", fmt.Errorf("jwt nonce: %w", err)
	}
	h, err := json.Marshal(jwtHeader{Alg: "ES256", Kid: keyName, Nonce: hex.EncodeToString(nonce), Typ: "JWT"})
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(jwtClaims{Iss: "cdp", Sub: keyName, Nbf: now.Unix(), Exp: now.Add(jwtLifetime).Unix(), URI: uri})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(random, key, digest[:])
	if err != nil {
		return "", fmt.Errorf("jwt signature: %w", err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc.EncodeToString(sig), nil
}

// jwtURI is the uri claim for a request to host (with port, if any) and
// path (without query).
func jwtURI(method, host, path string) string { return method + " " + host + path }
