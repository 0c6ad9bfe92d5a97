package fakekraken

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
)

// HistoryStart is when a seeded trade history (WithTradeHistory) begins:
// a fixed instant, so a seeded history is the same on every run.
var HistoryStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// tradesPage is how many trades one TradesHistory page holds: "50 results
// are returned at a time, the most recent by default" (Kraken API docs,
// Get Trades History).
const tradesPage = 50

// WithTradesPageSize makes TradesHistory pages hold n trades instead of
// Kraken's 50, so a test can cross page boundaries with few trades.
func WithTradesPageSize(n int) Option { return func(s *Server) { s.tradesPage = n } }

// WithTradeHistory gives the account n past trades, before anything the
// test places, each of its own closed order: BTC-USD, ETH-USD and SOL-USD
// in turn with a random side, a few minutes to a few hours apart from
// HistoryStart on, with a quiet spell of three days after every 500th.
// Prices are within 5% of the pair's last; fees are the maker or taker
// rate in the quote asset, as for live fills. The history is
// deterministic (the same n gives the same trades, ids included) and
// leaves balances as they are.
func WithTradeHistory(n int) Option { return func(s *Server) { s.seedTrades += n } }

// seedHistoryLocked adds the trades WithTradeHistory asked for.
func (s *Server) seedHistoryLocked() {
	n := s.seedTrades
	s.seedTrades = 0
	if n == 0 {
		return
	}
	rng := rand.New(rand.NewPCG(uint64(n), 0x5eed))
	newID := func(prefix string) string {
		for {
			c := make([]byte, 16)
			for i := range c {
				c[i] = txidAlphabet[rng.IntN(len(txidAlphabet))]
			}
			id := prefix + string(c[:5]) + "-" + string(c[5:10]) + "-" + string(c[10:16])
			if _, taken := s.byTxID[id]; !taken && !s.tradeIDs[id] {
				return id
			}
		}
	}
	var pairs []*pair
	for _, id := range []string{"XXBTZUSD", "XETHZUSD", "SOLUSD"} {
		p, ok := s.pairs.Get(id)
		if !ok {
			panic(fmt.Sprintf("fakekraken: WithTradeHistory needs pair %s", id))
		}
		pairs = append(pairs, p)
	}
	at := HistoryStart
	for i := range n {
		// Times to a tenth of a millisecond: Kraken's four decimals.
		at = at.Add(time.Duration(1+rng.IntN(180)) * time.Minute).Add(time.Duration(rng.IntN(10000)) * 100 * time.Microsecond)
		if i > 0 && i%500 == 0 {
			at = at.Add(72 * time.Hour)
		}
		pr := pairs[i%len(pairs)]
		price := pr.last.Mul(decimal.NewFromInt(int64(9500 + rng.IntN(1001)))).Div(decimal.NewFromInt(10000)).Round(pr.spec.PairDecimals)
		qty := pr.orderMin.Mul(decimal.NewFromInt(int64(1 + rng.IntN(200))))
		side := "buy"
		if rng.IntN(2) == 1 {
			side = "sell"
		}
		maker := rng.IntN(3) == 0
		ordertype, rate := "market", s.takerFee
		if maker {
			ordertype, rate = "limit", s.makerFee
		}
		cost := price.Mul(qty)
		quote := s.assets[pr.spec.Quote]
		fee := cost.Mul(rate).RoundCeil(quote.spec.Decimals)
		o := &order{txid: newID("O"), pair: pr, side: side, ordertype: ordertype, vol: qty, volExec: qty,
			cost: cost, fee: fee, status: "closed", opentm: at, closetm: at}
		if maker {
			o.price = price
		}
		s.orders = append(s.orders, o)
		s.byTxID[o.txid] = o
		t := &tradeRec{id: newID("T"), order: o, price: price, qty: qty, cost: cost, fee: fee, maker: maker, time: at}
		s.trades = append(s.trades, t)
		s.tradeIDs[t.id] = true
	}
}
