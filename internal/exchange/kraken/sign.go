package kraken

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/shopspring/decimal"
)

// form builds an application/x-www-form-urlencoded body in the order
// parameters are added. Kraken signs the exact bytes sent; building them
// by hand (rather than url.Values.Encode, which sorts) keeps the bytes
// signed and the bytes sent the same string by construction.
type form struct {
	b strings.Builder
}

func newForm() *form { return &form{} }

func (f *form) add(name, value string) *form {
	if f.b.Len() > 0 {
		f.b.WriteByte('&')
	}
	f.b.WriteString(url.QueryEscape(name))
	f.b.WriteByte('=')
	f.b.WriteString(url.QueryEscape(value))
	return f
}

// addDec appends a decimal in plain notation; decimal.String never uses
// an exponent, which Kraken would refuse.
func (f *form) addDec(name string, d decimal.Decimal) *form { return f.add(name, d.String()) }

func (f *form) String() string {
	if f == nil {
		return ""
	}
	return f.b.String()
}

// sign computes API-Sign: base64(HMAC-SHA512(secret, path + SHA256(nonce +
// body))). path is the URI path from /0/private on; body is the exact
// POST data, which itself carries the nonce.
func sign(secret []byte, path, nonce, body string) string {
	inner := sha256.Sum256([]byte(nonce + body))
	mac := hmac.New(sha512.New, secret)
	mac.Write([]byte(path))
	mac.Write(inner[:])
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
