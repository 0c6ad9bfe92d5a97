package watch

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// reflectedQuoteEvent has QuoteEvent's fields and none of its methods:
// encoding/json walks it, as it walked QuoteEvent before MarshalJSON.
type reflectedQuoteEvent QuoteEvent

// bothWays encodes e through MarshalJSON and by encoding/json's walk,
// with HTML escaped (json.Marshal, as --jq reads events) and not (the
// NDJSON printer).
func bothWays(t *testing.T, e QuoteEvent) (got, want []string) {
	t.Helper()
	for _, escape := range []bool{true, false} {
		for i, v := range []any{e, reflectedQuoteEvent(e)} {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(escape)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				got = append(got, buf.String())
			} else {
				want = append(want, buf.String())
			}
		}
	}
	return got, want
}

func TestQuoteEventJSONIsTheFieldsJSON(t *testing.T) {
	d := func(s string) *decimal.Decimal { v := trade.Dec(s); return &v }
	at := trade.JSONTime(time.Date(2026, 12, 1, 15, 0, 0, 123456789, time.FixedZone("EST", -5*3600)))
	for _, tc := range []struct {
		name string
		e    QuoteEvent
	}{
		{"zero", QuoteEvent{}},
		{"a quote", QuoteEvent{Type: "quote", Symbol: trade.MustSymbol("AAPL"), Bid: trade.Dec("189.5"), Ask: trade.Dec("189.52"),
			Last: trade.Dec("189.51"), Change: trade.Dec("-0.49"), ChangePct: trade.Dec("-0.2578"), Time: at}},
		{"a pair with 24-hour figures", QuoteEvent{Type: "quote", Symbol: trade.MustSymbol("BTC-USD"), Bid: trade.Dec("60000.00000001"),
			Ask: decimal.New(6, 4), Last: decimal.New(-15, -9), Change: decimal.Zero, ChangePct: trade.Dec("100"),
			Stats24h: trade.Stats24h{Change24h: d("-1200.5"), Change24hPct: d("-1.96"), High24h: d("61000"), Low24h: d("59000"), Volume24h: d("1234.5678"), StatsTime: &at},
			Time:     at}},
		{"some 24-hour figures", QuoteEvent{Type: "quote", Symbol: trade.MustSymbol("ETH-USD"), Stats24h: trade.Stats24h{High24h: d("4000")}, Time: at}},
		{"strings JSON escapes", QuoteEvent{Type: "q<u>o&te \"\\\n\u2028\xff é", Symbol: trade.Symbol{Base: "A<B", Quote: "Ü"}}},
	} {
		got, want := bothWays(t, tc.e)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: (-encoding/json +MarshalJSON):\n%s", tc.name, diff)
		}
	}
}

// FuzzQuoteEventJSON holds MarshalJSON to encoding/json's output for any
// type, symbol, prices and time.
func FuzzQuoteEventJSON(f *testing.F) {
	f.Add("quote", "AAPL", "", int64(1895), int32(-1), int64(-49), int32(-2), int64(1764601200123456789), true)
	f.Add("alert<>", "BTC", "USD", int64(0), int32(0), int64(1), int32(9), int64(0), false)
	f.Fuzz(func(t *testing.T, typ, base, quote string, bid int64, bidExp int32, change int64, changeExp int32, nanos int64, stats bool) {
		bidExp, changeExp = bidExp%40, changeExp%40
		at := trade.JSONTime(time.Unix(0, nanos))
		e := QuoteEvent{Type: typ, Symbol: trade.Symbol{Base: base, Quote: quote}, Bid: decimal.New(bid, bidExp), Ask: decimal.New(bid+1, bidExp),
			Last: decimal.New(bid, bidExp-1), Change: decimal.New(change, changeExp), ChangePct: decimal.New(change, -2), Time: at}
		if stats {
			c := decimal.New(change, changeExp)
			e.Stats24h = trade.Stats24h{Change24h: &c, Volume24h: &e.Bid, StatsTime: &at}
		}
		got, want := bothWays(t, e)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%+v: (-encoding/json +MarshalJSON):\n%s", e, diff)
		}
	})
}
