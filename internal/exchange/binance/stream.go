package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
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
}

// quoteState assembles quotes from the two streams.
type quoteState struct {
	bySymbol map[string]trade.Symbol
	bid, ask map[string]decimal.Decimal
	last     map[string]decimal.Decimal
	now      func() time.Time
}

// apply folds one message in and returns the quote to deliver, if any.
// Quotes go out on book changes, and on last-price changes once the book
// is known, so a subscriber never sees a one-sided quote.
func (st *quoteState) apply(msg []byte) (trade.Quote, bool, error) {
	var env streamEnvelope
	if err := json.Unmarshal(msg, &env); err != nil {
		return trade.Quote{}, false, err
	}
	_, kind, _ := strings.Cut(env.Stream, "@")
	var vs string
	switch kind {
	case "bookTicker":
		var ev bookTickerEvent
		if err := json.Unmarshal(env.Data, &ev); err != nil {
			return trade.Quote{}, false, err
		}
		bid, err1 := venueorder.Decimal("b", ev.Bid)
		ask, err2 := venueorder.Decimal("a", ev.Ask)
		if err := errors.Join(err1, err2); err != nil {
			return trade.Quote{}, false, err
		}
		vs = ev.Symbol
		if _, ok := st.bySymbol[vs]; !ok {
			return trade.Quote{}, false, nil
		}
		st.bid[vs], st.ask[vs] = bid, ask
	case "miniTicker":
		var ev miniTickerEvent
		if err := json.Unmarshal(env.Data, &ev); err != nil {
			return trade.Quote{}, false, err
		}
		c, err := venueorder.Decimal("c", ev.Close)
		if err != nil {
			return trade.Quote{}, false, err
		}
		vs = ev.Symbol
		if _, ok := st.bySymbol[vs]; !ok {
			return trade.Quote{}, false, nil
		}
		st.last[vs] = c
	default:
		return trade.Quote{}, false, nil
	}
	bid, ask := st.bid[vs], st.ask[vs]
	if !bid.IsPositive() || !ask.IsPositive() {
		return trade.Quote{}, false, nil
	}
	return trade.Quote{Symbol: st.bySymbol[vs], Bid: bid, Ask: ask, Last: st.last[vs], Time: st.now().UTC()}, true, nil
}

// fnError carries the callback's error out of the read loop untouched.
type fnError struct{ err error }

func (f *fnError) Error() string { return f.err.Error() }

// StreamQuotes implements exchange.QuoteStreamer over Binance's combined
// market stream; see the package doc for reconnects and the polling
// fallback.
func (e *Exchange) StreamQuotes(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error {
	if len(symbols) == 0 {
		return errors.New("binance: stream quotes: no symbols given")
	}
	st := &quoteState{bySymbol: map[string]trade.Symbol{}, bid: map[string]decimal.Decimal{}, ask: map[string]decimal.Decimal{}, now: e.now}
	var vss, streams []string
	for _, s := range symbols {
		vs, err := venueSymbol(s)
		if err != nil {
			return fmt.Errorf("stream quotes: %w", err)
		}
		if _, seen := st.bySymbol[vs]; seen {
			continue
		}
		st.bySymbol[vs] = s
		vss = append(vss, vs)
		lower := strings.ToLower(vs)
		streams = append(streams, lower+"@bookTicker", lower+"@miniTicker")
	}
	st.last = e.lastPrices(ctx, vss)
	if err := ctx.Err(); err != nil {
		return err
	}
	url := e.wsURL + "/stream?streams=" + strings.Join(streams, "/")

	backoff := e.wsBackoffMin
	failedDials := 0
	everConnected := false
	for {
		connected, delivered, err := e.streamOnce(ctx, url, st, fn)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		var fe *fnError
		if errors.As(err, &fe) {
			return fe.err
		}
		if connected {
			everConnected, failedDials = true, 0
		} else {
			failedDials++
		}
		if !everConnected && failedDials >= e.wsDialAttempts {
			e.log.Warn("binance: market stream unavailable, polling instead", "profile", e.profile, "every", e.pollInterval, "err", err)
			return e.pollQuotes(ctx, symbols, fn)
		}
		// A session that carried data proves the link; start backing off
		// afresh. One that dies at once keeps growing the delay.
		if delivered {
			backoff = e.wsBackoffMin
		}
		wait := backoff/2 + rand.N(backoff/2+1) // jitter spreads reconnect storms
		e.log.Info("binance: market stream lost, reconnecting", "profile", e.profile, "in", wait.Round(time.Millisecond), "err", err)
		if err := venuehttp.Sleep(ctx, wait); err != nil {
			return err
		}
		backoff = min(backoff*2, e.wsBackoffMax)
	}
}

// streamOnce runs one connection until it fails, ctx ends or fn errs.
func (e *Exchange) streamOnce(ctx context.Context, url string, st *quoteState, fn func(trade.Quote) error) (connected, delivered bool, err error) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: e.http})
	if err != nil {
		return false, false, err
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for {
		// The library answers the server's pings while Read runs; the
		// deadline catches a connection that went silent without closing.
		rctx, cancel := context.WithTimeout(ctx, e.wsIdleTimeout)
		_, msg, err := c.Read(rctx)
		cancel()
		if err != nil {
			return true, delivered, err
		}
		q, ok, err := st.apply(msg)
		if err != nil {
			e.log.Debug("binance: skipping unreadable stream message", "err", err)
			continue
		}
		if !ok {
			continue
		}
		delivered = true
		if err := fn(q); err != nil {
			return true, delivered, &fnError{err}
		}
	}
}

// pollQuotes is the fallback when no stream connection can be made: REST
// tickers at a conservative interval (8 weight per round at most).
func (e *Exchange) pollQuotes(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error {
	for {
		qs, err := e.Quotes(ctx, symbols)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		wait := e.pollInterval
		switch {
		case err == nil:
			for _, q := range qs {
				if err := fn(q); err != nil {
					return err
				}
			}
		case exchange.Retryable(err):
			if d, ok := exchange.RetryAfter(err); ok && d > wait {
				wait = d
			}
			e.log.Info("binance: quote poll failed, retrying", "profile", e.profile, "in", wait, "err", err)
		default:
			return err
		}
		if err := venuehttp.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}
