package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/venuebook"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

// streamEnvelope wraps every combined-stream message.
type streamEnvelope struct {
	Stream string          `json:"stream"`
	Data   json.RawMessage `json:"data"`
}

// bookTickerEvent is <symbol>@bookTicker. Binance uses keys that differ only
// in case ("b" price, "B" quantity); encoding/json matches keys without
// regard to case, so both must be declared or the quantity would overwrite
// the price.
type bookTickerEvent struct {
	UpdateID int64  `json:"u"`
	Symbol   string `json:"s"`
	Bid      string `json:"b"`
	BidQty   string `json:"B"`
	Ask      string `json:"a"`
	AskQty   string `json:"A"`
}

// miniTickerEvent is <symbol>@miniTicker; "e"/"E" likewise both declared.
type miniTickerEvent struct {
	Event     string `json:"e"`
	EventTime int64  `json:"E"`
	Symbol    string `json:"s"`
	Close     string `json:"c"`
	// The rolling 24-hour window: open, high, low, base-asset volume.
	Open   string `json:"o"`
	High   string `json:"h"`
	Low    string `json:"l"`
	Volume string `json:"v"`
}

// quoteState assembles quotes from the two streams for one connection.
// Bid and ask start empty on every connection, so a quote is only ever
// built from the book that connection delivered; the last price (a trade
// that happened, not a standing offer) carries over.
type quoteState struct {
	bySymbol map[string]trade.Symbol
	bid, ask map[string]decimal.Decimal
	last     map[string]decimal.Decimal
	stats    map[string]trade.Stats24h
	now      func() time.Time
}

// decode folds one message in and returns the quote to deliver, if any.
// Quotes go out on book changes, and on last-price changes once the book
// is known, so a subscriber never sees a one-sided quote.
func (st *quoteState) decode(msg []byte) ([]trade.Quote, error) {
	var env streamEnvelope
	if err := json.Unmarshal(msg, &env); err != nil {
		return nil, err
	}
	_, kind, _ := strings.Cut(env.Stream, "@")
	var vs string
	switch kind {
	case "bookTicker":
		var ev bookTickerEvent
		if err := json.Unmarshal(env.Data, &ev); err != nil {
			return nil, err
		}
		bid, err1 := venueorder.Decimal("b", ev.Bid)
		ask, err2 := venueorder.Decimal("a", ev.Ask)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		vs = ev.Symbol
		if _, ok := st.bySymbol[vs]; !ok {
			return nil, nil
		}
		st.bid[vs], st.ask[vs] = bid, ask
	case "miniTicker":
		var ev miniTickerEvent
		if err := json.Unmarshal(env.Data, &ev); err != nil {
			return nil, err
		}
		c, err := venueorder.Decimal("c", ev.Close)
		if err != nil {
			return nil, err
		}
		vs = ev.Symbol
		if _, ok := st.bySymbol[vs]; !ok {
			return nil, nil
		}
		stats, err := miniTickerStats(ev, c)
		if err != nil {
			return nil, err
		}
		st.last[vs] = c
		if st.stats == nil {
			st.stats = map[string]trade.Stats24h{}
		}
		st.stats[vs] = stats
	default:
		return nil, nil
	}
	bid, ask := st.bid[vs], st.ask[vs]
	if !bid.IsPositive() || !ask.IsPositive() {
		return nil, nil
	}
	return []trade.Quote{{Symbol: st.bySymbol[vs], Bid: bid, Ask: ask, Last: st.last[vs], Time: st.now().UTC(), Stats24h: st.stats[vs]}}, nil
}

// binancePctPlaces is how many places Binance gives priceChangePercent
// in its 24hr ticker ("P":"-2.491"): a change derived here is rounded the
// same way.
const binancePctPlaces = 3

// miniTickerStats reads the rolling window of a miniTicker: change and
// change_pct are the close against the window's open, as Binance's 24hr
// ticker computes priceChange and priceChangePercent.
func miniTickerStats(ev miniTickerEvent, close decimal.Decimal) (trade.Stats24h, error) {
	var out trade.Stats24h
	if err := venuebook.Figures(venuebook.Unsigned("h", ev.High, &out.High24h), venuebook.Unsigned("l", ev.Low, &out.Low24h),
		venuebook.Unsigned("v", ev.Volume, &out.Volume24h)); err != nil {
		return trade.Stats24h{}, err
	}
	if ev.Open != "" {
		open, err := venueorder.Decimal("o", ev.Open)
		if err != nil {
			return trade.Stats24h{}, err
		}
		if open.IsPositive() {
			out.Change24h = trade.DecimalPtr(close.Sub(open))
			out.Change24hPct = trade.DecimalPtr(close.Sub(open).Mul(decimal.NewFromInt(100)).DivRound(open, binancePctPlaces))
		}
	}
	if ev.EventTime > 0 && out.Has24h() {
		at := trade.JSONTime(time.UnixMilli(ev.EventTime).UTC())
		out.StatsTime = &at
	}
	return out, nil
}

// streamPollFor is how long the polling fallback lasts before the market
// stream is tried again.
const streamPollFor = 2 * time.Minute

// StreamQuotes implements exchange.QuoteStreamer over Binance's combined
// market stream, on the shared stream core (venuews); see the package doc
// for reconnects and the polling fallback.
func (e *Exchange) StreamQuotes(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error {
	if len(symbols) == 0 {
		return errors.New("binance: stream quotes: no symbols given")
	}
	vss, bySymbol, err := venueSymbols(symbols)
	if err != nil {
		return fmt.Errorf("stream quotes: %w", err)
	}
	var streams []string
	for _, vs := range vss {
		lower := strings.ToLower(vs)
		streams = append(streams, lower+"@bookTicker", lower+"@miniTicker")
	}
	last := e.lastPrices(ctx, vss)
	if err := ctx.Err(); err != nil {
		return err
	}
	return venuews.Stream(ctx, venuews.Feed{
		Endpoint: e.Endpoint(e.wsURL + "/stream?streams=" + strings.Join(streams, "/")),
		NewDecoder: func() venuews.Decoder {
			st := &quoteState{bySymbol: bySymbol, bid: map[string]decimal.Decimal{}, ask: map[string]decimal.Decimal{}, last: last, now: e.Now}
			return st.decode
		},
		// REST tickers at a conservative interval (8 weight per round at most).
		Poll: func(ctx context.Context) ([]trade.Quote, error) { return e.Quotes(ctx, symbols) },
		Timing: venuews.Timing{
			BackoffMin:         e.wsBackoffMin,
			BackoffMax:         e.wsBackoffMax,
			FailuresBeforePoll: e.wsDialAttempts,
			IdleTimeout:        e.wsIdleTimeout,
			PollInterval:       e.pollInterval,
			PollFor:            streamPollFor,
		},
	}, fn)
}
