package kraken

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
)

// docsSecret is the private key of Kraken's published signing example
// (docs.kraken.com, REST authentication guide), not a real key.
const docsSecret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="

func TestSignPublishedVectors(t *testing.T) {
	secret, err := base64.StdEncoding.DecodeString(docsSecret)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, nonce, body, want string
	}{
		{
			name:  "AddOrder, form body",
			path:  "/0/private/AddOrder",
			nonce: "1616492376594",
			body:  "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
			want:  "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==",
		},
		{
			// The custody guide's vector holds only for the compact JSON
			// body its code sends.
			name:  "custody, JSON body",
			path:  "/0/private/GetCustodyTask?id=TGWOJ4JQPOTZT2",
			nonce: "1616492376594",
			body:  `{"nonce":1616492376594}`,
			want:  "2rM09q8HG7LvjivBitQUybwZ/DSeO8+i0U/at/wclH2Jma6gMaE/0Nw9dyLR+ykMd5eWCngSL4K58i6uJzXDCw==",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sign(secret, tt.path, tt.nonce, tt.body); got != tt.want {
				t.Errorf("sign = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestFormEncodesLikeKraken(t *testing.T) {
	f := newForm().add("ordertype", "limit").add("pair", "XBTUSD").add("price", "37500").add("type", "buy").add("volume", "1.25").
		add("cl_ord_id", "a b&c=d")
	want := "ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25&cl_ord_id=a+b%26c%3Dd"
	if diff := cmp.Diff(want, f.String()); diff != "" {
		t.Errorf("form (-want +got):\n%s", diff)
	}
}

// TestRequestReproducesPublishedSignature sends the documented AddOrder
// through the adapter's own request path, with the clock pinned so the
// nonce is the documented one, and checks the headers and body on the wire.
func TestRequestReproducesPublishedSignature(t *testing.T) {
	var (
		mu              sync.Mutex
		gotKey, gotSign string
		gotBody         string
		gotType         string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		gotKey, gotSign, gotBody, gotType = r.Header.Get("API-Key"), r.Header.Get("API-Sign"), string(b), r.Header.Get("Content-Type")
		mu.Unlock()
		_, _ = w.Write([]byte(`{"error":[],"result":{"descr":{"order":"buy 1.25 XBTUSD @ limit 37500"},"txid":["OU22CG-KLAF2-FWUDD7"]}}`))
	}))
	defer srv.Close()
	e, err := New(context.Background(), exchange.Params{
		Profile: "docs", Exchange: venueName, Options: map[string]any{KeyBaseURL: srv.URL},
		Secret: func(_ context.Context, name string) (string, error) {
			if name == "api_key" {
				return "docs-example-key", nil
			}
			return docsSecret, nil
		},
		Now:        func() time.Time { return time.UnixMicro(1616492376594) },
		HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	params := newForm().add("ordertype", "limit").add("pair", "XBTUSD").add("price", "37500").add("type", "buy").add("volume", "1.25")
	if err := e.do(ctxT(t), call{path: pathAddOrder, params: params, private: true}, nil); err != nil {
		t.Fatalf("do: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	got := map[string]string{"API-Key": gotKey, "API-Sign": gotSign, "body": gotBody, "Content-Type": gotType}
	want := map[string]string{
		"API-Key":      "docs-example-key",
		"API-Sign":     "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==",
		"body":         "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
		"Content-Type": "application/x-www-form-urlencoded",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request on the wire (-want +got):\n%s", diff)
	}
}
