package fakecoinbase

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// wsUserEndpoint is the fake's user-channel WebSocket
// (advanced-trade-ws-user.coinbase.com): subscribe to user with a JWT
// (checked as the market feed checks one; a missing or refused token
// gets {"type":"error","message":"authentication failure"} and the
// connection is closed), the subscriptions answer, a snapshot of the open
// orders, then an update whenever an order's status or cumulative
// quantity changes, and heartbeats every second once subscribed to them.
// Every message carries a sequence_num, counted per connection. As on
// Coinbase, the channel reports orders, never single executions.
type wsUserEndpoint struct {
	once sync.Once
	hub  *fakevenue.WSHub
}

func (s *Server) wsUserHub() *fakevenue.WSHub {
	s.wsUser.once.Do(func() { s.wsUser.hub = fakevenue.NewWSHub(s.v.Closing(), s.serveWSUser) })
	return s.wsUser.hub
}

// WSUserURL is the user-channel WebSocket's URL (ws://…).
func (s *Server) WSUserURL() string { return s.wsUserHub().URL() }

// DropUserStreams closes every open user-channel connection abruptly.
func (s *Server) DropUserStreams() { s.wsUserHub().Drop() }

// UserStreamConnections counts user-channel connections accepted so far.
func (s *Server) UserStreamConnections() int { return s.wsUserHub().Connections() }

// userOrderJSON is an order as the user channel shows it.
func (o *order) userJSON() map[string]any {
	typ := "Limit"
	switch {
	case o.spec.kind == "market_market_ioc":
		typ = "Market"
	case o.spec.isStop():
		typ = "Stop Limit"
	}
	avg, leaves := decimal.Zero, decimal.Zero
	if o.filled.IsPositive() {
		avg = o.filledValue.Div(o.filled)
	}
	if o.working() && o.spec.baseSize.GreaterThan(o.filled) {
		leaves = o.spec.baseSize.Sub(o.filled)
	}
	m := map[string]any{
		"order_id": o.id, "client_order_id": o.clientID, "cumulative_quantity": fx(o.filled), "leaves_quantity": fx(leaves),
		"avg_price": fx(avg), "total_fees": fx(o.fees), "status": o.status, "product_id": o.p.spec.ID,
		"creation_time": o.created.Format(time.RFC3339Nano), "order_side": o.side, "order_type": typ,
		"cancel_reason": "", "reject_reason": "", "filled_value": fx(o.filledValue), "number_of_fills": "0",
		"time_in_force": timeInForce[o.spec.kind], "product_type": "SPOT",
		"total_value_after_fees": fx(o.filledValue.Add(o.fees)), "trigger_status": "INVALID_ORDER_TYPE",
	}
	if o.spec.isLimit() {
		m["limit_price"] = fx(o.spec.limitPrice)
	}
	if o.spec.isStop() {
		m["stop_price"] = fx(o.spec.stopPrice)
	}
	return m
}

// serveWSUser plays one user-channel connection.
func (s *Server) serveWSUser(ctx context.Context, fc *fakevenue.WSConn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	seq := int64(0)
	send := func(channel string, events any) error {
		mu.Lock()
		defer mu.Unlock()
		b, _ := json.Marshal(map[string]any{"channel": channel, "client_id": "", "timestamp": s.now().Format(time.RFC3339Nano),
			"sequence_num": seq, "events": events})
		if s.wsUserHub().Silent() {
			return nil
		}
		seq++
		return fc.Send(ctx, b)
	}
	type seen struct {
		status string
		filled decimal.Decimal
	}
	subscribed := map[string]bool{}
	// The baseline the updates are told against is taken before the
	// subscription is confirmed, so nothing that happens after the
	// confirmation can fall between it and the first update.
	baseline := make(chan map[*order]seen, 1)
	go func() {
		defer cancel()
		for {
			_, msg, err := fc.Read(ctx)
			if err != nil {
				return
			}
			var req wsRequest
			if json.Unmarshal(msg, &req) != nil || req.Type != "subscribe" {
				b, _ := json.Marshal(map[string]string{"type": "error", "message": "malformed request"})
				_ = fc.Send(ctx, b)
				continue
			}
			if req.Channel == "user" && (req.JWT == "" || s.verifyStreamToken(req.JWT) != "") {
				b, _ := json.Marshal(map[string]string{"type": "error", "message": "authentication failure"})
				_ = fc.Send(ctx, b)
				return
			}
			mu.Lock()
			first := !subscribed[req.Channel]
			subscribed[req.Channel] = true
			subs := map[string][]string{}
			for ch := range subscribed {
				subs[ch] = []string{}
			}
			mu.Unlock()
			if req.Channel != "user" || !first {
				_ = send("subscriptions", []any{map[string]any{"subscriptions": subs}})
				continue
			}
			known := map[*order]seen{}
			snap := []any{}
			s.mu.Lock()
			for _, o := range s.orders {
				known[o] = seen{o.status, o.filled}
				if o.working() {
					snap = append(snap, o.userJSON())
				}
			}
			s.mu.Unlock()
			if send("subscriptions", []any{map[string]any{"subscriptions": subs}}) != nil ||
				send("user", []any{map[string]any{"type": "snapshot", "orders": snap}}) != nil {
				return
			}
			baseline <- known
		}
	}()

	var known map[*order]seen // nil until subscribed to user
	tick := time.NewTicker(bookPoll)
	defer tick.Stop()
	heartbeat := s.ws.heartbeat
	if heartbeat <= 0 {
		heartbeat = time.Second
	}
	lastBeat, beats := time.Now(), 0
	for {
		select {
		case <-ctx.Done():
			return
		case known = <-baseline:
		case <-tick.C:
			if known != nil {
				s.mu.Lock()
				var upd []any
				for _, o := range s.orders {
					if was, ok := known[o]; ok && was.status == o.status && was.filled.Equal(o.filled) {
						continue
					}
					known[o] = seen{o.status, o.filled}
					upd = append(upd, o.userJSON())
				}
				s.mu.Unlock()
				if len(upd) > 0 && send("user", []any{map[string]any{"type": "update", "orders": upd}}) != nil {
					return
				}
			}
			mu.Lock()
			beating := subscribed["heartbeats"]
			mu.Unlock()
			if beating && time.Since(lastBeat) >= heartbeat {
				lastBeat = time.Now()
				beats++
				if send("heartbeats", []any{map[string]any{"current_time": s.now().Format(time.RFC3339Nano), "heartbeat_counter": beats}}) != nil {
					return
				}
			}
		}
	}
}
