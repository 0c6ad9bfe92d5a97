package kraken

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// form is a POST body in the order parameters are added (venuehttp.Form):
// Kraken signs the exact bytes sent, so the bytes signed and the bytes
// sent are the same string by construction.
type form venuehttp.Form

func newForm() *form { return &form{} }

func (f *form) add(name, value string) *form { (*venuehttp.Form)(f).Add(name, value); return f }

// addDec appends a decimal in plain notation; decimal.String never uses
// an exponent, which Kraken would refuse.
func (f *form) addDec(name string, d decimal.Decimal) *form { return f.add(name, d.String()) }

func (f *form) String() string { return (*venuehttp.Form)(f).String() }

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
