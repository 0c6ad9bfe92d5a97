package fakebinance_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
)

// trades reads myTrades by hand and returns the trade ids, or the error
// code Binance answered.
func trades(t *testing.T, s *fakebinance.Server, query string) (ids []int64, code int) {
	t.Helper()
	query += "&timestamp=" + fmt.Sprint(time.Now().UnixMilli())
	req, err := http.NewRequest(http.MethodGet, s.URL()+"/api/v3/myTrades?"+query+"&signature="+fakebinance.Sign(secret, query), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-MBX-APIKEY", key)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Code int `json:"code"`
		}
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("HTTP %d %s", resp.StatusCode, b)
		}
		return nil, e.Code
	}
	var ws []struct {
		ID   int64 `json:"id"`
		Time int64 `json:"time"`
	}
	if err := json.Unmarshal(b, &ws); err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		ids = append(ids, w.ID)
	}
	return ids, 0
}

// TestMyTradesHistory: a seeded history answers fromId, limit, startTime
// and endTime as Binance does, and refuses what Binance refuses.
func TestMyTradesHistory(t *testing.T) {
	s := fakebinance.New(key, secret, fakebinance.WithTradeHistory("BTCUSDT", 1200), fakebinance.WithWeightLimit(100000))
	defer s.Close()
	start := fakebinance.HistoryStart.UnixMilli()
	day := (24 * time.Hour).Milliseconds()
	seq := func(from, to int64) []int64 {
		var out []int64
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
		return out
	}
	tests := []struct {
		name     string
		query    string
		wantIDs  []int64 // checked when wantN is 0
		wantN    int
		wantCode int
	}{
		{"most recent by default (500)", "symbol=BTCUSDT", seq(701, 1200), 0, 0},
		{"fromId and limit", "symbol=BTCUSDT&fromId=998&limit=3", seq(998, 1000), 0, 0},
		{"limit at most 1000", "symbol=BTCUSDT&fromId=1&limit=1000", nil, 1000, 0},
		{"limit above 1000 refused", "symbol=BTCUSDT&limit=1001", nil, 0, -1100},
		{"fromId past the end", "symbol=BTCUSDT&fromId=5000", nil, 0, 0},
		{"other symbol has none", "symbol=ETHUSDT&fromId=0", nil, 0, 0},
		{"a day from the start", fmt.Sprintf("symbol=BTCUSDT&startTime=%d&endTime=%d&limit=1", start, start+day), []int64{1}, 0, 0},
		{"more than 24 hours", fmt.Sprintf("symbol=BTCUSDT&startTime=%d&endTime=%d", start, start+day+1), nil, 0, -1127},
		{"fromId with startTime", fmt.Sprintf("symbol=BTCUSDT&fromId=1&startTime=%d", start), nil, 0, -1128},
		{"orderId with endTime", fmt.Sprintf("symbol=BTCUSDT&orderId=1&endTime=%d", start+day), nil, 0, -1128},
		{"orderId", "symbol=BTCUSDT&orderId=7", []int64{7}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, code := trades(t, s, tt.query)
			if code != tt.wantCode {
				t.Fatalf("code %d, want %d", code, tt.wantCode)
			}
			if tt.wantN > 0 {
				if len(ids) != tt.wantN {
					t.Errorf("%d trades, want %d", len(ids), tt.wantN)
				}
				return
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("trade ids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTradeHistoryDeterministic: the same seed gives the same history,
// ids ascending with time, with a quiet spell of more than a day after
// the 500th trade.
func TestTradeHistoryDeterministic(t *testing.T) {
	read := func() []byte {
		s := fakebinance.New(key, secret, fakebinance.WithTradeHistory("ETHUSDT", 600))
		defer s.Close()
		query := "symbol=ETHUSDT&fromId=0&limit=1000&timestamp=" + fmt.Sprint(time.Now().UnixMilli())
		req, _ := http.NewRequest(http.MethodGet, s.URL()+"/api/v3/myTrades?"+query+"&signature="+fakebinance.Sign(secret, query), nil)
		req.Header.Set("X-MBX-APIKEY", key)
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	a, b := read(), read()
	if string(a) != string(b) {
		t.Fatal("two servers seeded alike answered differently")
	}
	var ws []struct {
		ID   int64 `json:"id"`
		Time int64 `json:"time"`
	}
	if err := json.Unmarshal(a, &ws); err != nil || len(ws) != 600 {
		t.Fatalf("%d trades, %v", len(ws), err)
	}
	for i := 1; i < len(ws); i++ {
		if ws[i].ID != ws[i-1].ID+1 || ws[i].Time <= ws[i-1].Time {
			t.Fatalf("trade %d (id %d, time %d) does not follow id %d, time %d", i, ws[i].ID, ws[i].Time, ws[i-1].ID, ws[i-1].Time)
		}
	}
	if gap := time.Duration(ws[500].Time-ws[499].Time) * time.Millisecond; gap < 72*time.Hour {
		t.Errorf("gap after the 500th trade %v, want three days or more", gap)
	}
}
