package fakebinance

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

type streamSub struct {
	name   string // as subscribed, e.g. "btcusdt@bookTicker"
	symbol string // BTCUSDT
	kind   string // bookTicker or miniTicker
}

// serveStream is the combined market stream: /stream?streams=a/b/c. It
// pushes each subscribed stream on connect, on every book change and every
// stream interval, wrapped as {"stream":…,"data":…} like Binance.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	off, interval := s.streamsOff, s.streamInterval
	s.mu.Unlock()
	if off {
		http.Error(w, "market streams are disabled", http.StatusServiceUnavailable)
		return
	}
	var subs []streamSub
	for _, name := range strings.Split(r.URL.Query().Get("streams"), "/") {
		sym, kind, ok := strings.Cut(name, "@")
		if !ok || (kind != "bookTicker" && kind != "miniTicker") {
			continue
		}
		subs = append(subs, streamSub{name: name, symbol: strings.ToUpper(sym), kind: kind})
	}
	if len(subs) == 0 {
		http.Error(w, "Invalid request", http.StatusBadRequest)
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	select {
	case <-s.closing:
		s.mu.Unlock()
		c.CloseNow()
		return
	default:
	}
	s.wsConns[c] = struct{}{}
	s.wsAccepted++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.wsConns, c)
		s.mu.Unlock()
		c.CloseNow()
	}()

	// The client never sends anything we need; CloseRead answers its
	// control frames and tells us when it goes away.
	ctx := c.CloseRead(r.Context())
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		msgs, changed := s.streamMessages(subs)
		for _, m := range msgs {
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := c.Write(wctx, websocket.MessageText, m)
			cancel()
			if err != nil {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			c.Close(websocket.StatusGoingAway, "server closing")
			return
		case <-tick.C:
		case <-changed:
		}
	}
}

func (s *Server) streamMessages(subs []streamSub) ([][]byte, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]byte
	for _, sub := range subs {
		sym, ok := s.symbols.Get(sub.symbol)
		if !ok {
			continue
		}
		var data any
		if sub.kind == "bookTicker" {
			s.nextUpdateID++
			data = map[string]any{"u": s.nextUpdateID, "s": sym.spec.Symbol, "b": fx(sym.bid), "B": "1.00000000", "a": fx(sym.ask), "A": "1.00000000"}
		} else {
			data = map[string]any{"e": "24hrMiniTicker", "E": s.now().UnixMilli(), "s": sym.spec.Symbol, "c": fx(sym.last),
				"o": fx(sym.last), "h": fx(sym.last), "l": fx(sym.last), "v": "100.00000000", "q": fx(sym.last.Mul(dec("100")))}
		}
		b, err := json.Marshal(map[string]any{"stream": sub.name, "data": data})
		if err == nil {
			out = append(out, b)
		}
	}
	return out, s.bookChanged
}
