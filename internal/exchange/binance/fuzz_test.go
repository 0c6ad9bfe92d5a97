package binance

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
// none may panic, whatever Binance (or a proxy in between) sends.
func FuzzDecoders(f *testing.F) {
	seeds := []string{
		`{"symbol":"BTCUSDT","orderId":28,"clientOrderId":"a","transactTime":1,"price":"0.1","origQty":"1","executedQty":"1","cummulativeQuoteQty":"0.1","status":"FILLED","timeInForce":"GTC","type":"LIMIT","side":"BUY","fills":[{"price":"0.1","qty":"1","commission":"0.001","commissionAsset":"BTC"}]}`,
		`{"symbol":"BTCUSDT","origClientOrderId":"a","orderId":4,"clientOrderId":"b","status":"CANCELED","type":"STOP_LOSS","side":"SELL","executedQty":"1e400","cummulativeQuoteQty":"5"}`,
		`[{"orderListId":1,"orderReports":[{"symbol":"BTCUSDT","orderId":1,"status":"CANCELED","type":"LIMIT","side":"BUY"}]}]`,
		`{"balances":[{"asset":"BTC","free":"1.0","locked":"0.5"},{"asset":"X","free":"-","locked":""}]}`,
		exchangeInfoFixture,
		`{"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":-5}],"symbols":[{"symbol":"A","baseAsset":"A","quoteAsset":"B","filters":[{"filterType":"LOT_SIZE","stepSize":"0"}]}]}`,
		`{"code":-2010,"msg":"Account has insufficient balance for requested action."}`,
		`{"code":-1003,"msg":"Way too much request weight used; IP banned until 99999999999999."}`,
		`{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"1","B":"2","a":"3","A":"4"}}`,
		`{"stream":"btcusdt@miniTicker","data":{"e":"24hrMiniTicker","E":1,"s":"BTCUSDT","c":"5"}}`,
		`{"symbol":"BTCUSDT","bidPrice":"1","askPrice":"2"}`,
		`[{"symbol":"BTCUSDT","price":"1"}]`,
		`{"symbol":"BTCUSDT","priceChange":"-94.99999800","priceChangePercent":"-95.960","highPrice":"100","lowPrice":"0.1","volume":"8913.3","closeTime":1499869899040}`,
		`[{"symbol":"BTCUSDT","priceChange":"1e9999999","lowPrice":"5","highPrice":"1","closeTime":-5}]`,
		`[{"symbol":"BTCUSDT","id":1,"orderId":2,"price":"1","qty":"2","commission":"0","commissionAsset":"BTC","time":1,"isBuyer":true,"isMaker":false}]`,
		``, `null`, `[]`, `{}`, `{"code":null}`, "\xff\xfe",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	e := &Exchange{Base: venuebase.Base{Profile: "fuzz"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		if st, err := decodeTicker24h(body, map[string]trade.Symbol{"BTCUSDT": btcusdt}); err == nil {
			for _, s := range st {
				if s.High24h != nil && s.Low24h != nil && s.Low24h.GreaterThan(*s.High24h) {
					t.Fatalf("24hr ticker %q: low above high accepted", body)
				}
				if s.Volume24h != nil && s.Volume24h.IsNegative() {
					t.Fatalf("24hr ticker %q: negative volume accepted", body)
				}
			}
		}
		var w orderWire
		if json.Unmarshal(body, &w) == nil {
			_, _ = e.mapOrder(w, btcusdt)
			for _, r := range w.OrderReports {
				_, _ = e.mapOrder(r, btcusdt)
			}
		}
		var tw []tradeWire
		if json.Unmarshal(body, &tw) == nil {
			for _, w := range tw {
				_, _ = mapFill(w, btcusdt)
			}
		}
		var a accountWire
		if json.Unmarshal(body, &a) == nil {
			_, _ = mapBalances(a)
		}
		if rs, err := parseExchangeInfo(body); err == nil {
			for _, s := range rs.Symbols {
				in := s.marketInstrument()
				_, _ = in.Conform(trade.OrderRequest{Symbol: in.Symbol, Side: trade.Buy, Type: trade.Limit,
					Qty: decimal.NewFromInt(1), Price: decimal.NewNullDecimal(decimal.NewFromInt(1))}, trade.RoundReject, decimal.Zero)
			}
		}
		for _, status := range []int{400, 418, 429, 503} {
			ae := decodeError(status, http.Header{"Retry-After": {string(body)}}, body, time.UnixMilli(0))
			_ = toError(ae, true, "c").Error()
		}
		_, _ = decodeOneOrMany[bookTickerWire](body)
		_, _ = decodeOneOrMany[priceWire](body)
		st := &quoteState{bySymbol: map[string]trade.Symbol{"BTCUSDT": btcusdt}, bid: map[string]decimal.Decimal{},
			ask: map[string]decimal.Decimal{}, last: map[string]decimal.Decimal{}, now: time.Now}
		_, _ = st.decode(body)
	})
}
