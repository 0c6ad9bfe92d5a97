package exchange

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestUnknownSymbolMessage(t *testing.T) {
	list := func(names ...string) []trade.Instrument {
		var out []trade.Instrument
		for _, n := range names {
			s, err := trade.ParseSymbol(n)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, trade.Instrument{Symbol: s})
		}
		return out
	}
	binance := list("BTC-USDT", "BTC-USDC", "BTC-EUR", "ETH-USDT", "ETH-BTC", "SOL-USDT")
	paper := list("BTC-USD", "ETH-USD", "LTC-USD", "AAPL", "AMZN")
	tests := []struct {
		name, venue, sym string
		instruments      []trade.Instrument
		want             string
	}{
		{"paper's USD on binance", "binance", "BTC-USD", binance,
			"unknown symbol BTC-USD; did you mean BTC-USDC, BTC-USDT, BTC-EUR? (binance quotes BTC in EUR, USDC, USDT, not USD)"},
		{"a typo", "paper", "ETH-UDS", paper, "unknown symbol ETH-UDS; did you mean ETH-USD? (paper quotes ETH in USD, not UDS)"},
		{"a stock ticker", "paper", "APPL", paper, "unknown symbol APPL; did you mean AAPL?"},
		{"nothing near", "paper", "ZZZ-QQQ", paper, "unknown symbol ZZZ-QQQ"},
		{"another base, one edit", "paper", "BTX-USD", paper, "unknown symbol BTX-USD; did you mean BTC-USD?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sym, err := trade.ParseSymbol(tc.sym)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, unknownSymbolMessage(tc.venue, sym, tc.instruments)); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}
