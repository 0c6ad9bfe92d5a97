package alpaca

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.OrderEventStreamer = (*Exchange)(nil)

// tradeStreamPing is how often the trade stream is pinged: trade_updates
// has no heartbeat, and an account with nothing happening is silent.
const tradeStreamPing = 20 * time.Second

// StreamOrderEvents implements exchange.OrderEventStreamer over the
// trading stream's trade_updates; see the package doc. The key and secret
// go in the auth message and nowhere else; a refused key ends the stream
// with ErrAuth.
func (e *Exchange) StreamOrderEvents(ctx context.Context, fn func(exchange.OrderEvent) error) error {
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return err
	}
	timing := e.streamTiming
	if timing.PingInterval == 0 {
		timing.PingInterval = tradeStreamPing
	}
	return venuews.StreamEvents(ctx, venuews.EventFeed{
		Endpoint: e.Endpoint(e.streamURL),
		Timing:   timing,
		Subscribe: func(context.Context) ([][]byte, error) {
			msg, err := json.Marshal(map[string]string{"action": "auth", "key": creds.keyID, "secret": creds.secret})
			return [][]byte{msg}, err
		},
		NewDialogue: func(send func([]byte)) venuews.EventDecoder {
			return newTradeUpdatesDecoder(e.mapStreamOrder, send, e.Now).decode
		},
	}, fn)
}

// mapStreamOrder maps the order a trade update carries, as REST's are
// mapped, stamped with the profile.
func (e *Exchange) mapStreamOrder(w orderWire) (trade.Order, error) {
	o, err := e.mapOrder(w, nil)
	if err != nil {
		return trade.Order{}, err
	}
	o.Profile = e.Profile
	return o, nil
}

// listenMessage asks for trade_updates once the key is accepted.
var listenMessage = []byte(`{"action":"listen","data":{"streams":["trade_updates"]}}`)

// wsEnvelope is every trading-stream message: a stream name and its data.
type wsEnvelope struct {
	Stream string          `json:"stream"`
	Data   json.RawMessage `json:"data"`
}

// wsTradeUpdate is one trade_updates event. execution_id, price and qty
// come with fill and partial_fill (the execution's own price and
// quantity); order is the order after the event.
type wsTradeUpdate struct {
	Event       string    `json:"event"`
	ExecutionID string    `json:"execution_id"`
	Price       string    `json:"price"`
	Qty         string    `json:"qty"`
	Timestamp   string    `json:"timestamp"`
	Order       orderWire `json:"order"`
}

// tradeUpdatesDecoder reads one connection: authorization, listening,
// then trade updates.
type tradeUpdatesDecoder struct {
	mapOrder func(orderWire) (trade.Order, error)
	send     func([]byte)
	now      func() time.Time
}

func newTradeUpdatesDecoder(mapOrder func(orderWire) (trade.Order, error), send func([]byte), now func() time.Time) *tradeUpdatesDecoder {
	return &tradeUpdatesDecoder{mapOrder: mapOrder, send: send, now: now}
}

func (d *tradeUpdatesDecoder) decode(msg []byte) ([]exchange.OrderEvent, error) {
	var m wsEnvelope
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, err
	}
	switch m.Stream {
	case "authorization":
		var a struct {
			Status  string `json:"status"`
			Action  string `json:"action"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(m.Data, &a); err != nil {
			return nil, fmt.Errorf("authorization: %w", err)
		}
		if a.Status != "authorized" {
			return nil, venuews.Fatal(&exchange.Error{Kind: exchange.ErrAuth, Venue: venueName,
				Message: strings.TrimSpace("trade stream refused the key: " + a.Status + " " + a.Message)})
		}
		d.send(listenMessage)
		return nil, nil
	case "listening":
		var l struct {
			Streams []string `json:"streams"`
		}
		if err := json.Unmarshal(m.Data, &l); err != nil {
			return nil, fmt.Errorf("listening: %w", err)
		}
		for _, s := range l.Streams {
			if s == "trade_updates" {
				return []exchange.OrderEvent{{Kind: exchange.EventConnected, Time: d.now().UTC()}}, nil
			}
		}
		// Alpaca leaves out a stream it will not serve: asking again
		// would get the same answer.
		return nil, venuews.Fatal(&exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName,
			Message: "the trade stream does not offer trade_updates"})
	case "trade_updates":
	default:
		return nil, nil
	}
	var u wsTradeUpdate
	if err := json.Unmarshal(m.Data, &u); err != nil {
		return nil, fmt.Errorf("trade update: %w", err)
	}
	if u.Event == "" || u.Order.ID == "" {
		return nil, fmt.Errorf("trade update without event or order id")
	}
	o, err := d.mapOrder(u.Order)
	if err != nil {
		return nil, fmt.Errorf("trade update %s of %s: %w", u.Event, u.Order.ID, err)
	}
	at := d.now().UTC()
	if u.Timestamp != "" {
		t, err := venueorder.Time("timestamp", u.Timestamp)
		if err != nil {
			return nil, err
		}
		at = t.UTC()
	}
	if u.Event != "fill" && u.Event != "partial_fill" {
		return []exchange.OrderEvent{{Kind: exchange.EventOrder, Order: &o, Time: at}}, nil
	}
	qty, err := venueorder.Decimal("qty", u.Qty)
	if err != nil {
		return nil, err
	}
	price, err := venueorder.Decimal("price", u.Price)
	if err != nil {
		return nil, err
	}
	if !qty.IsPositive() || price.IsNegative() || u.ExecutionID == "" {
		return nil, fmt.Errorf("%s of %s: execution_id %q, qty %s, price %s", u.Event, o.ID, u.ExecutionID, qty, price)
	}
	f := trade.Fill{ID: u.ExecutionID, OrderID: o.ID, ClientID: o.ClientID, Symbol: o.Symbol, Side: o.Side,
		Qty: qty, Price: price, Time: at}
	// The order event follows, as on every venue: whoever waits for a
	// status need not look inside fills.
	return []exchange.OrderEvent{
		{Kind: exchange.EventFill, Fill: &f, Order: &o, Time: at},
		{Kind: exchange.EventOrder, Order: &o, Time: at},
	}, nil
}
