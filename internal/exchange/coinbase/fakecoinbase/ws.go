package fakecoinbase

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// wsEndpoint is the fake's Advanced Trade market-data WebSocket
// (advanced-trade-ws.coinbase.com): subscribe and unsubscribe per channel,
// the subscriptions answer, the ticker channel's snapshot and updates from
// the fake's own book, the level2 channel's (l2_data) snapshot of the
// book's ladder and the levels that changed since, heartbeats every
// second, and a sequence_num on every message, counted per connection.
type wsEndpoint struct {
	once sync.Once
	hub  *fakevenue.WSHub

	// Set by options before the hub starts.
	heartbeat time.Duration // default 1s, as Coinbase
	repeat    time.Duration // 0: ticker updates only when the book changes

	mu   sync.Mutex
	subs []StreamSubscription
	skip int // sequence numbers the next message skips
}

// StreamSubscription is one subscribe request the stream received. The
// token is reduced to whether it verified, so a dump never shows it.
type StreamSubscription struct {
	Channel       string
	ProductIDs    []string
	Authenticated bool
	AuthError     string // why a token that came was refused
}

// WithStreamHeartbeat sets the heartbeats channel's interval (default one
// second, as Coinbase).
func WithStreamHeartbeat(d time.Duration) Option { return func(s *Server) { s.ws.heartbeat = d } }

// WithStreamRepeat makes the ticker channel send every subscribed
// product's ticker every d even when the book did not move, for load
// tests.
func WithStreamRepeat(d time.Duration) Option { return func(s *Server) { s.ws.repeat = d } }

// bookPoll is how often a connection looks for book changes to push.
const bookPoll = 10 * time.Millisecond

func (s *Server) wsHub() *fakevenue.WSHub {
	s.ws.once.Do(func() { s.ws.hub = fakevenue.NewWSHub(s.v.Closing(), s.serveWS) })
	return s.ws.hub
}

// WSURL is the market-data WebSocket's URL (ws://…).
func (s *Server) WSURL() string { return s.wsHub().URL() }

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

// SkipStreamSequence makes the next stream message skip a sequence number,
// as when Coinbase drops a message on its side.
func (s *Server) SkipStreamSequence() {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	s.ws.skip++
}

// StreamSubscriptions returns the subscribe requests received so far.
func (s *Server) StreamSubscriptions() []StreamSubscription {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	return append([]StreamSubscription(nil), s.ws.subs...)
}

type wsRequest struct {
	Type       string   `json:"type"`
	ProductIDs []string `json:"product_ids"`
	Channel    string   `json:"channel"`
	JWT        string   `json:"jwt"`
}

// wsConn is one connection's writer: every message gets the next sequence
// number, in the order it is sent.
type wsConn struct {
	*fakevenue.WSConn
	s   *Server
	mu  sync.Mutex
	seq int64
}

func (c *wsConn) send(ctx context.Context, channel string, events any) error {
	if c.s.wsHub().Silent() {
		return nil // a silent feed sends nothing and uses no numbers
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.ws.mu.Lock()
	c.seq += int64(c.s.ws.skip)
	c.s.ws.skip = 0
	c.s.ws.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"channel": channel, "client_id": "", "timestamp": c.s.now().Format(time.RFC3339Nano),
		"sequence_num": c.seq, "events": events})
	c.seq++
	return c.Send(ctx, b)
}

func tickerJSON(p *product) map[string]any {
	return map[string]any{"type": "ticker", "product_id": p.spec.ID, "price": fx(p.last), "volume_24_h": "100",
		"low_24_h": fx(p.last), "high_24_h": fx(p.last), "low_52_w": fx(p.last), "high_52_w": fx(p.last),
		"price_percent_chg_24_h": "0", "best_bid": fx(p.bid), "best_bid_quantity": "1", "best_ask": fx(p.ask), "best_ask_quantity": "1"}
}

// serveWS plays one connection: a reader answers requests, the loop below
// pushes ticker updates and heartbeats.
func (s *Server) serveWS(ctx context.Context, fc *fakevenue.WSConn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &wsConn{WSConn: fc, s: s}

	type change struct {
		channel string
		ids     []string
		on      bool
	}
	changes := make(chan change, 16)
	go func() {
		defer cancel()
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			var req wsRequest
			if json.Unmarshal(msg, &req) != nil || (req.Type != "subscribe" && req.Type != "unsubscribe") {
				_ = c.sendError(ctx, "malformed request")
				continue
			}
			sub := StreamSubscription{Channel: req.Channel, ProductIDs: req.ProductIDs}
			if req.JWT != "" {
				sub.AuthError = s.verifyStreamToken(req.JWT)
				sub.Authenticated = sub.AuthError == ""
			}
			if req.Type == "subscribe" {
				s.ws.mu.Lock()
				s.ws.subs = append(s.ws.subs, sub)
				s.ws.mu.Unlock()
			}
			switch req.Channel {
			case "heartbeats":
			case "ticker", "level2":
				s.mu.Lock()
				unknown := ""
				for _, id := range req.ProductIDs {
					if _, ok := s.products.Get(id); !ok {
						unknown = id
					}
				}
				s.mu.Unlock()
				if unknown != "" || len(req.ProductIDs) == 0 {
					_ = c.sendError(ctx, "Failed to subscribe: invalid product_ids "+unknown)
					continue
				}
			default:
				_ = c.sendError(ctx, "Failed to subscribe: channel "+req.Channel+" is not supported here")
				continue
			}
			select {
			case changes <- change{channel: req.Channel, ids: req.ProductIDs, on: req.Type == "subscribe"}:
			case <-ctx.Done():
				return
			}
		}
	}()

	type sent struct{ bid, ask, last decimal.Decimal }
	tickers := map[string]sent{}
	books := map[string]ladder{} // level2: the book each product was last sent as
	beating := false
	var beats int64
	heartbeat, repeat := s.ws.heartbeat, s.ws.repeat
	if heartbeat <= 0 {
		heartbeat = time.Second
	}
	poll := time.NewTicker(bookPoll)
	defer poll.Stop()
	lastBeat, lastRepeat := time.Now(), time.Now()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case ch := <-changes:
			if ch.channel == "heartbeats" {
				beating = ch.on
			}
			var snapshot, l2snapshot []any
			s.mu.Lock()
			for _, id := range ch.ids {
				p, _ := s.products.Get(id)
				switch {
				case ch.channel == "level2" && !ch.on:
					delete(books, id)
				case ch.channel == "level2":
					books[id] = ladderOf(p)
					l2snapshot = append(l2snapshot, map[string]any{"type": "snapshot", "product_id": id,
						"updates": books[id].diff(nil, s.now())})
				case !ch.on:
					delete(tickers, id)
				default:
					tickers[id] = sent{p.bid, p.ask, p.last}
					snapshot = append(snapshot, tickerJSON(p))
				}
			}
			s.mu.Unlock()
			subscribed := map[string][]string{}
			if beating {
				subscribed["heartbeats"] = []string{"heartbeats"}
			}
			for id := range tickers {
				subscribed["ticker"] = append(subscribed["ticker"], id)
			}
			sort.Strings(subscribed["ticker"])
			for id := range books {
				subscribed["level2"] = append(subscribed["level2"], id)
			}
			sort.Strings(subscribed["level2"])
			err = c.send(ctx, "subscriptions", []any{map[string]any{"subscriptions": subscribed}})
			if err == nil && len(snapshot) > 0 {
				err = c.send(ctx, "ticker", []any{map[string]any{"type": "snapshot", "tickers": snapshot}})
			}
			if err == nil && len(l2snapshot) > 0 {
				err = c.send(ctx, "l2_data", l2snapshot)
			}
		case <-poll.C:
			all := repeat > 0 && time.Since(lastRepeat) >= repeat
			if all {
				lastRepeat = time.Now()
			}
			var updates []any
			s.mu.Lock()
			for id, was := range tickers {
				p, _ := s.products.Get(id)
				if !all && p.bid.Equal(was.bid) && p.ask.Equal(was.ask) && p.last.Equal(was.last) {
					continue
				}
				tickers[id] = sent{p.bid, p.ask, p.last}
				updates = append(updates, tickerJSON(p))
			}
			s.mu.Unlock()
			if len(updates) > 0 {
				err = c.send(ctx, "ticker", []any{map[string]any{"type": "update", "tickers": updates}})
			}
			var l2updates []any
			s.mu.Lock()
			for id, was := range books {
				p, _ := s.products.Get(id)
				now := ladderOf(p)
				if u := now.diff(was, s.now()); len(u) > 0 {
					books[id] = now
					l2updates = append(l2updates, map[string]any{"type": "update", "product_id": id, "updates": u})
				}
			}
			s.mu.Unlock()
			if err == nil && len(l2updates) > 0 {
				err = c.send(ctx, "l2_data", l2updates)
			}
			if err == nil && beating && time.Since(lastBeat) >= heartbeat {
				lastBeat = time.Now()
				beats++
				err = c.send(ctx, "heartbeats", []any{map[string]any{
					"current_time": s.now().Format("2006-01-02 15:04:05.999999999 -0700 MST"), "heartbeat_counter": beats}})
			}
		}
		if err != nil {
			return
		}
	}
}

func (c *wsConn) sendError(ctx context.Context, msg string) error {
	b, _ := json.Marshal(map[string]string{"type": "error", "message": msg})
	return c.Send(ctx, b)
}

// verifyStreamToken checks a subscription's JWT as the REST endpoints
// check theirs, except that WebSocket tokens carry no uri claim. It
// returns why the token was refused, "" when it passed.
func (s *Server) verifyStreamToken(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "token is not three dot-separated parts"
	}
	enc := base64.RawURLEncoding
	rawHeader, err1 := enc.DecodeString(parts[0])
	rawClaims, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return "token part is not unpadded base64url"
	}
	var header struct{ Alg, Kid, Nonce, Typ string }
	var claims struct {
		Iss, Sub string
		Nbf, Exp *int64
		URI      *string `json:"uri"`
	}
	if json.Unmarshal(rawHeader, &header) != nil || json.Unmarshal(rawClaims, &claims) != nil {
		return "token header or claims are not JSON"
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || s.pub == nil ||
		!ecdsa.Verify(s.pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return "signature does not verify with the key's public key"
	}
	switch {
	case header.Alg != "ES256" || header.Typ != "JWT" || header.Nonce == "":
		return "header is not alg ES256, typ JWT with a nonce"
	case header.Kid != s.keyName || claims.Sub != s.keyName || claims.Iss != "cdp":
		return "kid, sub or iss do not name the key"
	case claims.URI != nil:
		return "a WebSocket token has no uri claim"
	case claims.Nbf == nil || claims.Exp == nil || *claims.Exp-*claims.Nbf > maxLifetime || *claims.Exp <= *claims.Nbf:
		return "token lifetime is not within two minutes"
	}
	now := s.now()
	if now.Add(leeway).Before(time.Unix(*claims.Nbf, 0)) || !now.Before(time.Unix(*claims.Exp, 0)) {
		return "token is not valid now"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nonces[header.Nonce] {
		return "nonce was used before"
	}
	s.nonces[header.Nonce] = true
	return ""
}

// ladder is a product's book as the level2 channel last sent it: price
// text → quantity text, per side ("bid", "offer").
type ladder map[string]map[string]string

// ladderOf is the product's book: the same ladder product_book serves.
func ladderOf(p *product) ladder {
	bids, asks := fakevenue.Ladder(p.bid, p.ask, p.priceInc, p.baseInc, fakevenue.BookLevels)
	l := ladder{"bid": {}, "offer": {}}
	for _, b := range bids {
		l["bid"][fx(b.Price)] = fx(b.Qty)
	}
	for _, a := range asks {
		l["offer"][fx(a.Price)] = fx(a.Qty)
	}
	return l
}

// diff is the level2 updates that turn was into l: every level whose
// quantity changed, and "0" for each level that is gone. Against nil it is
// the whole book, a snapshot. Bids go best first, then offers.
func (l ladder) diff(was ladder, at time.Time) []any {
	var out []any
	for _, side := range []string{"bid", "offer"} {
		var prices []string
		for p, q := range l[side] {
			if was[side][p] != q {
				prices = append(prices, p)
			}
		}
		for p := range was[side] {
			if _, ok := l[side][p]; !ok {
				prices = append(prices, p)
			}
		}
		sort.Slice(prices, func(i, j int) bool {
			a, b := dec(prices[i]), dec(prices[j])
			if side == "bid" {
				return a.GreaterThan(b)
			}
			return a.LessThan(b)
		})
		for _, p := range prices {
			q, ok := l[side][p]
			if !ok {
				q = "0"
			}
			out = append(out, map[string]string{"side": side, "event_time": at.Format(time.RFC3339Nano),
				"price_level": p, "new_quantity": q})
		}
	}
	return out
}
