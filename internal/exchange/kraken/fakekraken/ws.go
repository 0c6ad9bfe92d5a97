package fakekraken

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// wsEndpoint is the fake's public WebSocket v2 endpoint (ws.kraken.com/v2):
// the status message on connect, subscribe and unsubscribe
// acknowledgements, the ticker channel's snapshot and updates from the
// fake's own book, the book channel's (wsbook.go), heartbeats when nothing
// else is sent for a second, and pong for ping.
type wsEndpoint struct {
	once sync.Once
	hub  *fakevenue.WSHub

	// Set by options before the hub starts.
	heartbeat time.Duration // default 1s, as Kraken
	repeat    time.Duration // 0: updates only when the book changes

	corruptBook atomic.Bool  // the next book message's checksum is wrong
	bookSubs    atomic.Int64 // book subscriptions accepted
	bookMsgs    atomic.Int64 // book snapshots and updates built
}

// WithStreamHeartbeat sets how long the stream stays quiet before it sends
// a heartbeat (default one second, as Kraken).
func WithStreamHeartbeat(d time.Duration) Option { return func(s *Server) { s.ws.heartbeat = d } }

// WithStreamRepeat makes the stream send every subscribed pair's ticker
// every d even when the book did not move, for load tests.
func WithStreamRepeat(d time.Duration) Option { return func(s *Server) { s.ws.repeat = d } }

// bookPoll is how often a connection looks for book changes to push.
const bookPoll = 10 * time.Millisecond

func (s *Server) wsHub() *fakevenue.WSHub {
	s.ws.once.Do(func() { s.ws.hub = fakevenue.NewWSHub(s.v.Closing(), s.serveWS) })
	return s.ws.hub
}

// WSURL is the WebSocket v2 endpoint (ws://…/v2), the form of Kraken's
// wss://ws.kraken.com/v2.
func (s *Server) WSURL() string { return s.wsHub().URL() + "/v2" }

// DisableStreams makes the WebSocket endpoint refuse connections (HTTP
// 503), so clients must fall back to polling.
func (s *Server) DisableStreams(off bool) { s.wsHub().Disable(off) }

// DropStreams closes every open WebSocket connection abruptly.
func (s *Server) DropStreams() { s.wsHub().Drop() }

// SilenceStreams keeps the connections open but sends nothing, heartbeats
// included (on), or resumes them.
func (s *Server) SilenceStreams(on bool) { s.wsHub().Silence(on) }

// StreamConnections counts WebSocket connections accepted so far.
func (s *Server) StreamConnections() int { return s.wsHub().Connections() }

// v2Assets are the WebSocket v2 names of assets whose REST altname
// differs: v2 writes BTC/USD where v1 and REST write XBT.
var v2Assets = map[string]string{"XBT": "BTC", "XDG": "DOGE"}

func (s *Server) v2AssetLocked(id string) string {
	alt := s.assetLocked(id).spec.AltName
	if n, ok := v2Assets[alt]; ok {
		return n
	}
	return alt
}

// pairByV2Locked finds a pair by its v2 symbol, e.g. BTC/USD.
func (s *Server) pairByV2Locked(sym string) (*pair, bool) {
	for _, p := range s.pairs.All() {
		if s.v2AssetLocked(p.spec.Base)+"/"+s.v2AssetLocked(p.spec.Quote) == sym {
			return p, true
		}
	}
	return nil, false
}

// num is a decimal as a JSON number, exactly: v2 sends prices as numbers.
func num(d decimal.Decimal) json.RawMessage { return json.RawMessage(d.String()) }

type wsTicker struct {
	Symbol    string          `json:"symbol"`
	Bid       json.RawMessage `json:"bid"`
	BidQty    json.RawMessage `json:"bid_qty"`
	Ask       json.RawMessage `json:"ask"`
	AskQty    json.RawMessage `json:"ask_qty"`
	Last      json.RawMessage `json:"last"`
	Volume    json.RawMessage `json:"volume"`
	VWAP      json.RawMessage `json:"vwap"`
	Low       json.RawMessage `json:"low"`
	High      json.RawMessage `json:"high"`
	Change    json.RawMessage `json:"change"`
	ChangePct json.RawMessage `json:"change_pct"`
	Timestamp string          `json:"timestamp"`
}

func (s *Server) tickerLocked(sym string, p *pair) wsTicker {
	zero := num(decimal.Zero)
	return wsTicker{Symbol: sym, Bid: num(p.bid), BidQty: num(decimal.NewFromInt(1)), Ask: num(p.ask), AskQty: num(decimal.NewFromInt(1)),
		Last: num(p.last), Volume: num(decimal.NewFromInt(100)), VWAP: num(p.last), Low: num(p.last), High: num(p.last),
		Change: zero, ChangePct: zero, Timestamp: s.clock().UTC().Format(time.RFC3339Nano)}
}

type wsRequest struct {
	Method string `json:"method"`
	Params struct {
		Channel      string   `json:"channel"`
		Symbol       []string `json:"symbol"`
		EventTrigger string   `json:"event_trigger"`
		Snapshot     *bool    `json:"snapshot"`
		Depth        *int     `json:"depth"`
	} `json:"params"`
	ReqID *int64 `json:"req_id,omitempty"`
}

func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// serveWS plays one connection: a reader answers requests, the loop below
// pushes snapshots, updates and heartbeats.
func (s *Server) serveWS(ctx context.Context, c *fakevenue.WSConn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	now := func() string { return s.clock().UTC().Format(time.RFC3339Nano) }
	_ = c.Send(ctx, marshal(map[string]any{"channel": "status", "type": "update", "data": []any{map[string]any{
		"api_version": "v2", "connection_id": 1000 + c.N, "system": "online", "version": "2.0.0"}}}))

	subscribed := make(chan []string, 16)
	// bookReqs carry book subscriptions (depth > 0) and unsubscriptions
	// (depth 0) to the loop below, in the order they came.
	type bookReq struct {
		sym   string
		depth int
	}
	bookReqs := make(chan bookReq, 16)
	go func() {
		defer cancel()
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			var req wsRequest
			if json.Unmarshal(msg, &req) != nil {
				_ = c.Send(ctx, marshal(map[string]any{"error": "Malformed request", "success": false, "time_in": now(), "time_out": now()}))
				continue
			}
			switch req.Method {
			case "ping":
				_ = c.Send(ctx, marshal(map[string]any{"method": "pong", "req_id": req.ReqID, "time_in": now(), "time_out": now()}))
			case "subscribe", "unsubscribe":
				if req.Params.Channel == "book" {
					depth := 10
					if req.Params.Depth != nil {
						depth = *req.Params.Depth
					}
					if !wsBookDepths[depth] {
						_ = c.Send(ctx, marshal(map[string]any{"method": req.Method, "error": "Invalid depth", "success": false, "time_in": now(), "time_out": now()}))
						continue
					}
					for _, sym := range req.Params.Symbol {
						s.mu.Lock()
						_, known := s.pairByV2Locked(sym)
						s.mu.Unlock()
						if !known {
							_ = c.Send(ctx, marshal(map[string]any{"method": req.Method, "error": "Currency pair not supported " + sym,
								"success": false, "symbol": sym, "time_in": now(), "time_out": now()}))
							continue
						}
						result := map[string]any{"channel": "book", "symbol": sym, "depth": depth}
						r := bookReq{sym, 0}
						if req.Method == "subscribe" {
							result["snapshot"] = req.Params.Snapshot == nil || *req.Params.Snapshot
							r.depth = depth
							s.ws.bookSubs.Add(1)
						}
						_ = c.Send(ctx, marshal(map[string]any{"method": req.Method, "result": result, "success": true, "time_in": now(), "time_out": now()}))
						select {
						case bookReqs <- r:
						case <-ctx.Done():
							return
						}
					}
					continue
				}
				if req.Method != "subscribe" || req.Params.Channel != "ticker" {
					_ = c.Send(ctx, marshal(map[string]any{"method": "subscribe", "error": "Channel not supported", "success": false, "time_in": now(), "time_out": now()}))
					continue
				}
				var ok []string
				for _, sym := range req.Params.Symbol {
					s.mu.Lock()
					_, known := s.pairByV2Locked(sym)
					s.mu.Unlock()
					if !known {
						_ = c.Send(ctx, marshal(map[string]any{"method": "subscribe", "error": "Currency pair not supported " + sym,
							"success": false, "symbol": sym, "time_in": now(), "time_out": now()}))
						continue
					}
					ok = append(ok, sym)
					_ = c.Send(ctx, marshal(map[string]any{"method": "subscribe", "result": map[string]any{"channel": "ticker", "symbol": sym,
						"snapshot": req.Params.Snapshot == nil || *req.Params.Snapshot, "event_trigger": req.Params.EventTrigger},
						"success": true, "time_in": now(), "time_out": now()}))
				}
				select {
				case subscribed <- ok:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	type sent struct{ bid, ask, last decimal.Decimal }
	subs := map[string]sent{}
	books := map[string]*bookView{}
	tick := time.NewTicker(bookPoll)
	defer tick.Stop()
	heartbeat, repeat := s.ws.heartbeat, s.ws.repeat
	if heartbeat <= 0 {
		heartbeat = time.Second
	}
	lastSent, lastRepeat := time.Now(), time.Now()
	for {
		var msgs [][]byte
		select {
		case <-ctx.Done():
			return
		case syms := <-subscribed:
			s.mu.Lock()
			for _, sym := range syms {
				p, _ := s.pairByV2Locked(sym)
				subs[sym] = sent{p.bid, p.ask, p.last}
				msgs = append(msgs, marshal(map[string]any{"channel": "ticker", "type": "snapshot", "data": []wsTicker{s.tickerLocked(sym, p)}}))
			}
			s.mu.Unlock()
		case r := <-bookReqs:
			if r.depth == 0 {
				delete(books, r.sym)
				break
			}
			s.mu.Lock()
			v, snap := s.bookSnapshotLocked(r.sym, r.depth)
			s.mu.Unlock()
			books[r.sym] = v
			msgs = append(msgs, snap)
		case <-tick.C:
			all := repeat > 0 && time.Since(lastRepeat) >= repeat
			if all {
				lastRepeat = time.Now()
			}
			s.mu.Lock()
			for sym, was := range subs {
				p, _ := s.pairByV2Locked(sym)
				if !all && p.bid.Equal(was.bid) && p.ask.Equal(was.ask) && p.last.Equal(was.last) {
					continue
				}
				subs[sym] = sent{p.bid, p.ask, p.last}
				msgs = append(msgs, marshal(map[string]any{"channel": "ticker", "type": "update", "data": []wsTicker{s.tickerLocked(sym, p)}}))
			}
			for sym, v := range books {
				if m := s.bookUpdateLocked(sym, v); m != nil {
					msgs = append(msgs, m)
				}
			}
			s.mu.Unlock()
			if len(msgs) == 0 && len(subs)+len(books) > 0 && time.Since(lastSent) >= heartbeat {
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
