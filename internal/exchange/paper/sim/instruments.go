package sim

import (
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// DefaultSpecs is the paper exchange's instrument table: nine USD crypto
// pairs and six US stocks. Prices are centres the paths wander around, not
// forecasts. Crypto rules follow the large spot venues (0.01-style ticks,
// fine steps, 1 USD minimum order value); stocks trade in whole shares with
// a cent tick. It returns a new slice on every call.
func DefaultSpecs() []Spec {
	return []Spec{
		crypto("BTC", 95000, 0.55, "0.01", "0.00001", 1, 1, 60000),
		crypto("ETH", 3500, 0.70, "0.01", "0.0001", 1.5, 1.5, 40000),
		crypto("SOL", 180, 0.90, "0.01", "0.001", 3, 2, 25000),
		crypto("XRP", 2.3, 0.90, "0.0001", "0.1", 4, 2, 20000),
		crypto("DOGE", 0.25, 1.00, "0.00001", "1", 5, 3, 15000),
		crypto("ADA", 0.75, 0.90, "0.0001", "0.1", 5, 3, 12000),
		crypto("LTC", 100, 0.80, "0.01", "0.001", 4, 2, 12000),
		crypto("AVAX", 30, 0.95, "0.01", "0.01", 5, 3, 10000),
		crypto("LINK", 18, 0.90, "0.001", "0.01", 5, 3, 10000),
		stock("AAPL", 230, 0.28, 1, 1, 80000),
		stock("MSFT", 430, 0.25, 1, 1, 80000),
		stock("NVDA", 140, 0.50, 1, 1, 100000),
		stock("TSLA", 330, 0.60, 1.5, 1, 80000),
		stock("AMZN", 220, 0.35, 1, 1, 80000),
		stock("SPY", 600, 0.16, 0.5, 0.5, 200000),
	}
}

func crypto(base string, price, vol float64, tick, step string, spreadBps, levelBps, levelNotional float64) Spec {
	return Spec{
		Instrument: trade.Instrument{
			Symbol:      trade.Symbol{Base: base, Quote: "USD"},
			BaseAsset:   base,
			QuoteAsset:  "USD",
			TickSize:    trade.Dec(tick),
			StepSize:    trade.Dec(step),
			MinQty:      trade.Dec(step),
			MinNotional: decimal.NewFromInt(1),
			VenueSymbol: base + "-USD",
			Status:      trade.StatusTrading,
		},
		Class:         Crypto,
		Price:         price,
		Volatility:    vol,
		SpreadBps:     spreadBps,
		LevelBps:      levelBps,
		LevelNotional: levelNotional,
	}
}

func stock(ticker string, price, vol float64, spreadBps, levelBps, levelNotional float64) Spec {
	return Spec{
		Instrument: trade.Instrument{
			Symbol:      trade.Symbol{Base: ticker},
			BaseAsset:   ticker,
			QuoteAsset:  "USD",
			TickSize:    trade.Dec("0.01"),
			StepSize:    decimal.NewFromInt(1),
			MinQty:      decimal.NewFromInt(1),
			MinNotional: decimal.NewFromInt(1),
			VenueSymbol: ticker,
			Status:      trade.StatusTrading,
		},
		Class:         Stock,
		Price:         price,
		Volatility:    vol,
		SpreadBps:     spreadBps,
		LevelBps:      levelBps,
		LevelNotional: levelNotional,
	}
}
