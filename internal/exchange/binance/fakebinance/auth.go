package fakebinance

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// params are a request's parameters: query string and form body merged,
// the query winning when a name appears in both (as Binance documents).
type params struct {
	query url.Values
	body  url.Values
}

func parseParams(rawQuery, body, contentType string) (params, *apiError) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return params{}, errBody(400, -1100, "Illegal characters found in a parameter.")
	}
	p := params{query: q, body: url.Values{}}
	if body != "" {
		if !strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
			return params{}, errBody(400, -1100, "Illegal characters found in a parameter.")
		}
		b, err := url.ParseQuery(body)
		if err != nil {
			return params{}, errBody(400, -1100, "Illegal characters found in a parameter.")
		}
		p.body = b
	}
	return p, nil
}

func (p params) get(name string) string {
	if p.query.Has(name) {
		return p.query.Get(name)
	}
	return p.body.Get(name)
}

// withoutSignature removes the signature parameter from a raw query or body
// without re-encoding anything else: the signed payload is the bytes sent.
func withoutSignature(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	kept := parts[:0]
	for _, part := range parts {
		if strings.HasPrefix(part, "signature=") {
			continue
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, "&")
}

// authenticate applies Binance's SIGNED endpoint rules: API key, signature
// over query+body as sent, and the timestamp/recvWindow window.
func (s *Server) authenticate(r *http.Request, p params, body string) *apiError {
	key := r.Header.Get("X-MBX-APIKEY")
	if key == "" {
		return errBody(401, -2014, "API-key format invalid.")
	}
	if !hmac.Equal([]byte(key), []byte(s.apiKey)) {
		return errBody(401, -2015, "Invalid API-key, IP, or permissions for action.")
	}
	sig := p.get("signature")
	if sig == "" {
		return mandatory("signature")
	}
	payload := []byte(withoutSignature(r.URL.RawQuery) + withoutSignature(body))
	if !s.verify(payload, sig) {
		return errBody(400, -1022, "Signature for this request is not valid.")
	}
	ts, err := strconv.ParseInt(p.get("timestamp"), 10, 64)
	if err != nil {
		return mandatory("timestamp")
	}
	// Binance accepts microsecond timestamps too; normalise to ms.
	if ts > 1e14 {
		ts /= 1000
	}
	recvWindow := 5000.0
	if rw := p.get("recvWindow"); rw != "" {
		f, err := strconv.ParseFloat(rw, 64)
		if err != nil || f < 0 {
			return errBody(400, -1100, "Illegal characters found in parameter 'recvWindow'.")
		}
		if f > 60000 {
			return errBody(400, -1131, "recvWindow must be less than 60000")
		}
		recvWindow = f
	}
	server := s.now().UnixMilli()
	if ts >= server+1000 {
		return errBody(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.")
	}
	if float64(server-ts) > recvWindow {
		return errBody(400, -1021, "Timestamp for this request is outside of the recvWindow.")
	}
	return nil
}

func (s *Server) verify(payload []byte, sig string) bool {
	if s.edPub != nil {
		raw, err := base64.StdEncoding.DecodeString(sig)
		return err == nil && ed25519.Verify(s.edPub, payload, raw)
	}
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(payload)
	want := hex.EncodeToString(mac.Sum(nil))
	// HMAC signatures are not case-sensitive on Binance.
	return hmac.Equal([]byte(want), []byte(strings.ToLower(sig)))
}

// Sign returns the HMAC-SHA256 hex signature of payload with secret, as a
// Binance client computes it. Tests use it to build requests by hand.
func Sign(secret, payload string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(payload))
	return hex.EncodeToString(mac.Sum(nil))
}

func (s *Server) String() string { return fmt.Sprintf("fakebinance(%s)", s.URL()) }
