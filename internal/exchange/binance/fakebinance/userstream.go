package fakebinance

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// The user data stream, as Binance documents it today on the WebSocket
// API: a client connects to /ws-api/v3, sends userDataStream.subscribe.signature
// (apiKey, timestamp, signature over the sorted parameters), is answered
// {"id":…,"status":200,"result":{"subscriptionId":N}}, and from then on
// receives {"subscriptionId":N,"event":{"e":"executionReport",…}} for every
// change of its orders: NEW on placement, TRADE per execution, CANCELED,
// EXPIRED. The fake diffs its order book against what it told each
// connection after every request and book change, so every path that
// changes an order (placement, cancel, a crossed limit, an order list)
// reports without each one having to remember to.

// wsAPIPath is where the WebSocket API lives on the hub.
const wsAPIPath = "/ws-api/v3"

// userStreams is the user data stream host of one Server.
type userStreams struct {
	once sync.Once
	hub  *fakevenue.WSHub

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every account change
}

// userHub returns the server's WebSocket API hub, starting it on first use.
func (s *Server) userHub() *fakevenue.WSHub {
	s.users.once.Do(func() {
		s.users.hub = fakevenue.NewWSHub(s.closing, s.serveUserStream)
	})
	return s.users.hub
}

// WSAPIURL is the WebSocket API endpoint (ws://…/ws-api/v3) that serves
// the user data stream.
func (s *Server) WSAPIURL() string { return s.userHub().URL() + wsAPIPath }

// UserStreams is the user data stream's hub, for tests that drop, silence
// or refuse its connections.
func (s *Server) UserStreams() *fakevenue.WSHub { return s.userHub() }

// accountChanged wakes every user data stream to look for order changes.
func (s *Server) accountChanged() {
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	if s.users.changed != nil {
		close(s.users.changed)
	}
	s.users.changed = make(chan struct{})
}

func (s *Server) accountChanges() <-chan struct{} {
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	if s.users.changed == nil {
		s.users.changed = make(chan struct{})
	}
	return s.users.changed
}

// wsRequest is a WebSocket API request.
type wsRequest struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params map[string]any  `json:"params"`
}

// orderSeen is what a connection was told about one order.
type orderSeen struct {
	status   string
	executed string
}

// userView is one subscription's memory of what it reported.
type userView struct {
	orders map[*order]orderSeen
	trades int // s.trades[:trades] are reported
}

func (s *Server) serveUserStream(ctx context.Context, c *fakevenue.WSConn) {
	var view *userView
	const subscriptionID = 0
	reply := func(id json.RawMessage, status int, result any, e *apiError) error {
		m := map[string]any{"id": id, "status": status}
		if e != nil {
			m["error"] = map[string]any{"code": e.Code, "msg": e.Msg}
		} else {
			m["result"] = result
		}
		b, _ := json.Marshal(m)
		return c.Send(ctx, b)
	}
	// Requests are read on their own goroutine; events are written here.
	requests := make(chan wsRequest)
	go func() {
		defer close(requests)
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			var req wsRequest
			if json.Unmarshal(msg, &req) != nil {
				continue
			}
			select {
			case requests <- req:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		var changed, book <-chan struct{}
		if view != nil {
			changed = s.accountChanges()
			s.mu.Lock()
			book = s.bookChanged // a book change can fill resting orders without a request
			msgs := s.userEventsLocked(view, subscriptionID)
			s.mu.Unlock()
			for _, m := range msgs {
				if err := c.Send(ctx, m); err != nil {
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-book:
		case req, ok := <-requests:
			if !ok {
				return
			}
			if req.Method != "userDataStream.subscribe.signature" {
				_ = reply(req.ID, 400, nil, errBody(400, -1020, "Unsupported method."))
				continue
			}
			if e := s.checkSignedParams(req.Params); e != nil {
				if reply(req.ID, e.status, nil, e) != nil {
					return
				}
				continue
			}
			s.mu.Lock()
			view = &userView{orders: map[*order]orderSeen{}, trades: len(s.trades)}
			for _, o := range s.orders {
				view.orders[o] = orderSeen{status: o.status, executed: fx(o.executed)}
			}
			s.mu.Unlock()
			if reply(req.ID, 200, map[string]any{"subscriptionId": subscriptionID}, nil) != nil {
				return
			}
		}
	}
}

// checkSignedParams verifies a signed WebSocket API request: the key, the
// signature over the other parameters sorted by name, and the timestamp.
func (s *Server) checkSignedParams(p map[string]any) *apiError {
	key, _ := p["apiKey"].(string)
	if key != s.apiKey {
		return errBody(401, -2015, "Invalid API-key, IP, or permissions for action.")
	}
	sig, _ := p["signature"].(string)
	var names []string
	for k := range p {
		if k != "signature" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for i, k := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		fmt.Fprintf(&b, "%s=%v", k, jsonScalar(p[k]))
	}
	if sig == "" || !s.verify([]byte(b.String()), sig) {
		return errBody(400, -1022, "Signature for this request is not valid.")
	}
	ts, ok := p["timestamp"].(float64)
	if !ok {
		return mandatory("timestamp")
	}
	s.mu.Lock()
	server := s.now().UnixMilli()
	s.mu.Unlock()
	if d := server - int64(ts); d > 60000 || d < -1000 {
		return errBody(400, -1021, "Timestamp for this request is outside of the recvWindow.")
	}
	return nil
}

// jsonScalar prints a decoded JSON value as it was sent: integers without
// an exponent.
func jsonScalar(v any) string {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(v)
}

// userEventsLocked is what happened since view last looked, as
// executionReport events, oldest first: a new order's NEW report, each
// trade's TRADE report, then the end of an order that ended otherwise.
func (s *Server) userEventsLocked(view *userView, subscriptionID int) [][]byte {
	var out [][]byte
	emit := func(ev map[string]any) {
		b, err := json.Marshal(map[string]any{"subscriptionId": subscriptionID, "event": ev})
		if err == nil {
			out = append(out, b)
		}
	}
	newTrades := s.trades[view.trades:]
	view.trades = len(s.trades)
	tradesOf := map[*order][]*tradeRec{}
	for _, t := range newTrades {
		tradesOf[t.order] = append(tradesOf[t.order], t)
	}
	for _, o := range s.orders {
		seen, known := view.orders[o]
		if !known {
			emit(executionReport(o, "NEW", "NEW", nil, s.now().UnixMilli()))
			seen = orderSeen{status: "NEW", executed: fx(decimal.Zero)}
		}
		for _, t := range tradesOf[o] {
			emit(executionReport(o, "TRADE", tradeStatus(o, t), t, t.time))
		}
		if o.status != seen.status && o.status != "FILLED" && o.status != "PARTIALLY_FILLED" && o.status != "NEW" {
			emit(executionReport(o, o.status, o.status, nil, o.updated))
		}
		view.orders[o] = orderSeen{status: o.status, executed: fx(o.executed)}
	}
	return out
}

// tradeStatus is the order's status right after trade t.
func tradeStatus(o *order, t *tradeRec) string {
	var cum = decimal.Zero
	for _, f := range o.fills {
		if f.TradeID <= t.id {
			cum = cum.Add(dec(f.Qty))
		}
	}
	if cum.GreaterThanOrEqual(o.qty) {
		return "FILLED"
	}
	return "PARTIALLY_FILLED"
}

// executionReport is Binance's order update event. x is the execution
// type (NEW, TRADE, CANCELED, EXPIRED, …), X the order's status after it.
func executionReport(o *order, x, status string, t *tradeRec, at int64) map[string]any {
	ev := map[string]any{
		"e": "executionReport", "E": at, "s": o.sym.spec.Symbol, "c": o.clientID, "S": o.side, "o": o.typ,
		"f": o.tif, "q": fx(o.qty), "p": fx(o.price), "P": fx(o.stopPrice), "F": "0.00000000", "g": o.listIDOf(),
		"C": "", "x": x, "X": status, "r": "NONE", "i": o.id, "l": "0.00000000", "z": fx(o.executed),
		"L": "0.00000000", "n": "0", "N": nil, "T": at, "t": -1, "v": 0, "I": 0, "w": status == "NEW" || status == "PARTIALLY_FILLED",
		"m": false, "M": false, "O": o.created, "Z": fx(o.cumQuote), "Y": "0.00000000", "Q": fx(o.quoteQty),
		"W": o.created, "V": "EXPIRE_MAKER",
	}
	if x == "NEW" {
		ev["z"], ev["Z"] = fx(decimal.Zero), fx(decimal.Zero) // nothing had filled yet
	}
	if x == "CANCELED" {
		ev["C"], ev["c"] = o.clientID, randomClientID() // a cancel names its own request in c
	}
	if t != nil {
		// z and Z as they stood right after this trade.
		cum, quote := decimal.Zero, decimal.Zero
		for _, f := range o.fills {
			if f.TradeID <= t.id {
				cum = cum.Add(dec(f.Qty))
				quote = quote.Add(dec(f.Qty).Mul(dec(f.Price)))
			}
		}
		ev["l"], ev["L"], ev["n"], ev["N"], ev["t"], ev["m"], ev["M"] = fx(t.qty), fx(t.price), fx(t.commission), t.commissionAsset, t.id, t.maker, true
		ev["z"], ev["Z"], ev["Y"] = fx(cum), fx(quote), fx(t.qty.Mul(t.price))
	}
	return ev
}
