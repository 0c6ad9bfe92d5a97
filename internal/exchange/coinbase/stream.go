package coinbase

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebook"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.QuoteStreamer = (*Exchange)(nil)

// wsSubscribe is one subscribe request: Coinbase takes one channel per
// message. JWT is set when the profile has a usable key.
type wsSubscribe struct {
	Type       string   `json:"type"`
	ProductIDs []string `json:"product_ids,omitempty"`
	Channel    string   `json:"channel"`
	JWT        string   `json:"jwt,omitempty"`
}

// StreamQuotes implements exchange.QuoteStreamer over the Advanced Trade
// market-data WebSocket (ticker and heartbeats channels), on the shared
// stream core (venuews); see the package doc. Symbols are checked against
// the product list first, so an unknown one fails at once as it does for
// Quotes.
func (e *Exchange) StreamQuotes(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error {
	if len(symbols) == 0 {
		return errors.New("coinbase: stream quotes: no symbols given")
	}
	byID := map[string]trade.Symbol{}
	var ids []string
	for _, s := range symbols {
		if _, err := e.rulesFor(ctx, s); err != nil {
			return fmt.Errorf("stream quotes: %w", err)
		}
		if id := s.String(); byID[id] == (trade.Symbol{}) {
			byID[id] = s
			ids = append(ids, id)
		}
	}
	creds := e.streamCredentials(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	return venuews.Stream(ctx, venuews.Feed{
		Endpoint: e.Endpoint(e.wsURL),
		Subscribe: func(context.Context) ([][]byte, error) {
			// Built per connection: a token lives two minutes.
			return e.subscribeMessages(creds, "ticker", ids)
		},
		NewDecoder: func() venuews.Decoder { return newTickerDecoder(byID, e.Now).decode },
		Poll:       func(ctx context.Context) ([]trade.Quote, error) { return e.Quotes(ctx, symbols) },
		Timing:     e.wsTiming.ForURL(e.wsURL),
	}, fn)
}

// streamCredentials is the key the subscriptions are signed with, or nil:
// market data needs none, and a key that cannot be used only costs the
// reliability Coinbase promises authenticated connections.
func (e *Exchange) streamCredentials(ctx context.Context) *credentials {
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		if !errors.Is(err, errNoCredentials) && ctx.Err() == nil {
			e.Log.Debug("coinbase: streaming without a key: the key cannot be used", "profile", e.Profile, "err", err)
		}
		return nil
	}
	return creds
}

// subscribeMessages are heartbeats (which keep the connection open and
// prove it alive every second) and channel (ticker, level2) for ids, each
// with a fresh token when creds is set. The token is never logged.
func (e *Exchange) subscribeMessages(creds *credentials, channel string, ids []string) ([][]byte, error) {
	subs := []wsSubscribe{
		{Type: "subscribe", Channel: "heartbeats"},
		{Type: "subscribe", Channel: channel, ProductIDs: ids},
	}
	out := make([][]byte, 0, len(subs))
	for _, s := range subs {
		if creds != nil {
			// WebSocket tokens carry no uri claim.
			tok, err := signJWT(creds.keyName, creds.key, "", e.Now(), rand.Reader)
			if err != nil {
				return nil, err
			}
			s.JWT = tok
		}
		b, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// wsMessage is every market-data message's outer shape; errors carry type
// "error" and a message instead.
type wsMessage struct {
	Type        string          `json:"type"`
	Message     string          `json:"message"`
	Channel     string          `json:"channel"`
	Timestamp   string          `json:"timestamp"`
	SequenceNum *int64          `json:"sequence_num"`
	Events      json.RawMessage `json:"events"`
}

type wsTickerEvent struct {
	Type    string `json:"type"` // snapshot or update
	Tickers []struct {
		ProductID string `json:"product_id"`
		Price     string `json:"price"`
		BestBid   string `json:"best_bid"`
		BestAsk   string `json:"best_ask"`
		// The rolling 24-hour figures; the ticker has no absolute change.
		Volume24h    string `json:"volume_24_h"`
		Low24h       string `json:"low_24_h"`
		High24h      string `json:"high_24_h"`
		ChangePct24h string `json:"price_percent_chg_24_h"`
	} `json:"tickers"`
}

// tickerDecoder assembles quotes on one connection and watches its
// sequence numbers: a gap means messages were lost, so the connection is
// given up for a fresh snapshot.
type tickerDecoder struct {
	byID   map[string]trade.Symbol
	quotes map[string]trade.Quote
	now    func() time.Time
	seq    wsSequence
}

func newTickerDecoder(byID map[string]trade.Symbol, now func() time.Time) *tickerDecoder {
	return &tickerDecoder{byID: byID, quotes: make(map[string]trade.Quote, len(byID)), now: now}
}

func (d *tickerDecoder) decode(msg []byte) ([]trade.Quote, error) {
	m, fresh, err := d.seq.read(msg, marketDataError)
	if !fresh {
		return nil, err
	}
	if m.Channel != "ticker" {
		return nil, nil // heartbeats, subscriptions
	}
	var evs []wsTickerEvent
	if err := json.Unmarshal(m.Events, &evs); err != nil {
		return nil, fmt.Errorf("ticker events: %w", err)
	}
	at := d.now().UTC()
	if t, ok := parseTime(m.Timestamp); ok {
		at = t
	}
	var out []trade.Quote
	for _, ev := range evs {
		if ev.Type != "snapshot" && ev.Type != "update" {
			return nil, fmt.Errorf("ticker event of type %q", ev.Type)
		}
		for _, t := range ev.Tickers {
			sym, ok := d.byID[t.ProductID]
			if !ok {
				continue
			}
			q, had := d.quotes[t.ProductID]
			if !had && ev.Type == "update" {
				continue // the snapshot comes first; nothing to build on yet
			}
			q.Symbol, q.Time = sym, at
			if err := setPrice(&q.Bid, "best_bid", t.BestBid); err != nil {
				return nil, err
			}
			if err := setPrice(&q.Ask, "best_ask", t.BestAsk); err != nil {
				return nil, err
			}
			if err := setPrice(&q.Last, "price", t.Price); err != nil {
				return nil, err
			}
			// An empty figure keeps what the connection knew.
			if err := venuebook.Figures(venuebook.Unsigned("volume_24_h", t.Volume24h, &q.Volume24h), venuebook.Unsigned("low_24_h", t.Low24h, &q.Low24h),
				venuebook.Unsigned("high_24_h", t.High24h, &q.High24h), venuebook.Signed("price_percent_chg_24_h", t.ChangePct24h, &q.Change24hPct)); err != nil {
				return nil, err
			}
			if t.Volume24h != "" || t.Low24h != "" || t.High24h != "" || t.ChangePct24h != "" {
				// Only a ticker that carried figures dates them.
				st := trade.JSONTime(at)
				q.StatsTime = &st
			}
			d.quotes[t.ProductID] = q
			if q.Bid.IsPositive() && q.Ask.IsPositive() {
				out = append(out, q)
			}
		}
	}
	return out, nil
}

// setPrice reads a price field into dst; an empty field keeps what the
// connection knew.
func setPrice(dst *decimal.Decimal, field, text string) error {
	if text == "" {
		return nil
	}
	d, err := venueorder.Decimal(field, text)
	if err != nil {
		return err
	}
	if d.IsNegative() {
		return fmt.Errorf("%s: negative price %s", field, text)
	}
	*dst = d
	return nil
}
