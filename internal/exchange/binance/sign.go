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
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// query is a query string in the order parameters are added
// (venuehttp.Form). Binance signs the exact bytes sent; sorted order would
// also be accepted, but could not reproduce the documented vectors byte
// for byte. Binance requires values percent-encoded before signing
// (non-ASCII included); its parameter names are plain words that the
// encoding leaves as they are.
type query venuehttp.Form

func newQuery() *query { return &query{} }

func (q *query) add(name, value string) *query { (*venuehttp.Form)(q).Add(name, value); return q }

// addDec appends a decimal in plain notation (no exponent), which is what
// Binance's parameter format '^([0-9]{1,20})(\.[0-9]{1,20})?$' accepts.
func (q *query) addDec(name string, d decimal.Decimal) *query {
	return q.add(name, d.String())
}

func (q *query) String() string { return (*venuehttp.Form)(q).String() }

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
