package coinbase

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// decodedJWT is a token taken apart independently of the signer.
type decodedJWT struct {
	header, claims map[string]any
	signingInput   string
	sig            []byte
}

func decodeJWT(t *testing.T, tok string) decodedJWT {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	var d decodedJWT
	for i, dst := range []*map[string]any{&d.header, &d.claims} {
		if strings.ContainsAny(parts[i], "=+/") {
			t.Fatalf("part %d %q is not unpadded base64url", i, parts[i])
		}
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if err := dec.Decode(dst); err != nil {
			t.Fatalf("part %d is not JSON: %v", i, err)
		}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	d.sig, d.signingInput = sig, parts[0]+"."+parts[1]
	return d
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestSignJWT(t *testing.T) {
	k := newKey(t)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	uri := "GET api.coinbase.com/api/v3/brokerage/accounts"
	tok, err := signJWT(k.name, k.key, uri, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := decodeJWT(t, tok)

	nonce, _ := d.header["nonce"].(string)
	if !hex32.MatchString(nonce) {
		t.Errorf("nonce %q is not 16 random bytes in hex", nonce)
	}
	wantHeader := map[string]any{"alg": "ES256", "kid": k.name, "nonce": nonce, "typ": "JWT"}
	if diff := cmp.Diff(wantHeader, d.header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	wantClaims := map[string]any{
		"iss": "cdp", "sub": k.name, "uri": uri,
		"nbf": json.Number("1772600767"), "exp": json.Number("1772600887"),
	}
	if diff := cmp.Diff(wantClaims, d.claims); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}

	// ES256 is the raw r‖s, 32 bytes each, never ASN.1 DER.
	if len(d.sig) != 64 {
		t.Fatalf("signature is %d bytes, want 64 (r||s)", len(d.sig))
	}
	digest := sha256.Sum256([]byte(d.signingInput))
	r, s := new(big.Int).SetBytes(d.sig[:32]), new(big.Int).SetBytes(d.sig[32:])
	if !ecdsa.Verify(&k.key.PublicKey, digest[:], r, s) {
		t.Error("signature does not verify with the public key")
	}
	if ecdsa.VerifyASN1(&k.key.PublicKey, digest[:], d.sig) {
		t.Error("signature verifies as ASN.1 DER; ES256 needs r||s")
	}
	other := newKey(t)
	if ecdsa.Verify(&other.key.PublicKey, digest[:], r, s) {
		t.Error("signature verifies with an unrelated key")
	}
}

func TestSignJWTFreshNonces(t *testing.T) {
	k := newKey(t)
	seen := map[string]bool{}
	for range 20 {
		tok, err := signJWT(k.name, k.key, "GET h/p", time.Now(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		n := decodeJWT(t, tok).header["nonce"].(string)
		if seen[n] {
			t.Fatalf("nonce %s repeated", n)
		}
		seen[n] = true
	}
}

// TestRequestURIClaim sends real calls through the adapter and checks the
// uri claim the fake decoded: method, host with port, path, no query.
func TestRequestURIClaim(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	host := strings.TrimPrefix(f.Srv.URL(), "http://")

	o := venuetest.Place(t, ctx, e, restingBuy("uri-1"))
	if _, err := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Balances(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen, Symbol: btcusd}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		wantQuery    bool
	}{
		{"POST", "/orders", false},
		{"GET", "/orders/historical/" + o.ID, false},
		{"GET", "/accounts", true},
		{"GET", "/orders/historical/batch", true},
	}
	reqs := f.Srv.Requests()
	for _, tt := range tests {
		path := fakecoinbase.Prefix + tt.path
		var found bool
		for _, r := range reqs {
			if r.Method != tt.method || r.Path != path {
				continue
			}
			found = true
			if !r.Authenticated {
				t.Errorf("%s %s: not authenticated (%s)", tt.method, path, r.AuthError)
			}
			if want := tt.method + " " + host + path; r.URI != want {
				t.Errorf("%s %s: uri claim %q, want %q", tt.method, path, r.URI, want)
			}
			if tt.wantQuery && r.Query == "" {
				t.Errorf("%s %s: sent without its query", tt.method, path)
			}
		}
		if !found {
			t.Errorf("no %s %s request", tt.method, path)
		}
	}
}

func TestJWTURIHelper(t *testing.T) {
	u, _ := url.Parse("https://api.coinbase.com/api/v3/brokerage/orders/historical/batch?order_status=OPEN&limit=100")
	got := jwtURI(http.MethodGet, u.Host, u.EscapedPath())
	if want := "GET api.coinbase.com/api/v3/brokerage/orders/historical/batch"; got != want {
		t.Errorf("jwtURI = %q, want %q", got, want)
	}
}

func pemOf(t *testing.T, typ string, der []byte) string {
	t.Helper()
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestParsePrivateKey(t *testing.T) {
	p256 := newKey(t)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(p256.key)
	if err != nil {
		t.Fatal(err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384DER, _ := x509.MarshalECPrivateKey(p384)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKCS8PrivateKey(edKey)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	pubDER, _ := x509.MarshalPKIXPublicKey(&p256.key.PublicKey)
	corrupt := pemOf(t, "EC PRIVATE KEY", []byte("definitely not DER"))

	tests := []struct {
		name, secret, wantErr string
	}{
		{name: "SEC1", secret: p256.pem},
		{name: "SEC1 with surrounding space", secret: "\n  " + p256.pem + "\n\n"},
		{name: "PKCS#8", secret: pemOf(t, "PRIVATE KEY", pkcs8)},
		{name: `escaped \n as in the key's JSON file`, secret: strings.ReplaceAll(p256.pem, "\n", `\n`)},
		{name: "P-384", secret: pemOf(t, "EC PRIVATE KEY", p384DER), wantErr: "P-256"},
		{name: "Ed25519", secret: pemOf(t, "PRIVATE KEY", edDER), wantErr: "Ed25519, not ECDSA"},
		{name: "RSA", secret: pemOf(t, "PRIVATE KEY", rsaDER), wantErr: "RSA, not ECDSA"},
		{name: "public key", secret: pemOf(t, "PUBLIC KEY", pubDER), wantErr: `"PUBLIC KEY" is not a private key`},
		{name: "corrupt", secret: corrupt, wantErr: "does not parse"},
		{name: "not PEM", secret: "c2VjcmV0LWJ5dGVzLWFzLWJhc2U2NA==", wantErr: "not a PEM private key"},
		{name: "empty", secret: "", wantErr: "not a PEM private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := parsePrivateKey(tt.secret)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("parsePrivateKey: %v", err)
				}
				if !k.Equal(p256.key) {
					t.Error("parsed a different key")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			for _, line := range strings.Split(tt.secret, "\n") {
				if len(line) > 16 && !strings.HasPrefix(line, "-----") && strings.Contains(err.Error(), line) {
					t.Errorf("error quotes the secret: %v", err)
				}
			}
		})
	}
}
