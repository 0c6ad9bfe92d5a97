package fakecoinbase

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// maxLifetime is the longest a token may live: Coinbase documents that a
// JWT expires after two minutes.
const maxLifetime = 120

// leeway tolerates small clock differences on nbf, as servers do.
const leeway = 5 * time.Second

// authenticate verifies the request's bearer token exactly and returns its
// uri claim (when it decoded) and why it was refused ("" when it passed).
func (s *Server) authenticate(r *http.Request) (uri, reason string) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "", "no Authorization header"
	}
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return "", "Authorization is not a Bearer token"
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "token is not three dot-separated parts"
	}
	enc := base64.RawURLEncoding
	rawHeader, err1 := enc.DecodeString(parts[0])
	rawClaims, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return "", "token part is not unpadded base64url"
	}
	var header struct {
		Alg   string `json:"alg"`
		Kid   string `json:"kid"`
		Nonce string `json:"nonce"`
		Typ   string `json:"typ"`
	}
	var claims struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Nbf *int64 `json:"nbf"`
		Exp *int64 `json:"exp"`
		URI string `json:"uri"`
	}
	if json.Unmarshal(rawHeader, &header) != nil {
		return "", "token header is not JSON"
	}
	if json.Unmarshal(rawClaims, &claims) != nil {
		return "", "token claims are not JSON"
	}
	uri = claims.URI
	// ES256 signatures are the raw 64-byte r‖s (RFC 7518 §3.4); a DER
	// signature is 70-72 bytes and fails here.
	if len(sig) != 64 {
		return uri, "signature is not 64 bytes of r||s"
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	rr, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if s.pub == nil || !ecdsa.Verify(s.pub, digest[:], rr, ss) {
		return uri, "signature does not verify with the key's public key"
	}
	switch {
	case header.Alg != "ES256":
		return uri, "header alg is not ES256"
	case header.Typ != "JWT":
		return uri, "header typ is not JWT"
	case header.Kid != s.keyName:
		return uri, "header kid is not the key name"
	case header.Nonce == "":
		return uri, "header has no nonce"
	case claims.Iss != "cdp":
		return uri, `claim iss is not "cdp"`
	case claims.Sub != s.keyName:
		return uri, "claim sub is not the key name"
	case claims.Nbf == nil || claims.Exp == nil:
		return uri, "claims lack nbf or exp"
	case *claims.Exp-*claims.Nbf > maxLifetime || *claims.Exp <= *claims.Nbf:
		return uri, "token lifetime is not within two minutes"
	}
	now := s.now()
	switch {
	case now.Add(leeway).Before(time.Unix(*claims.Nbf, 0)):
		return uri, "token is not valid yet (nbf)"
	case !now.Before(time.Unix(*claims.Exp, 0)):
		return uri, "token has expired (exp)"
	}
	// No scheme, no query: exactly "METHOD host/path".
	if want := r.Method + " " + r.Host + r.URL.Path; claims.URI != want {
		return uri, "claim uri is not " + want
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nonces[header.Nonce] {
		return uri, "nonce was used before"
	}
	s.nonces[header.Nonce] = true
	return uri, ""
}
