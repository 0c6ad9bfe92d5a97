package quote

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestTablePlaces: bid, ask, last and spread at the instrument's tick,
// trailing zeros kept; a symbol the rules do not list shows as it is.
func TestTablePlaces(t *testing.T) {
	d := decimal.RequireFromString
	btc, xyz := trade.Symbol{Base: "BTC", Quote: "USD"}, trade.Symbol{Base: "XYZ", Quote: "USD"}
	prec := render.NewPrecision([]trade.Instrument{{Symbol: btc, BaseAsset: "BTC", QuoteAsset: "USD", TickSize: d("0.01"), StepSize: d("0.00001")}})
	quotes := []trade.Quote{
		{Symbol: btc, Bid: d("105256.86"), Ask: d("105267.4"), Last: d("105262.125")},
		{Symbol: xyz, Bid: d("1.5"), Ask: d("1.625"), Last: d("1.6")},
	}
	var got [][]string
	for _, r := range Table(quotes, prec).Rows {
		got = append(got, []string{r[1].Text, r[2].Text, r[3].Text, r[4].Text})
	}
	want := [][]string{
		{"105256.86", "105267.40", "105262.13", "10.54"},
		{"1.5", "1.625", "1.6", "0.125"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bid, ask, last, spread (-want +got):\n%s", diff)
	}
}

// TestTable24h: the 24-hour figures get columns only when a venue sent
// some, at the instrument's tick (volume at its step, % at 2 places);
// a figure one quote lacks shows "-", never 0.
func TestTable24h(t *testing.T) {
	d := decimal.RequireFromString
	p := func(s string) *decimal.Decimal { v := d(s); return &v }
	btc, eth := trade.Symbol{Base: "BTC", Quote: "USD"}, trade.Symbol{Base: "ETH", Quote: "USD"}
	prec := render.NewPrecision([]trade.Instrument{
		{Symbol: btc, BaseAsset: "BTC", QuoteAsset: "USD", TickSize: d("0.1"), StepSize: d("0.0001")},
		{Symbol: eth, BaseAsset: "ETH", QuoteAsset: "USD", TickSize: d("0.01"), StepSize: d("0.001")},
	})
	plain := Table([]trade.Quote{{Symbol: btc, Bid: d("1"), Ask: d("2"), Last: d("1.5")}}, prec)
	var headers []string
	for _, c := range plain.Columns {
		headers = append(headers, c.Header)
	}
	if diff := cmp.Diff([]string{"symbol", "bid", "ask", "last", "spread", "time"}, headers); diff != "" {
		t.Errorf("columns without 24h figures (-want +got):\n%s", diff)
	}

	quotes := []trade.Quote{
		{Symbol: btc, Bid: d("60000"), Ask: d("60000.1"), Last: d("60000"),
			Stats24h: trade.Stats24h{Change24h: p("-1234.56"), Change24hPct: p("-2.0157"), High24h: p("61500.04"), Low24h: p("59000"), Volume24h: p("1234.56789")}},
		{Symbol: eth, Bid: d("3000"), Ask: d("3000.01"), Last: d("3000"),
			Stats24h: trade.Stats24h{Change24hPct: p("1.5"), Volume24h: p("10")}},
	}
	tab := Table(quotes, prec)
	headers = nil
	for _, c := range tab.Columns {
		headers = append(headers, c.Header)
	}
	if diff := cmp.Diff([]string{"symbol", "bid", "ask", "last", "spread", "24h change", "24h %", "24h high", "24h low", "24h volume", "time"}, headers); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	var got [][]string
	for _, r := range tab.Rows {
		got = append(got, []string{r[5].Text, r[6].Text, r[7].Text, r[8].Text, r[9].Text})
	}
	want := [][]string{
		{"-1234.6", "-2.02", "61500.0", "59000.0", "1234.5679"},
		{"-", "1.50", "-", "-", "10.000"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("24h cells (-want +got):\n%s", diff)
	}
}
