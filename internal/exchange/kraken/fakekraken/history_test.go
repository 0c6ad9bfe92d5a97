package fakekraken_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
)

// historyFixture is a fixture whose account has past trades.
func historyFixture(t *testing.T, opts ...fakekraken.Option) *fixture {
	t.Helper()
	secret := make([]byte, 64)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	f := &fixture{key: "fake-test-key", secret: secret}
	f.srv = fakekraken.New(f.key, base64.StdEncoding.EncodeToString(secret), opts...)
	t.Cleanup(f.srv.Close)
	return f
}

type tradeEntry struct {
	Time json.Number `json:"time"`
}

type tradesPage struct {
	Trades map[string]tradeEntry `json:"trades"`
	Count  int                   `json:"count"`
}

// TestTradesHistoryPaging: pages of 50 (or the size set) newest first by
// offset, count the trades start (exclusive) and end (inclusive) match.
func TestTradesHistoryPaging(t *testing.T) {
	read := func(f *fixture, nonce *uint64, rest string) tradesPage {
		t.Helper()
		*nonce++
		a := f.post(t, "/0/private/TradesHistory", formType, form(*nonce, rest), *nonce, f.key, f.secret)
		if len(a.Errors) > 0 {
			t.Fatalf("TradesHistory %q: %v", rest, a.Errors)
		}
		var p tradesPage
		if err := json.Unmarshal(a.Result, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f := historyFixture(t, fakekraken.WithTradeHistory(1200))
	var nonce uint64
	first := read(f, &nonce, "type=all")
	if len(first.Trades) != 50 || first.Count != 1200 {
		t.Fatalf("first page: %d trades, count %d; want 50 of 1200", len(first.Trades), first.Count)
	}
	last := read(f, &nonce, "type=all&ofs=1180")
	if len(last.Trades) != 20 || last.Count != 1200 {
		t.Errorf("last page: %d trades, count %d; want 20 of 1200", len(last.Trades), last.Count)
	}
	// The oldest trade's second: start at it excludes it, end at it
	// includes it.
	var oldest int64
	for _, tr := range last.Trades {
		sec, _ := strconv.ParseFloat(string(tr.Time), 64)
		if oldest == 0 || int64(sec) < oldest {
			oldest = int64(sec)
		}
	}
	if p := read(f, &nonce, "type=all&end="+strconv.FormatInt(oldest, 10)); p.Count != 1 {
		t.Errorf("end at the oldest trade's second: count %d, want 1", p.Count)
	}
	if p := read(f, &nonce, "type=all&start="+strconv.FormatInt(oldest, 10)); p.Count != 1199 {
		t.Errorf("start at the oldest trade's second: count %d, want 1199", p.Count)
	}

	small := historyFixture(t, fakekraken.WithTradeHistory(1200), fakekraken.WithTradesPageSize(7))
	nonce = 0
	if p := read(small, &nonce, "type=all&ofs=1197"); len(p.Trades) != 3 || p.Count != 1200 {
		t.Errorf("pages of 7 at 1197: %d trades, count %d; want 3 of 1200", len(p.Trades), p.Count)
	}
	// Seeded alike, the two servers hold the same trades.
	if p := read(small, &nonce, "type=all&ofs=1180"); !cmp.Equal(keys(p.Trades), keys(last.Trades)[:7]) {
		t.Errorf("seeded histories differ: %v vs %v", keys(p.Trades), keys(last.Trades)[:7])
	}
}

// keys are a page's trade ids newest first.
func keys(m map[string]tradeEntry) []string {
	ids := slices.Collect(maps.Keys(m))
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(string(m[b].Time), string(m[a].Time)) })
	return ids
}
