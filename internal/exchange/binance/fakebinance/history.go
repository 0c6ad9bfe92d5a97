package fakebinance

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
)

// HistoryStart is when seeded trade histories (WithTradeHistory) begin:
// a fixed instant, so a seeded history is the same on every run.
var HistoryStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// maxTradeWindow is the widest startTime..endTime myTrades accepts: "The
// time between startTime and endTime can't be longer than 24 hours"
// (Binance Spot API docs, rest-api.md, Account trade list).
const maxTradeWindow = 24 * time.Hour

// historySeed is one WithTradeHistory request, applied once every option
// has been (WithSymbols may replace the symbols after it).
type historySeed struct {
	symbol string
	n      int
}

// WithTradeHistory gives the account n past executions of symbol (a
// Binance symbol such as "BTCUSDT"), each of its own filled order, before
// anything the test places: trade and order ids ascend with time from
// HistoryStart on, a few minutes to a few hours apart, with a quiet spell
// of three days after every 500th, so time windows of 24 hours can be
// empty. Side, maker flag, price and quantity vary; commission is in the
// asset received, as for live fills. The history is deterministic (the
// same n gives the same trades) and leaves balances as they are. It
// panics on an unknown symbol, which is a mistake in the test.
func WithTradeHistory(symbol string, n int) Option {
	return func(s *Server) { s.seeds = append(s.seeds, historySeed{symbol: symbol, n: n}) }
}

// seedHistoryLocked adds the executions WithTradeHistory asked for.
func (s *Server) seedHistoryLocked() {
	for _, seed := range s.seeds {
		sym, ok := s.symbols.Get(seed.symbol)
		if !ok {
			panic(fmt.Sprintf("fakebinance: WithTradeHistory: unknown symbol %q", seed.symbol))
		}
		rng := rand.New(rand.NewPCG(uint64(seed.n), 0x5eed))
		at := HistoryStart
		base := sym.last
		if base.IsZero() {
			base = decimal.NewFromInt(100)
		}
		for i := range seed.n {
			at = at.Add(time.Duration(1+rng.IntN(180)) * time.Minute).Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
			if i > 0 && i%500 == 0 {
				at = at.Add(72 * time.Hour)
			}
			// Price within ±5% of the symbol's last, on a 0.01 grid;
			// quantity 0.001 to 0.5.
			price := base.Mul(decimal.NewFromInt(int64(9500 + rng.IntN(1001)))).Div(decimal.NewFromInt(10000)).Round(2)
			qty := decimal.New(int64(1+rng.IntN(500)), -3)
			side := "BUY"
			if rng.IntN(2) == 1 {
				side = "SELL"
			}
			maker := rng.IntN(3) == 0
			typ := "MARKET"
			if maker {
				typ = "LIMIT"
			}
			ms := at.UnixMilli()
			o := &order{sym: sym, id: s.nextOrderID, clientID: fmt.Sprintf("seed-%s-%d", seed.symbol, i), side: side, typ: typ,
				qty: qty, executed: qty, cumQuote: price.Mul(qty), status: "FILLED", created: ms, updated: ms}
			if maker {
				o.tif, o.price = "GTC", price
			}
			s.nextOrderID++
			commission, commissionAsset := qty.Mul(s.commission).RoundCeil(8), sym.spec.Base
			if side == "SELL" {
				commission, commissionAsset = price.Mul(qty).Mul(s.commission).RoundCeil(8), sym.spec.Quote
			}
			o.fills = append(o.fills, fill{Price: fx(price), Qty: fx(qty), Commission: fx(commission), CommissionAsset: commissionAsset, TradeID: s.nextTradeID})
			s.orders = append(s.orders, o)
			s.trades = append(s.trades, &tradeRec{sym: sym, id: s.nextTradeID, order: o, price: price, qty: qty,
				commission: commission, commissionAsset: commissionAsset, time: ms, maker: maker})
			s.nextTradeID++
		}
	}
	s.seeds = nil
}

// checkTradeWindow applies myTrades' rules on its optional parameters:
// the supported combinations are symbol alone, with orderId, startTime,
// endTime, fromId, startTime and endTime, or orderId and fromId (-1128
// otherwise), and startTime..endTime spans at most 24 hours (-1127).
func checkTradeWindow(h history, hasOrder bool) *apiError {
	switch {
	case hasOrder && (h.hasStart || h.hasEnd),
		h.hasFrom && (h.hasStart || h.hasEnd):
		return errBody(400, -1128, "Combination of optional parameters invalid.")
	case h.hasStart && h.hasEnd && time.Duration(h.end-h.start)*time.Millisecond > maxTradeWindow:
		return errBody(400, -1127, "More than 24 hours between startTime and endTime.")
	}
	return nil
}
