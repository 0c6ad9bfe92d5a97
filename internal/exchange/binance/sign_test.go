package binance

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// Binance's published example key pair ([BN] rest-api.md:L254-385). They
// are documentation values, not credentials.
const (
	docAPISecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
)

func TestHMACVectors(t *testing.T) {
	s := hmacSigner{secret: []byte(docAPISecret)}
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{
			name:    "ASCII query",
			payload: "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
			want:    "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
		},
		{
			name:    "non-ASCII symbol, percent-encoded",
			payload: "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
			want:    "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
		},
		{
			// Legacy vector: query string and body concatenated with no
			// separator between "GTC" and "quantity".
			name:    "query + body",
			payload: "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC" + "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
			want:    "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.sign([]byte(tt.payload)); got != tt.want {
				t.Errorf("sign = %s, want %s", got, tt.want)
			}
		})
	}
}

// The query builder must produce the vectors' payloads byte for byte:
// parameters in the order added, values percent-encoded.
func TestQueryMatchesVectors(t *testing.T) {
	build := func(symbol string) string {
		return newQuery().add("symbol", symbol).add("side", "BUY").add("type", "LIMIT").add("timeInForce", "GTC").
			addDec("quantity", decimal.RequireFromString("1")).addDec("price", decimal.RequireFromString("0.1")).
			add("recvWindow", "5000").add("timestamp", "1499827319559").String()
	}
	tests := []struct{ symbol, want string }{
		{"LTCBTC", "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"},
		{"１２３４５６", "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, build(tt.symbol)); diff != "" {
			t.Errorf("query for %s (-want +got):\n%s", tt.symbol, diff)
		}
	}
}

func TestAddDecNeverUsesExponent(t *testing.T) {
	for in, want := range map[string]string{"0.00000001": "0.00000001", "100000000": "100000000", "1.50000000": "1.5", "0.10": "0.1"} {
		got := newQuery().addDec("q", decimal.RequireFromString(in)).String()
		if got != "q="+want {
			t.Errorf("addDec(%s) = %s, want q=%s", in, got, want)
		}
	}
}

func TestEd25519Vector(t *testing.T) {
	// [BN] fix-api.md:L285-313: the FIX logon example, the only published
	// Ed25519 vector. The key is the docs' example key.
	const docKey = "MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u"
	const want = "4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA=="
	payload := strings.Join([]string{"A", "EXAMPLE", "SPOT", "1", "20240627-11:17:25.223"}, "\x01")

	for name, text := range map[string]string{
		"bare base64": docKey,
		"PEM":         "-----BEGIN PRIVATE KEY-----\n" + docKey + "\n-----END PRIVATE KEY-----\n",
	} {
		t.Run(name, func(t *testing.T) {
			key, err := parseEd25519Key(text)
			if err != nil {
				t.Fatalf("parseEd25519Key: %v", err)
			}
			if got := (ed25519Signer{key: key}).sign([]byte(payload)); got != want {
				t.Errorf("sign = %s, want %s", got, want)
			}
		})
	}
}

func TestParseEd25519KeyErrorsDoNotQuoteKey(t *testing.T) {
	for _, bad := range []string{"not a key at all", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "c2VjcmV0LWJ5dGVz"} {
		_, err := parseEd25519Key(bad)
		if err == nil {
			t.Errorf("parseEd25519Key(%q): no error", bad)
			continue
		}
		if strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "AAAA") {
			t.Errorf("error %q quotes the key", err)
		}
	}
}
