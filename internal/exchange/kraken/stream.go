package kraken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.QuoteStreamer = (*Exchange)(nil)

// wsSymbol is a pair's WebSocket v2 name: BTC/USD. v2 writes assets the
// way tradectl does (BTC, DOGE), not as REST and v1 do (XBT, XDG).
func wsSymbol(s trade.Symbol) string { return s.Base + "/" + s.Quote }

// wsSubscribe is the v2 subscribe request for the ticker channel.
type wsSubscribe struct {
	Method string `json:"method"`
	Params struct {
		Channel      string   `json:"channel"`
		Symbol       []string `json:"symbol"`
		EventTrigger string   `json:"event_trigger"`
		Snapshot     bool     `json:"snapshot"`
	} `json:"params"`
}

// StreamQuotes implements exchange.QuoteStreamer over the WebSocket v2
// ticker channel, on the shared stream core (venuews); see the package doc.
// Symbols are checked against AssetPairs first, so an unknown one fails at
// once as it does for Quotes.
func (e *Exchange) StreamQuotes(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error {
	if len(symbols) == 0 {
		return errors.New("kraken: stream quotes: no symbols given")
	}
	bySymbol := map[string]trade.Symbol{}
	var sub wsSubscribe
	sub.Method, sub.Params.Channel, sub.Params.EventTrigger, sub.Params.Snapshot = "subscribe", "ticker", "bbo", true
	for _, s := range symbols {
		if _, err := e.rulesFor(ctx, s); err != nil {
			return fmt.Errorf("stream quotes: %w", err)
		}
		ws := wsSymbol(s)
		if _, seen := bySymbol[ws]; !seen {
			bySymbol[ws] = s
			sub.Params.Symbol = append(sub.Params.Symbol, ws)
		}
	}
	msg, err := json.Marshal(sub)
	if err != nil {
		return err
	}
	return venuews.Stream(ctx, venuews.Feed{
		Endpoint:   e.Endpoint(e.wsURL),
		Subscribe:  func(context.Context) ([][]byte, error) { return [][]byte{msg}, nil },
		NewDecoder: func() venuews.Decoder { return newTickerDecoder(bySymbol, e.Now).decode },
		Poll:       func(ctx context.Context) ([]trade.Quote, error) { return e.Quotes(ctx, symbols) },
		Timing:     e.wsTiming.ForURL(e.wsURL),
	}, fn)
}

// wsMessage is every v2 message's outer shape: channel messages carry
// channel, type and data; answers to requests carry method, success and
// error.
type wsMessage struct {
	Channel string          `json:"channel"`
	Type    string          `json:"type"`
	Data    json.RawMessage `json:"data"`
	Method  string          `json:"method"`
	Success *bool           `json:"success"`
	Error   string          `json:"error"`
}

// entries decodes into out the data of a message on channel, a snapshot
// or an update (snapshot says which). Everything else a connection hears
// (answers to requests, pongs, heartbeats, status, other channels) has
// none: ok is false. A refused request (a subscription, say) leaves the
// connection without the data asked for, so it starts over (ErrResync).
func (m wsMessage) entries(channel string, out any) (snapshot, ok bool, err error) {
	if m.Success != nil && !*m.Success {
		return false, false, venuews.Resync("kraken refused %q: %s", m.Method, m.Error)
	}
	if m.Method != "" || m.Channel != channel {
		return false, false, nil
	}
	if m.Type != "snapshot" && m.Type != "update" {
		return false, false, fmt.Errorf("%s message of type %q", channel, m.Type)
	}
	if err := json.Unmarshal(m.Data, out); err != nil {
		return false, false, fmt.Errorf("%s data: %w", channel, err)
	}
	return m.Type == "snapshot", true, nil
}

// wsTicker is one ticker entry. v2 sends prices as JSON numbers; decimal
// reads them from their text, never through a float. Absent fields stay
// nil and keep what the connection knew.
type wsTicker struct {
	Symbol string           `json:"symbol"`
	Bid    *decimal.Decimal `json:"bid"`
	Ask    *decimal.Decimal `json:"ask"`
	Last   *decimal.Decimal `json:"last"`
	// The rolling 24-hour figures: change and change_pct against the
	// price 24 hours ago, high, low and volume (base asset).
	Change    *decimal.Decimal `json:"change"`
	ChangePct *decimal.Decimal `json:"change_pct"`
	High      *decimal.Decimal `json:"high"`
	Low       *decimal.Decimal `json:"low"`
	Volume    *decimal.Decimal `json:"volume"`
	Timestamp string           `json:"timestamp"`
}

// tickerDecoder assembles quotes on one connection: a symbol's snapshot,
// then its updates folded over it.
type tickerDecoder struct {
	bySymbol map[string]trade.Symbol
	quotes   map[string]trade.Quote
	now      func() time.Time
}

func newTickerDecoder(bySymbol map[string]trade.Symbol, now func() time.Time) *tickerDecoder {
	return &tickerDecoder{bySymbol: bySymbol, quotes: make(map[string]trade.Quote, len(bySymbol)), now: now}
}

func (d *tickerDecoder) decode(msg []byte) ([]trade.Quote, error) {
	var m wsMessage
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, err
	}
	var ts []wsTicker
	if _, ok, err := m.entries("ticker", &ts); !ok {
		return nil, err
	}
	var out []trade.Quote
	for _, t := range ts {
		sym, ok := d.bySymbol[t.Symbol]
		if !ok {
			continue
		}
		q, had := d.quotes[t.Symbol]
		if !had && m.Type == "update" {
			// An update before the symbol's snapshot would build on
			// nothing; v2 sends the snapshot first, so wait for it.
			continue
		}
		q.Symbol = sym
		for _, f := range []struct {
			name string
			v    *decimal.Decimal
			dst  *decimal.Decimal
		}{{"bid", t.Bid, &q.Bid}, {"ask", t.Ask, &q.Ask}, {"last", t.Last, &q.Last}} {
			if f.v == nil {
				continue
			}
			if f.v.IsNegative() {
				return nil, fmt.Errorf("%s %s: negative %s", t.Symbol, f.name, f.v)
			}
			*f.dst = *f.v
		}
		gotStats := t.Change != nil || t.ChangePct != nil
		for _, f := range []struct {
			name string
			v    *decimal.Decimal
			dst  **decimal.Decimal
		}{{"high", t.High, &q.High24h}, {"low", t.Low, &q.Low24h}, {"volume", t.Volume, &q.Volume24h}} {
			if f.v == nil {
				continue
			}
			gotStats = true
			if f.v.IsNegative() {
				return nil, fmt.Errorf("%s %s: negative %s", t.Symbol, f.name, f.v)
			}
			*f.dst = trade.DecimalPtr(*f.v)
		}
		if t.Change != nil {
			q.Change24h = trade.DecimalPtr(*t.Change)
		}
		if t.ChangePct != nil {
			q.Change24hPct = trade.DecimalPtr(*t.ChangePct)
		}
		q.Time = d.now().UTC()
		if at, err := time.Parse(time.RFC3339Nano, t.Timestamp); err == nil {
			q.Time = at.UTC()
		}
		if gotStats {
			// Only a message that carried figures dates them.
			st := trade.JSONTime(q.Time)
			q.StatsTime = &st
		}
		d.quotes[t.Symbol] = q
		if q.Bid.IsPositive() && q.Ask.IsPositive() {
			out = append(out, q)
		}
	}
	return out, nil
}
