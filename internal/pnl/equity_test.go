package pnl

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestValueIn(t *testing.T) {
	bal := func(asset, free, locked string) trade.Balance { return trade.NewBalance(asset, d(free), d(locked)) }
	accounts := []Account{
		{
			Name:     "paper",
			Balances: []trade.Balance{bal("USD", "900", "100"), bal("BTC", "0.4", "0.1")},
			// BTC is already in the balances; AAPL is not.
			Positions: []trade.Position{
				{Symbol: btc, Qty: d("0.5"), AvgCost: d("50000")},
				{Symbol: aapl, Qty: d("10"), AvgCost: d("150")},
			},
		},
		{
			Name:     "kraken",
			Balances: []trade.Balance{bal("usd", "50.5", "0"), bal("ETH", "2", "0"), bal("DOGE", "1000", "0"), bal("EUR", "0", "0")},
		},
		{
			Name:      "alpaca",
			Balances:  []trade.Balance{bal("USD", "2000", "0")},
			Positions: []trade.Position{{Symbol: trade.MustSymbol("TSLA"), Qty: d("-5")}, {Symbol: trade.MustSymbol("GME"), Qty: d("1")}},
		},
	}
	prices := Prices{"BTC": d("60000"), "ETH": d("3000"), "AAPL": d("200.5"), "TSLA": d("250")}
	got := ValueIn("usd", accounts, prices)

	nd := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(d(s)) }
	line := func(acct, asset, source, qty string, price, value decimal.NullDecimal) EquityLine {
		return EquityLine{Account: acct, Asset: asset, Source: source, Qty: d(qty), Price: price, Value: value}
	}
	none := decimal.NullDecimal{}
	want := Equity{
		Currency: "USD",
		Subtotal: Subtotal{Total: d("39805.5"), Cash: d("3050.5"), Holdings: d("36755"), Unvalued: []string{"DOGE", "GME"}},
		Accounts: []AccountEquity{
			{Account: "paper", Subtotal: Subtotal{Total: d("33005"), Cash: d("1000"), Holdings: d("32005"), Unvalued: []string{}}},
			{Account: "kraken", Subtotal: Subtotal{Total: d("6050.5"), Cash: d("50.5"), Holdings: d("6000"), Unvalued: []string{"DOGE"}}},
			{Account: "alpaca", Subtotal: Subtotal{Total: d("750"), Cash: d("2000"), Holdings: d("-1250"), Unvalued: []string{"GME"}}},
		},
		Lines: []EquityLine{
			line("paper", "USD", SourceBalance, "1000", nd("1"), nd("1000")),
			line("paper", "BTC", SourceBalance, "0.5", nd("60000"), nd("30000")),
			line("paper", "AAPL", SourcePosition, "10", nd("200.5"), nd("2005")),
			line("kraken", "USD", SourceBalance, "50.5", nd("1"), nd("50.5")),
			line("kraken", "ETH", SourceBalance, "2", nd("3000"), nd("6000")),
			line("kraken", "DOGE", SourceBalance, "1000", none, none),
			line("alpaca", "USD", SourceBalance, "2000", nd("1"), nd("2000")),
			line("alpaca", "TSLA", SourcePosition, "-5", nd("250"), nd("-1250")),
			line("alpaca", "GME", SourcePosition, "1", none, none),
		},
	}
	if diff := cmp.Diff(want, got, decimalsEqual); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got.Complete() || !got.Accounts[0].Complete() {
		t.Error("Complete is wrong")
	}

	b, err := json.Marshal(got.Accounts[1])
	if err != nil {
		t.Fatal(err)
	}
	if w := `{"account":"kraken","total":"6050.5","cash":"50.5","holdings":"6000","unvalued":["DOGE"]}`; string(b) != w {
		t.Errorf("JSON %s, want %s", b, w)
	}
}

func TestValueInNothing(t *testing.T) {
	got := ValueIn("USD", nil, nil)
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	// Empty lists, not null, so scripts can iterate without a check.
	if w := `{"currency":"USD","total":"0","cash":"0","holdings":"0","unvalued":[],"accounts":[],"lines":[]}`; string(b) != w {
		t.Errorf("JSON %s, want %s", b, w)
	}
}

func TestPricesFromQuotes(t *testing.T) {
	quotes := []trade.Quote{
		{Symbol: btc, Last: d("60000")},
		{Symbol: eth, Bid: d("2999"), Ask: d("3001")},
		{Symbol: trade.MustSymbol("ETH-BTC"), Last: d("0.05")},
		{Symbol: aapl, Last: d("200")},
		{Symbol: trade.MustSymbol("SOL-USD")},
	}
	got := PricesFromQuotes("usd", quotes)
	want := Prices{"BTC": d("60000"), "ETH": d("3000")}
	if diff := cmp.Diff(want, got, decimalsEqual); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
