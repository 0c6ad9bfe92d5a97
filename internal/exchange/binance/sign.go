package binance

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/url"
	"strings"

	"github.com/shopspring/decimal"
)

// query builds a query string in the order parameters are added. Binance
// signs the exact bytes sent, and url.Values.Encode sorts keys, so signed
// payloads are built here by hand instead (sorted order would also be
// accepted, but could not reproduce the documented vectors byte for byte).
type query struct {
	b strings.Builder
}

func newQuery() *query { return &query{} }

// add appends name=value with value percent-encoded as Binance requires
// before signing (non-ASCII included).
func (q *query) add(name, value string) *query {
	if q.b.Len() > 0 {
		q.b.WriteByte('&')
	}
	q.b.WriteString(name)
	q.b.WriteByte('=')
	q.b.WriteString(url.QueryEscape(value))
	return q
}

// addDec appends a decimal in plain notation (no exponent), which is what
// Binance's parameter format '^([0-9]{1,20})(\.[0-9]{1,20})?$' accepts.
func (q *query) addDec(name string, d decimal.Decimal) *query {
	return q.add(name, d.String())
}

func (q *query) String() string {
	if q == nil {
		return ""
	}
	return q.b.String()
}

// signer signs a request payload (query string followed by body).
type signer interface {
	sign(payload []byte) string
}

// hmacSigner is Binance's HMAC-SHA256 key type: hex signature.
type hmacSigner struct{ secret []byte }

func (h hmacSigner) sign(payload []byte) string {
	mac := hmac.New(sha256.New, h.secret)
	mac.Write(payload)
	return hex.EncodeToString(mac.Sum(nil))
}

// ed25519Signer is Binance's Ed25519 key type: base64 signature.
type ed25519Signer struct{ key ed25519.PrivateKey }

func (e ed25519Signer) sign(payload []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(e.key, payload))
}

// parseEd25519Key reads a PKCS#8 Ed25519 private key, either as PEM
// ("-----BEGIN PRIVATE KEY-----") or as the bare base64 DER Binance's docs
// print. Errors never quote the key.
func parseEd25519Key(text string) (ed25519.PrivateKey, error) {
	text = strings.TrimSpace(text)
	var der []byte
	if strings.Contains(text, "-----BEGIN") {
		block, _ := pem.Decode([]byte(text))
		if block == nil {
			return nil, errors.New("api_secret is not a valid PEM block")
		}
		der = block.Bytes
	} else {
		var err error
		der, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
		if err != nil {
			return nil, errors.New("api_secret is neither PEM nor base64 PKCS#8")
		}
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("api_secret is not a PKCS#8 private key")
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("api_secret is a PKCS#8 key but not Ed25519")
	}
	return ek, nil
}
