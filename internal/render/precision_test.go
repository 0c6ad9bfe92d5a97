package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestPrecision(t *testing.T) {
	ins := func(base, quote, tick, step string) trade.Instrument {
		return trade.Instrument{Symbol: trade.Symbol{Base: base, Quote: quote}, BaseAsset: base, QuoteAsset: quote,
			TickSize: dec(tick), StepSize: dec(step)}
	}
	p := NewPrecision([]trade.Instrument{
		ins("BTC", "USD", "0.01", "0.00001"),
		ins("BTC", "EUR", "0.1", "0.0001"),
		ins("DOGE", "USD", "0.00001", "1"),
		ins("ETH", "BTC", "0.000001", "0.001"),
		ins("USDT", "TRY", "0.01", "0.1"),
	})
	type got struct{ Price, Qty, USD, BTC, DOGE, EUR, TRY, USDT, XYZ int32 }
	btc := trade.Symbol{Base: "BTC", Quote: "USD"}
	want := got{Price: 2, Qty: 5, USD: 2, BTC: 5, DOGE: 0, EUR: 1, TRY: 2, USDT: 1, XYZ: -1}
	g := got{p.Price(btc), p.Qty(btc), p.Asset("USD"), p.Asset("BTC"), p.Asset("DOGE"), p.Asset("EUR"),
		p.Asset("TRY"), p.Asset("USDT"), p.Asset("XYZ")}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("precision (-want +got):\n%s", diff)
	}
	var none Precision
	if none.Price(btc) != -1 || none.Qty(btc) != -1 || none.Asset("USD") != -1 {
		t.Error("the zero Precision must know nothing")
	}
}
