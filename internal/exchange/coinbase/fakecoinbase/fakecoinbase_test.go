package fakecoinbase

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const keyName = "organizations/org/apiKeys/key"

// token is a JWT the test builds by hand, field by field, so each rule of
// the fake's check can be broken alone.
type token struct {
	header map[string]any
	claims map[string]any
	key    *ecdsa.PrivateKey
	der    bool // sign with ASN.1 DER instead of r||s
}

func newToken(key *ecdsa.PrivateKey, uri string, now time.Time) *token {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	return &token{
		header: map[string]any{"alg": "ES256", "kid": keyName, "nonce": base64.RawURLEncoding.EncodeToString(nonce), "typ": "JWT"},
		claims: map[string]any{"iss": "cdp", "sub": keyName, "nbf": now.Unix(), "exp": now.Unix() + 120, "uri": uri},
		key:    key,
	}
}

func (tk *token) String() string {
	h, _ := json.Marshal(tk.header)
	c, _ := json.Marshal(tk.claims)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	if tk.der {
		sig, _ = ecdsa.SignASN1(rand.Reader, tk.key, digest[:])
	} else {
		r, s, _ := ecdsa.Sign(rand.Reader, tk.key, digest[:])
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	return input + "." + enc.EncodeToString(sig)
}

func TestAuthentication(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := New(keyName, &key.PublicKey)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL(), "http://")
	uri := "GET " + host + Prefix + "/accounts"
	now := time.Now()

	tests := []struct {
		name       string
		edit       func(tk *token)
		query      string
		wantStatus int
		wantReason string
	}{
		{name: "valid", edit: func(*token) {}, wantStatus: 200},
		{name: "valid with a query (not in uri)", edit: func(*token) {}, query: "?limit=2", wantStatus: 200},
		{name: "query in uri", edit: func(tk *token) { tk.claims["uri"] = uri + "?limit=2" }, query: "?limit=2", wantStatus: 401, wantReason: "claim uri"},
		{name: "scheme in uri", edit: func(tk *token) { tk.claims["uri"] = "GET http://" + host + Prefix + "/accounts" }, wantStatus: 401, wantReason: "claim uri"},
		{name: "other method", edit: func(tk *token) { tk.claims["uri"] = "POST " + host + Prefix + "/accounts" }, wantStatus: 401, wantReason: "claim uri"},
		{name: "other key", edit: func(tk *token) { tk.key = other }, wantStatus: 401, wantReason: "does not verify"},
		// DER is 70-72 bytes; a rare short one still fails to verify as r||s.
		{name: "DER signature", edit: func(tk *token) { tk.der = true }, wantStatus: 401, wantReason: "signature"},
		{name: "alg", edit: func(tk *token) { tk.header["alg"] = "ES384" }, wantStatus: 401, wantReason: "alg"},
		{name: "typ", edit: func(tk *token) { delete(tk.header, "typ") }, wantStatus: 401, wantReason: "typ"},
		{name: "kid", edit: func(tk *token) { tk.header["kid"] = "organizations/org/apiKeys/other" }, wantStatus: 401, wantReason: "kid"},
		{name: "no nonce", edit: func(tk *token) { delete(tk.header, "nonce") }, wantStatus: 401, wantReason: "nonce"},
		{name: "iss", edit: func(tk *token) { tk.claims["iss"] = "coinbase-cloud" }, wantStatus: 401, wantReason: "iss"},
		{name: "sub", edit: func(tk *token) { tk.claims["sub"] = "someone" }, wantStatus: 401, wantReason: "sub"},
		{name: "expired", edit: func(tk *token) { tk.claims["nbf"], tk.claims["exp"] = now.Unix()-300, now.Unix()-180 }, wantStatus: 401, wantReason: "expired"},
		{name: "not yet valid", edit: func(tk *token) { tk.claims["nbf"], tk.claims["exp"] = now.Unix()+60, now.Unix()+180 }, wantStatus: 401, wantReason: "nbf"},
		{name: "lives too long", edit: func(tk *token) { tk.claims["exp"] = now.Unix() + 121 }, wantStatus: 401, wantReason: "two minutes"},
		{name: "no exp", edit: func(tk *token) { delete(tk.claims, "exp") }, wantStatus: 401, wantReason: "nbf or exp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := newToken(key, uri, now)
			tt.edit(tk)
			req, _ := http.NewRequest(http.MethodGet, srv.URL()+Prefix+"/accounts"+tt.query, nil)
			req.Header.Set("Authorization", "Bearer "+tk.String())
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.wantStatus)
			}
			last := srv.LastRequest()
			if !strings.Contains(last.AuthError, tt.wantReason) || (tt.wantReason == "") != last.Authenticated {
				t.Errorf("recorded %+v, want reason %q", last, tt.wantReason)
			}
			if strings.Contains(last.Body+last.Query+last.AuthError, tk.String()[:20]) {
				t.Error("the token was recorded")
			}
		})
	}

	t.Run("nonce reuse", func(t *testing.T) {
		tk := newToken(key, uri, now).String()
		for i, want := range []int{200, 401} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL()+Prefix+"/accounts", nil)
			req.Header.Set("Authorization", "Bearer "+tk)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("use %d: status %d, want %d", i+1, resp.StatusCode, want)
			}
		}
		if r := srv.LastRequest(); r.AuthError != "nonce was used before" {
			t.Errorf("reason %q", r.AuthError)
		}
	})

	t.Run("public endpoints need no token", func(t *testing.T) {
		resp, err := srv.Client().Get(srv.URL() + Prefix + "/market/products")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("no token", func(t *testing.T) {
		resp, err := srv.Client().Get(srv.URL() + Prefix + "/accounts")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || string(body) != "Unauthorized\n" {
			t.Errorf("status %d body %q", resp.StatusCode, body)
		}
	})
}

func TestUnknownPathIsBare404(t *testing.T) {
	srv := New(keyName, nil)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL() + "/api/v3/brokerage/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") == "application/json" {
		t.Errorf("status %d type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestRenamedQueryParameterRefused(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := New(keyName, &key.PublicKey)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL(), "http://")
	path := Prefix + "/orders/historical/batch"
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"product_ids=BTC-USD&order_status=OPEN", 200},
		{"product_id=BTC-USD", 400},
		{"order_status=OPEN&order_status=FILLED", 400},
		{"order_status=DONE", 400},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+path+"?"+tt.query, nil)
		req.Header.Set("Authorization", "Bearer "+newToken(key, "GET "+host+path, time.Now()).String())
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.query, resp.StatusCode, tt.want)
		}
	}
}
