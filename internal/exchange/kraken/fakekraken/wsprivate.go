package fakekraken

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// The fake's authenticated WebSocket v2 endpoint (ws-auth.kraken.com/v2)
// and the REST call that issues its tokens, GetWebSocketsToken. The
// executions channel sends the open orders as a snapshot on subscribe,
// then, as the fake's orders change: exec_type "new" for an order placed,
// "trade" for each of its trades (exec_id, last_qty, last_price, fees,
// liquidity_ind, with order_status and cum_qty after it), then "filled",
// "canceled" or "expired" when it ends. A subscribe with a token the fake
// did not issue is refused with "EAccount:Invalid permissions".
type wsPrivate struct {
	once sync.Once
	hub  *fakevenue.WSHub

	mu     sync.Mutex
	tokens map[string]bool
}

func init() {
	privateEndpoints[pathGetWebSocketsToken] = (*Server).handleGetWebSocketsToken
}

const pathGetWebSocketsToken = "/0/private/GetWebSocketsToken"

// tokenLifetime is what Kraken says a token lasts unused, in seconds.
const tokenLifetime = 900

func (s *Server) handleGetWebSocketsToken(params) (any, string) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	token := base64.RawStdEncoding.EncodeToString(b)
	s.wsAuth.mu.Lock()
	if s.wsAuth.tokens == nil {
		s.wsAuth.tokens = map[string]bool{}
	}
	s.wsAuth.tokens[token] = true
	s.wsAuth.mu.Unlock()
	return map[string]any{"token": token, "expires": tokenLifetime}, ""
}

func (s *Server) validToken(token string) bool {
	s.wsAuth.mu.Lock()
	defer s.wsAuth.mu.Unlock()
	return s.wsAuth.tokens[token]
}

func (s *Server) wsAuthHub() *fakevenue.WSHub {
	s.wsAuth.once.Do(func() { s.wsAuth.hub = fakevenue.NewWSHub(s.v.Closing(), s.serveWSAuth) })
	return s.wsAuth.hub
}

// WSAuthURL is the authenticated WebSocket v2 endpoint (ws://…/v2), the
// form of Kraken's wss://ws-auth.kraken.com/v2.
func (s *Server) WSAuthURL() string { return s.wsAuthHub().URL() + "/v2" }

// DropOrderStreams closes every open authenticated connection abruptly.
func (s *Server) DropOrderStreams() { s.wsAuthHub().Drop() }

// OrderStreamConnections counts authenticated connections accepted so far.
func (s *Server) OrderStreamConnections() int { return s.wsAuthHub().Connections() }

// sentOrder is what a connection last told of an order.
type sentOrder struct {
	status string
	trades int
}

func (s *Server) executionLocked(o *order, execType, status string) map[string]any {
	x := map[string]any{
		"exec_type": execType, "order_id": o.txid, "symbol": s.v2AssetLocked(o.pair.spec.Base) + "/" + s.v2AssetLocked(o.pair.spec.Quote),
		"side": o.side, "order_type": o.ordertype, "order_qty": num(o.vol), "order_status": status,
		"cum_qty": num(o.volExec), "cum_cost": num(o.cost), "time_in_force": "GTC",
		"timestamp": s.clock().UTC().Format(time.RFC3339Nano),
	}
	if o.clOrdID != "" {
		x["cl_ord_id"] = o.clOrdID
	}
	if o.ordertype == "limit" {
		x["limit_price"] = num(o.price)
	}
	if o.volExec.IsPositive() && status != "new" {
		x["avg_price"] = num(o.cost.Div(o.volExec))
	}
	if status == "new" {
		x["cum_qty"], x["cum_cost"] = num(decimal.Zero), num(decimal.Zero) // as it was when placed
	}
	return x
}

// v2Status is the executions channel's order_status for an order.
func v2Status(o *order) string {
	switch o.status {
	case "pending":
		return "pending_new"
	case "open":
		if o.volExec.IsPositive() {
			return "partially_filled"
		}
		return "new"
	case "closed":
		if o.volExec.GreaterThanOrEqual(o.vol) {
			return "filled"
		}
		return "canceled"
	}
	return o.status // canceled, expired
}

// serveWSAuth plays one authenticated connection: a reader answers
// requests, the loop pushes the account's executions and heartbeats.
func (s *Server) serveWSAuth(ctx context.Context, c *fakevenue.WSConn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	now := func() string { return s.clock().UTC().Format(time.RFC3339Nano) }
	_ = c.Send(ctx, marshal(map[string]any{"channel": "status", "type": "update", "data": []any{map[string]any{
		"api_version": "v2", "connection_id": 2000 + c.N, "system": "online", "version": "2.0.0"}}}))
	subscribed := make(chan struct{}, 1)
	go func() {
		defer cancel()
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			var req struct {
				Method string `json:"method"`
				Params struct {
					Channel string `json:"channel"`
					Token   string `json:"token"`
				} `json:"params"`
			}
			if json.Unmarshal(msg, &req) != nil {
				_ = c.Send(ctx, marshal(map[string]any{"error": "Malformed request", "success": false, "time_in": now(), "time_out": now()}))
				continue
			}
			switch {
			case req.Method == "ping":
				_ = c.Send(ctx, marshal(map[string]any{"method": "pong", "time_in": now(), "time_out": now()}))
			case req.Method != "subscribe":
			case req.Params.Channel != "executions":
				_ = c.Send(ctx, marshal(map[string]any{"method": "subscribe", "error": "Channel not supported", "success": false, "time_in": now(), "time_out": now()}))
			case !s.validToken(req.Params.Token):
				_ = c.Send(ctx, marshal(map[string]any{"method": "subscribe", "error": "EAccount:Invalid permissions", "success": false, "time_in": now(), "time_out": now()}))
			default:
				select {
				case subscribed <- struct{}{}:
				default:
				}
			}
		}
	}()

	heartbeat := s.ws.heartbeat
	if heartbeat <= 0 {
		heartbeat = time.Second
	}
	tick := time.NewTicker(bookPoll)
	defer tick.Stop()
	var sent map[*order]sentOrder // nil until subscribed
	lastSent := time.Now()
	for {
		var msgs [][]byte
		select {
		case <-ctx.Done():
			return
		case <-subscribed:
			if sent != nil {
				continue
			}
			sent = map[*order]sentOrder{}
			s.mu.Lock()
			snap := []map[string]any{}
			for _, o := range s.orders {
				n := s.tradesOfLocked(o)
				sent[o] = sentOrder{status: v2Status(o), trades: n}
				if o.working() {
					snap = append(snap, s.executionLocked(o, "new", v2Status(o)))
				}
			}
			s.mu.Unlock()
			msgs = append(msgs,
				marshal(map[string]any{"method": "subscribe", "result": map[string]any{"channel": "executions", "snapshot": true},
					"success": true, "time_in": now(), "time_out": now()}),
				marshal(map[string]any{"channel": "executions", "type": "snapshot", "data": snap, "sequence": 1}))
		case <-tick.C:
			if sent == nil {
				continue
			}
			s.mu.Lock()
			var data []map[string]any
			for _, o := range s.orders {
				was, seen := sent[o]
				status := v2Status(o)
				if !seen {
					data = append(data, s.executionLocked(o, "new", "new"))
					was = sentOrder{status: "new"}
				}
				trades := s.tradesListLocked(o)
				for _, t := range trades[was.trades:] {
					data = append(data, s.tradeExecutionLocked(o, t, trades))
				}
				was.trades = len(trades)
				if status != was.status && (status == "filled" || status == "canceled" || status == "expired") {
					data = append(data, s.executionLocked(o, status, status))
				}
				was.status = status
				sent[o] = was
			}
			s.mu.Unlock()
			if len(data) > 0 {
				msgs = append(msgs, marshal(map[string]any{"channel": "executions", "type": "update", "data": data}))
			} else if time.Since(lastSent) >= heartbeat {
				msgs = append(msgs, []byte(`{"channel":"heartbeat"}`))
			}
		}
		for _, m := range msgs {
			if err := c.Send(ctx, m); err != nil {
				return
			}
		}
		if len(msgs) > 0 {
			lastSent = time.Now()
		}
	}
}

func (s *Server) tradesListLocked(o *order) []*tradeRec {
	var out []*tradeRec
	for _, t := range s.trades {
		if t.order == o {
			out = append(out, t)
		}
	}
	return out
}

func (s *Server) tradesOfLocked(o *order) int { return len(s.tradesListLocked(o)) }

// tradeExecutionLocked is the trade execution of t, with the order's
// cumulative figures as they stood right after it.
func (s *Server) tradeExecutionLocked(o *order, t *tradeRec, all []*tradeRec) map[string]any {
	x := s.executionLocked(o, "trade", "")
	cum, cost := decimal.Zero, decimal.Zero
	for _, u := range all {
		cum, cost = cum.Add(u.qty), cost.Add(u.cost)
		if u == t {
			break
		}
	}
	status := "partially_filled"
	if cum.GreaterThanOrEqual(o.vol) {
		status = "filled"
	}
	liq := "t"
	if t.maker {
		liq = "m"
	}
	x["order_status"], x["cum_qty"], x["cum_cost"], x["avg_price"] = status, num(cum), num(cost), num(cost.Div(cum))
	x["exec_id"], x["last_qty"], x["last_price"], x["cost"], x["liquidity_ind"] = t.id, num(t.qty), num(t.price), num(t.cost), liq
	x["fees"] = []map[string]any{{"asset": s.v2AssetLocked(o.pair.spec.Quote), "qty": num(t.fee)}}
	x["timestamp"] = t.time.UTC().Format(time.RFC3339Nano)
	return x
}

// IssuedTokens are the WebSocket tokens GetWebSocketsToken handed out, for
// tests that check none of them leaks into logs or errors.
func (s *Server) IssuedTokens() []string {
	s.wsAuth.mu.Lock()
	defer s.wsAuth.mu.Unlock()
	out := make([]string, 0, len(s.wsAuth.tokens))
	for t := range s.wsAuth.tokens {
		out = append(out, t)
	}
	return out
}
