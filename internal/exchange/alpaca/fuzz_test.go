package alpaca

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/trade"
)

// FuzzDecoders feeds arbitrary bytes to every decoder of venue answers:
// none may panic, and what decodes must hold together, whatever Alpaca
// (or a proxy in between) sends.
func FuzzDecoders(f *testing.F) {
	seeds := []string{
		`{"id":"61e69015-8549-4bfd-b9c3-01e75843f47d","client_order_id":"c","created_at":"2026-03-16T18:38:01.942282Z","updated_at":"2026-03-16T18:38:01.942282Z","symbol":"AAPL","asset_class":"us_equity","qty":"1","filled_qty":"0","filled_avg_price":null,"type":"limit","side":"buy","time_in_force":"day","limit_price":"150","stop_price":null,"status":"pending_new"}`,
		`{"id":"x","symbol":"BTCUSD","asset_class":"crypto","qty":null,"notional":"100","filled_qty":"0.001","filled_avg_price":"60000","order_type":"market","side":"sell","time_in_force":"gtc","status":"calculated"}`,
		`[{"id":"a","status":200,"body":{"id":"a","status":"canceled"}},{"id":"b","status":500,"body":{"code":50010000,"message":"x"}}]`,
		`{"cash":"1000","buying_power":"4000","non_marginable_buying_power":"700","currency":"USD"}`,
		`[{"symbol":"BTCUSD","asset_class":"crypto","qty":"0.5","qty_available":"0.2","avg_entry_price":"60000","side":"long"},{"symbol":"TSLA","qty":"3","side":"short","avg_entry_price":"1"}]`,
		`[{"class":"crypto","symbol":"BTC/USD","status":"active","tradable":true,"min_order_size":"0.0001","min_trade_increment":"0.000000001","price_increment":"1"},{"class":"us_equity","symbol":"AAPL","tradable":true,"fractionable":true}]`,
		`{"quotes":{"AAPL":{"t":"2026-03-16T18:38:01.942282Z","bp":189.98,"ap":190.02},"BTC/USD":{"bp":"1e-05","ap":1e400}}}`,
		`{"trades":{"AAPL":{"t":"2026-03-16T18:38:01Z","p":190}}}`,
		`{"code":40310000,"message":"insufficient buying power","buying_power":"1"}`,
		`{"code":"42210000","message":"x"}`,
		`{"message":"unauthorized"}`,
		``, `null`, `[]`, `{}`, `{"code":null}`, "\xff\xfe",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	e := &Exchange{Base: venuebase.Base{Profile: "fuzz"}}
	as := &assetSet{Assets: []assetRule{{VenueSymbol: "BTC/USD", Class: classCrypto, Base: "BTC", Quote: "USD"}}}
	as.index()
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, body []byte) {
		var w orderWire
		if json.Unmarshal(body, &w) == nil {
			if o, err := e.mapOrder(w, as); err == nil {
				if o.ID == "" || o.Qty.IsNegative() || o.FilledQty.IsNegative() {
					t.Fatalf("mapped order breaks invariants: %+v", o)
				}
				if o.AvgFillPrice.Valid && !o.FilledQty.IsPositive() {
					t.Fatalf("average price without fills: %+v", o)
				}
			}
		}
		var entries []cancelAllEntry
		if json.Unmarshal(body, &entries) == nil {
			for _, en := range entries {
				_ = toError(decodeError(en.Status, http.Header{}, en.Body, now), call{}).Error()
			}
		}
		var a accountWire
		if json.Unmarshal(body, &a) == nil {
			if b, err := cashBalance(a); err == nil && !b.Total.Equal(b.Free.Add(b.Locked)) {
				t.Fatalf("cash balance %+v: total is not free + locked", b)
			}
		}
		var ps []positionWire
		if json.Unmarshal(body, &ps) == nil {
			for _, pw := range ps {
				if p, err := mapPosition(pw, as); err == nil {
					b := p.balance()
					if !b.Total.Equal(p.Qty) || b.Locked.IsNegative() {
						t.Fatalf("position %+v became balance %+v", p, b)
					}
				}
			}
		}
		if rs, err := parseAssets(body); err == nil {
			for _, r := range rs.Assets {
				in := r.instrument()
				if !in.TickSize.IsPositive() || !in.StepSize.IsPositive() {
					t.Fatalf("instrument without tick or step: %+v", in)
				}
				_, _ = in.Conform(trade.OrderRequest{Symbol: in.Symbol, Side: trade.Buy, Type: trade.Limit,
					Qty: decimal.NewFromInt(1), Price: decimal.NewNullDecimal(decimal.NewFromInt(1))}, trade.RoundReject, decimal.Zero)
			}
		}
		var lq latestQuotesWire
		var lt latestTradesWire
		if json.Unmarshal(body, &lq) == nil {
			_ = json.Unmarshal(body, &lt)
			for vs, qw := range lq.Quotes {
				var tw *tradeWire
				if x, ok := lt.Trades[vs]; ok {
					tw = &x
				}
				if q, err := mapQuote(aapl, qw, tw, now); err == nil && (q.Bid.IsNegative() || q.Ask.IsNegative()) {
					t.Fatalf("negative quote %+v", q)
				}
			}
		}
		for _, status := range []int{400, 401, 403, 404, 422, 429, 503} {
			ae := decodeError(status, http.Header{"Retry-After": {string(body)}, "X-Ratelimit-Reset": {string(body)}}, body, now)
			if ae.RetryAfter < 0 {
				t.Fatalf("negative retry-after from %q", body)
			}
			_ = toError(ae, call{placement: true, clientID: "c"}).Error()
		}
		l := newLimiter(func() time.Time { return now }, defaultRateLimit)
		l.observe(http.Header{"X-Ratelimit-Limit": {string(body)}, "X-Ratelimit-Remaining": {string(body)}, "X-Ratelimit-Reset": {string(body)}})
	})
}
