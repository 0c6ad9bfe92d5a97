package kraken

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/rulecache"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/trade"
)

// assetPairsFixture is an AssetPairs result in Kraken's shape: two pairs
// from Kraken's own example, plus the cases the parser must handle.
const assetPairsFixture = `{
  "XETHXXBT": {"altname":"ETHXBT","wsname":"ETH/XBT","aclass_base":"currency","base":"XETH","aclass_quote":"currency","quote":"XXBT",
    "lot":"unit","cost_decimals":6,"pair_decimals":5,"lot_decimals":8,"lot_multiplier":1,"leverage_buy":[2,3],"leverage_sell":[2,3],
    "fees":[[0,0.26],[50000,0.24]],"fees_maker":[[0,0.16]],"fee_volume_currency":"ZUSD","margin_call":80,"margin_stop":40,
    "ordermin":"0.01","costmin":"0.00002","tick_size":"0.00001","status":"online","long_position_limit":1100,"short_position_limit":400},
  "XXBTZUSD": {"altname":"XBTUSD","wsname":"XBT/USD","aclass_base":"currency","base":"XXBT","aclass_quote":"currency","quote":"ZUSD",
    "lot":"unit","cost_decimals":5,"pair_decimals":1,"lot_decimals":8,"lot_multiplier":1,"fees":[[0,0.26]],
    "ordermin":"0.0001","costmin":"0.5","tick_size":"0.1","status":"online"},
  "XXDGZUSD": {"altname":"XDGUSD","wsname":"XDG/USD","base":"XXDG","quote":"ZUSD","pair_decimals":7,"lot_decimals":8,
    "ordermin":"13","costmin":"0.5","tick_size":"0.0000001","status":"online"},
  "SOLUSD": {"altname":"SOLUSD","wsname":"SOL/USD","base":"SOL","quote":"ZUSD","pair_decimals":2,"lot_decimals":8,
    "ordermin":"0.02","costmin":"0.5","status":"post_only"},
  "XLTCZUSD": {"altname":"LTCUSD","wsname":"LTC/USD","base":"XLTC","quote":"ZUSD","pair_decimals":2,"lot_decimals":8,
    "ordermin":"0.05","costmin":"0.5","tick_size":"0.01","status":"cancel_only"},
  "XXBTZUSD.d": {"altname":"XBTUSD.d","wsname":"XBT/USD","base":"XXBT","quote":"ZUSD","pair_decimals":1,"lot_decimals":8,"status":"online"},
  "AAPLxUSD": {"altname":"AAPLxUSD","wsname":"AAPLx/USD","aclass_base":"tokenized_asset","base":"AAPLx","quote":"ZUSD","pair_decimals":2,"lot_decimals":8,"status":"online"},
  "WEIRD": {"altname":"W€IRD","wsname":"W€/USD","base":"W€","quote":"ZUSD","pair_decimals":2,"lot_decimals":8,"status":"online"}
}`

func TestParseAssetPairsRules(t *testing.T) {
	rs, err := parseAssetPairs([]byte(assetPairsFixture))
	if err != nil {
		t.Fatal(err)
	}
	e := &Exchange{Base: venuebase.Base{Now: time.Now}, rules: &rulecache.Cache[ruleSet, *ruleSet]{Venue: venueName, What: "assetpairs",
		Version: cacheVersion, Now: time.Now, TTL: time.Hour, Fetch: func(context.Context) (*ruleSet, error) { return rs, nil }}}
	got, err := e.Instruments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d := trade.Dec
	want := []trade.Instrument{
		{Symbol: trade.MustSymbol("SOL-USD"), BaseAsset: "SOL", QuoteAsset: "USD", TickSize: d("0.01"), StepSize: d("0.00000001"),
			MinQty: d("0.02"), MinNotional: d("0.5"), VenueSymbol: "SOLUSD", Status: trade.StatusPostOnly}, // no tick_size: pair_decimals; post_only
		{Symbol: trade.MustSymbol("ETH-BTC"), BaseAsset: "ETH", QuoteAsset: "BTC", TickSize: d("0.00001"), StepSize: d("0.00000001"),
			MinQty: d("0.01"), MinNotional: d("0.00002"), VenueSymbol: "XETHXXBT", Status: trade.StatusTrading},
		{Symbol: trade.MustSymbol("BTC-USD"), BaseAsset: "BTC", QuoteAsset: "USD", TickSize: d("0.1"), StepSize: d("0.00000001"),
			MinQty: d("0.0001"), MinNotional: d("0.5"), VenueSymbol: "XXBTZUSD", Status: trade.StatusTrading},
		{Symbol: trade.MustSymbol("DOGE-USD"), BaseAsset: "DOGE", QuoteAsset: "USD", TickSize: d("0.0000001"), StepSize: d("0.00000001"),
			MinQty: d("13"), MinNotional: d("0.5"), VenueSymbol: "XXDGZUSD", Status: trade.StatusTrading},
	}
	// cancel_only LTC, the dark pool, the tokenized asset and the
	// unnameable pair are not offered.
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("Instruments (-want +got):\n%s", diff)
	}
	// AllInstruments keeps the cancel-only pair, with its status.
	all, err := e.AllInstruments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, in := range all {
		status[in.Symbol.String()] = in.Status
	}
	if len(all) != len(want)+1 || status["LTC-USD"] != trade.StatusCancelOnly {
		t.Errorf("AllInstruments statuses = %v, want those above and LTC-USD cancel_only", status)
	}
}

func TestParseAssetPairsRefusesBadRules(t *testing.T) {
	tests := []struct{ name, body, wantErr string }{
		{"bad tick", `{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","tick_size":"0,1","lot_decimals":8}}`, "bad tick_size"},
		{"negative ordermin", `{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","ordermin":"-1","lot_decimals":8}}`, "bad ordermin"},
		{"exponent costmin", `{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","costmin":"1e3","lot_decimals":8}}`, "bad costmin"},
		{"lot decimals", `{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","lot_decimals":99}}`, "bad lot_decimals"},
		{"not an object", `[]`, "decode AssetPairs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseAssetPairs([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseAssetPairs = %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestInstrumentCache(t *testing.T) {
	f := adapter.Fixture(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	open := func(extra map[string]any) *Exchange {
		return f.Open(t, extra, func(e *Exchange) { e.Now = clock; e.limiter.now = clock })
	}
	if _, err := open(nil).Instruments(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := f.Srv.Count(pathAssetPairs); got != 1 {
		t.Fatalf("AssetPairs requests = %d, want 1", got)
	}
	files, _ := filepath.Glob(filepath.Join(f.Cache, "kraken-*-assetpairs.json"))
	if len(files) != 1 {
		t.Fatalf("cache files = %v, want one", files)
	}

	// A second process reads the cache.
	if _, err := open(nil).Instruments(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := f.Srv.Count(pathAssetPairs); got != 1 {
		t.Errorf("AssetPairs requests with a fresh cache = %d, want still 1", got)
	}

	// Corrupt: refetched and rewritten.
	if err := os.WriteFile(files[0], []byte(`{"version":1,"pairs":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := open(nil).Instruments(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := f.Srv.Count(pathAssetPairs); got != 2 {
		t.Errorf("AssetPairs requests after corrupting the cache = %d, want 2", got)
	}
	if rs := open(nil).rules.Load(); rs == nil || len(rs.Pairs) == 0 {
		t.Error("the refetched rules were not written back")
	}

	// Expired: refetched.
	now = now.Add(2 * time.Hour)
	if _, err := open(nil).Instruments(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := f.Srv.Count(pathAssetPairs); got != 3 {
		t.Errorf("AssetPairs requests after the TTL = %d, want 3", got)
	}

	// A short TTL set in the profile applies in memory too.
	e := open(map[string]any{KeyInstrumentsTTL: "1m"})
	if _, err := e.Instruments(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := e.Instruments(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := f.Srv.Count(pathAssetPairs); got != 4 {
		t.Errorf("AssetPairs requests with instruments_ttl 1m = %d, want 4", got)
	}
}

func TestInstrumentCacheDisabled(t *testing.T) {
	f := adapter.Fixture(t)
	if _, err := f.Open(t, map[string]any{KeyInstrumentsTTL: "0s"}).Instruments(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(f.Cache, "*")); len(files) != 0 {
		t.Errorf("instruments_ttl 0 wrote %v", files)
	}
}
