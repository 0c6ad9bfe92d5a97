package fakealpaca

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// tradeStream is the fake's trading stream (wss://paper-api.alpaca.markets
// /stream): {"action":"auth","key","secret"} answered on the authorization
// stream (authorized, or unauthorized and the connection closed), then
// {"action":"listen"} answered on the listening stream, then
// trade_updates as the fake's orders change: new, fill and partial_fill
// (with execution_id, price, qty and position_qty), canceled, expired,
// rejected, replaced and the pending_ events, each with the order object
// as REST shows it. While a stream listens, pending orders are processed
// as time passes rather than before the next request. As on Alpaca's paper host, every message is a binary
// frame holding JSON. A listen before the key is accepted is refused.
type tradeStream struct {
	once sync.Once
	hub  *fakevenue.WSHub
}

func (s *Server) tradeHub() *fakevenue.WSHub {
	s.stream.once.Do(func() { s.stream.hub = fakevenue.NewWSHub(s.v.Closing(), s.serveTradeStream) })
	return s.stream.hub
}

// StreamURL is the trading stream's URL (ws://…/stream).
func (s *Server) StreamURL() string { return s.tradeHub().URL() + "/stream" }

// DropTradeStreams closes every open trading-stream connection abruptly.
func (s *Server) DropTradeStreams() { s.tradeHub().Drop() }

// TradeStreamConnections counts trading-stream connections accepted so far.
func (s *Server) TradeStreamConnections() int { return s.tradeHub().Connections() }

// streamEvent is the trade_updates event an order status announces.
var streamEvent = map[string]string{
	"new": "new", "accepted": "new", "pending_new": "pending_new", "canceled": "canceled", "expired": "expired",
	"rejected": "rejected", "replaced": "replaced", "pending_cancel": "pending_cancel", "pending_replace": "pending_replace",
	"done_for_day": "done_for_day", "held": "new",
}

// executionID is a fill's execution id: the uuid of its activity id.
func executionID(f Fill) string {
	_, uuid, _ := strings.Cut(f.ID, "::")
	return uuid
}

func (s *Server) serveTradeStream(ctx context.Context, c *fakevenue.WSConn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wmu sync.Mutex
	send := func(stream string, data any) error {
		b, _ := json.Marshal(map[string]any{"stream": stream, "data": data})
		if s.tradeHub().Silent() {
			return nil
		}
		wmu.Lock()
		defer wmu.Unlock()
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
		defer wcancel()
		return c.Write(wctx, websocket.MessageBinary, b)
	}
	type seen struct {
		status string
	}
	// The baseline (orders and fills so far; like Alpaca, no snapshot:
	// what happened before is REST's) is taken before listening is
	// confirmed, so nothing after the confirmation is left out.
	type start struct {
		known map[*order]seen
		fills int
	}
	listening := make(chan start, 1)
	go func() {
		defer cancel()
		authorized, began := false, false
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			var req struct {
				Action string `json:"action"`
				Key    string `json:"key"`
				Secret string `json:"secret"`
				Data   struct {
					Streams []string `json:"streams"`
				} `json:"data"`
			}
			if json.Unmarshal(msg, &req) != nil {
				_ = send("error", map[string]string{"error_message": "invalid syntax"})
				continue
			}
			switch req.Action {
			case "auth", "authenticate":
				if !hmac.Equal([]byte(req.Key), []byte(s.keyID)) || !hmac.Equal([]byte(req.Secret), []byte(s.secret)) {
					_ = send("authorization", map[string]string{"action": "authenticate", "status": "unauthorized"})
					return
				}
				authorized = true
				_ = send("authorization", map[string]string{"action": "authenticate", "status": "authorized"})
			case "listen":
				if !authorized {
					_ = send("authorization", map[string]string{"action": "listen", "status": "unauthorized"})
					return
				}
				streams := []string{}
				for _, st := range req.Data.Streams {
					if st == "trade_updates" {
						streams = append(streams, st)
					}
				}
				if len(streams) == 0 || began {
					_ = send("listening", map[string]any{"streams": streams})
					continue
				}
				began = true
				st := start{known: map[*order]seen{}}
				s.mu.Lock()
				for _, o := range s.orders {
					st.known[o] = seen{status: o.status}
				}
				st.fills = len(s.fills)
				s.mu.Unlock()
				if send("listening", map[string]any{"streams": streams}) != nil {
					return
				}
				listening <- st
			}
		}
	}()

	var known map[*order]seen // nil until listening
	sentFills := 0
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case st := <-listening:
			known, sentFills = st.known, st.fills
			continue
		case <-tick.C:
			if known == nil {
				continue
			}
		}
		var out []map[string]any
		s.mu.Lock()
		// Alpaca works orders whether or not anyone asks: with a listener,
		// the fake does not wait for the next request either.
		s.processLocked()
		for _, o := range s.orders {
			if _, ok := known[o]; !ok {
				ev := "new"
				if o.status == "pending_new" {
					ev = "pending_new"
				}
				known[o] = seen{status: ev} // a status of the same name
				out = append(out, map[string]any{"event": ev, "timestamp": stamp(o.created), "order": o.wire()})
			}
		}
		for _, f := range s.fills[sentFills:] {
			o := s.byID[f.OrderID]
			if o == nil {
				continue
			}
			event := f.Type // fill or partial_fill, as the activity says
			pos := "0"
			if p := s.positions[o.asset.spec.Symbol]; p != nil {
				pos = p.qty.String()
			}
			out = append(out, map[string]any{"event": event, "execution_id": executionID(f), "price": f.Price.String(),
				"qty": f.Qty.String(), "position_qty": pos, "timestamp": stamp(f.Time), "order": o.wire()})
			k := known[o]
			k.status = o.status
			known[o] = k
		}
		sentFills = len(s.fills)
		for _, o := range s.orders {
			k := known[o]
			if k.status == o.status {
				continue
			}
			k.status = o.status
			known[o] = k
			if ev, ok := streamEvent[o.status]; ok {
				out = append(out, map[string]any{"event": ev, "timestamp": stamp(o.updated), "order": o.wire()})
			}
		}
		s.mu.Unlock()
		for _, d := range out {
			if send("trade_updates", d) != nil {
				return
			}
		}
	}
}
