package fakecoinbase

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// getFills sends a signed List Fills request with query and returns the
// status and body.
func getFills(t *testing.T, srv *Server, key *ecdsa.PrivateKey, query string) (int, []byte) {
	t.Helper()
	host := strings.TrimPrefix(srv.URL(), "http://")
	tk := newToken(key, "GET "+host+Prefix+"/orders/historical/fills", time.Now())
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+Prefix+"/orders/historical/fills"+query, nil)
	req.Header.Set("Authorization", "Bearer "+tk.String())
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func TestListFillsRefusesWhatCoinbaseRefuses(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := New(keyName, &key.PublicKey)
	defer srv.Close()
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"", 200},
		{"?limit=5&cursor=10&product_ids=BTC-USD&product_ids=ETH-USD&sort_by=TRADE_TIME", 200},
		{"?start_sequence_timestamp=2026-01-01T00:00:00.5Z&end_sequence_timestamp=2026-01-02T00:00:00Z", 200},
		{"?limit=0", 400},
		{"?limit=x", 400},
		{"?cursor=-1", 400},
		{"?start_sequence_timestamp=yesterday", 400},
		{"?sort_by=SIZE", 400},
		{"?product_id=BTC-USD", 400}, // the parameter is product_ids
	} {
		if status, body := getFills(t, srv, key, tt.query); status != tt.want {
			t.Errorf("GET fills%s = %d %s, want %d", tt.query, status, body, tt.want)
		}
	}
}

func TestListFillsPagesNewestFirst(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := New(keyName, &key.PublicKey)
	defer srv.Close()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	seeded := srv.SeedFills(7, start, time.Second)
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		q := "?limit=3"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		status, body := getFills(t, srv, key, q)
		var page struct {
			Fills []struct {
				EntryID string `json:"entry_id"`
			} `json:"fills"`
			Cursor string `json:"cursor"`
		}
		if status != 200 || json.Unmarshal(body, &page) != nil || len(page.Fills) > 3 || pages > 3 {
			t.Fatalf("page %d: %d %s", pages, status, body)
		}
		for _, f := range page.Fills {
			ids = append(ids, f.EntryID)
		}
		if cursor = page.Cursor; cursor == "" {
			break
		}
	}
	var want []string
	for i := len(seeded) - 1; i >= 0; i-- {
		want = append(want, seeded[i].EntryID)
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("entries over pages of 3 = %v, want newest first %v", ids, want)
	}
	// The start and end bounds are both exclusive.
	q := "?start_sequence_timestamp=" + start.Add(2*time.Second).Format(time.RFC3339) + "&end_sequence_timestamp=" + start.Add(5*time.Second).Format(time.RFC3339)
	_, body := getFills(t, srv, key, q)
	if n := strings.Count(string(body), `"entry_id"`); n != 2 {
		t.Errorf("fills strictly between 2s and 5s = %d, want 2 (%s)", n, body)
	}
}
