package fakealpaca

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// dataStream is the fake's Market Data stream
// (wss://stream.data.alpaca.markets): /v2/iex and /v2/sip for stocks,
// /v1beta3/crypto/us for crypto. Every message is a JSON array. On connect
// [{"T":"success","msg":"connected"}], or, while another connection holds
// the same endpoint, [{"T":"error","code":406,"msg":"connection limit
// exceeded"}] and the connection closes. {"action":"auth","key","secret"}
// is answered authenticated, or 402 auth failed (and closed); subscribing
// before that is 401 not authenticated; /v2/sip without WithSIPFeed is 409
// insufficient subscription. {"action":"subscribe","quotes":[…],
// "trades":[…]} is answered with the whole subscription list (known
// symbols of the endpoint's class only), then "q" quotes and "t" trades
// are pushed as the fake's book moves, and, with WithDataRate, at a steady
// rate whether it moves or not.
type dataStream struct {
	once sync.Once
	hub  *fakevenue.WSHub

	// Set by options before the hub starts.
	rate int  // quotes a second across all symbols; 0: only on changes
	sip  bool // the account may use the SIP feed

	mu       sync.Mutex
	holders  map[string]int // open authenticated-or-not connections by path
	failNext *dataFailure
	pushed   map[int]int // data messages written, by connection number
}

type dataFailure struct {
	code int
	msg  string
}

// WithDataRate makes every data stream connection send rate quotes a
// second, spread over its subscribed symbols, even when the book does not
// move: a load for benchmarks.
func WithDataRate(rate int) Option { return func(s *Server) { s.data.rate = rate } }

// WithSIPFeed lets the account use /v2/sip; without it, authenticating
// there is answered 409 insufficient subscription.
func WithSIPFeed() Option { return func(s *Server) { s.data.sip = true } }

// dataPoll is how often a connection looks for book changes to push.
const dataPoll = 5 * time.Millisecond

func (s *Server) dataHub() *fakevenue.WSHub {
	s.data.once.Do(func() { s.data.hub = fakevenue.NewWSHub(s.v.Closing(), s.serveDataStream) })
	return s.data.hub
}

// DataStreamURL is the data stream's host (data_stream_url); the adapter
// adds the endpoint's path.
func (s *Server) DataStreamURL() string { return s.dataHub().URL() }

// DropDataStreams closes every open data stream connection abruptly.
func (s *Server) DropDataStreams() { s.dataHub().Drop() }

// SilenceDataStreams keeps the connections open but sends nothing (on),
// or resumes them.
func (s *Server) SilenceDataStreams(on bool) { s.dataHub().Silence(on) }

// DisableDataStreams makes new connections fail with HTTP 503 (off), or
// succeed again.
func (s *Server) DisableDataStreams(off bool) { s.dataHub().Disable(off) }

// DataStreamConnections counts data stream connections accepted so far.
func (s *Server) DataStreamConnections() int { return s.dataHub().Connections() }

// FailNextDataStream answers the next data stream connection with the
// error message {"T":"error","code":code,"msg":msg} in place of its
// welcome, and closes it.
func (s *Server) FailNextDataStream(code int, msg string) {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	s.data.failNext = &dataFailure{code, msg}
}

func dataJSON(v ...map[string]any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func dataErr(code int, msg string) []byte {
	return dataJSON(map[string]any{"T": "error", "code": code, "msg": msg})
}

// dataRequest is what a client sends.
type dataRequest struct {
	Action string   `json:"action"`
	Key    string   `json:"key"`
	Secret string   `json:"secret"`
	Quotes []string `json:"quotes"`
	Trades []string `json:"trades"`
}

// sentPoint is what a connection last sent of a symbol.
type sentPoint struct{ bid, ask, last decimal.Decimal }

func (s *Server) serveDataStream(ctx context.Context, c *fakevenue.WSConn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var crypto bool
	switch c.Path {
	case "/v2/iex", "/v2/sip":
	case "/v1beta3/crypto/us":
		crypto = true
	default:
		_ = c.Send(ctx, dataErr(404, "not found"))
		return
	}
	d := &s.data
	d.mu.Lock()
	if d.holders == nil {
		d.holders = map[string]int{}
	}
	fail := d.failNext
	d.failNext = nil
	if fail == nil && d.holders[c.Path] > 0 {
		fail = &dataFailure{406, "connection limit exceeded"}
	}
	if fail != nil {
		d.mu.Unlock()
		_ = c.Send(ctx, dataErr(fail.code, fail.msg))
		return
	}
	d.holders[c.Path]++
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.holders[c.Path]--
		d.mu.Unlock()
	}()
	if c.Send(ctx, dataJSON(map[string]any{"T": "success", "msg": "connected"})) != nil {
		return
	}

	subscribed := make(chan []string, 4)
	go func() {
		defer cancel()
		authed := false
		quotes, trades := []string{}, []string{}
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			var req dataRequest
			if json.Unmarshal(msg, &req) != nil {
				_ = c.Send(ctx, dataErr(400, "invalid syntax"))
				continue
			}
			switch req.Action {
			case "auth":
				if authed {
					_ = c.Send(ctx, dataErr(403, "already authenticated"))
					continue
				}
				okKey := subtle.ConstantTimeCompare([]byte(req.Key), []byte(s.keyID)) == 1
				okSec := subtle.ConstantTimeCompare([]byte(req.Secret), []byte(s.secret)) == 1
				if !okKey || !okSec || s.keyID == "" {
					_ = c.Send(ctx, dataErr(402, "auth failed"))
					return
				}
				if c.Path == "/v2/sip" && !d.sip {
					_ = c.Send(ctx, dataErr(409, "insufficient subscription"))
					return
				}
				authed = true
				_ = c.Send(ctx, dataJSON(map[string]any{"T": "success", "msg": "authenticated"}))
			case "subscribe":
				if !authed {
					_ = c.Send(ctx, dataErr(401, "not authenticated"))
					continue
				}
				s.mu.Lock()
				known := func(list []string, into []string) []string {
					for _, sym := range list {
						if a, ok := s.assets.Get(sym); ok && a.crypto() == crypto {
							into = append(into, sym)
						}
					}
					return into
				}
				quotes, trades = known(req.Quotes, quotes), known(req.Trades, trades)
				s.mu.Unlock()
				_ = c.Send(ctx, dataJSON(map[string]any{"T": "subscription", "trades": trades, "quotes": quotes, "bars": []string{},
					"updatedBars": []string{}, "dailyBars": []string{}}))
				select {
				case subscribed <- append([]string(nil), quotes...):
				case <-ctx.Done():
					return
				}
			default:
				_ = c.Send(ctx, dataErr(400, "invalid syntax"))
			}
		}
	}()

	var syms []string
	sent := map[string]sentPoint{}
	tick := time.NewTicker(dataPoll)
	defer tick.Stop()
	next := 0   // round-robin position for rate pushes
	owed := 0.0 // rate pushes due but not yet sent
	last := time.Now()
	for {
		var points []map[string]any
		select {
		case <-ctx.Done():
			return
		case syms = <-subscribed:
			s.mu.Lock()
			for _, sym := range syms {
				a, _ := s.assets.Get(sym)
				sent[sym] = sentPoint{a.bid, a.ask, a.last}
				points = append(points, s.quotePointLocked(sym, a), s.tradePointLocked(sym, a))
			}
			s.mu.Unlock()
		case now := <-tick.C:
			s.mu.Lock()
			for _, sym := range syms {
				a, _ := s.assets.Get(sym)
				was := sent[sym]
				if !a.bid.Equal(was.bid) || !a.ask.Equal(was.ask) {
					points = append(points, s.quotePointLocked(sym, a))
				}
				if !a.last.Equal(was.last) {
					points = append(points, s.tradePointLocked(sym, a))
				}
				sent[sym] = sentPoint{a.bid, a.ask, a.last}
			}
			if d.rate > 0 && len(syms) > 0 {
				// A slow tick does not make up for more than a tenth of
				// a second: one message stays well under a megabyte.
				owed = min(owed+now.Sub(last).Seconds()*float64(d.rate), float64(d.rate)/10+1)
				for ; owed >= 1; owed-- {
					sym := syms[next%len(syms)]
					next++
					a, _ := s.assets.Get(sym)
					points = append(points, s.quotePointLocked(sym, a))
				}
			}
			last = now
			s.mu.Unlock()
		}
		if len(points) == 0 {
			continue
		}
		// Data points may share one message, as Alpaca batches them for
		// a client that reads slower than they come.
		silent := s.dataHub().Silent()
		if c.Send(ctx, dataJSON(points...)) != nil {
			return
		}
		if !silent {
			d.mu.Lock()
			if d.pushed == nil {
				d.pushed = map[int]int{}
			}
			d.pushed[c.N]++
			d.mu.Unlock()
		}
	}
}

// DataStreamPushes counts the messages of quotes and trades written to the
// data stream connection numbered n (from 1, in the order accepted): a
// test that silences the stream waits for the first one, so it knows the
// client has signed in, subscribed and seen a price.
func (s *Server) DataStreamPushes(n int) int {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	return s.data.pushed[n]
}

// quotePointLocked is a "q" point: a stock's carries exchange codes,
// conditions and tape, a crypto one only prices, sizes and time.
func (s *Server) quotePointLocked(sym string, a *asset) map[string]any {
	if a.crypto() {
		return map[string]any{"T": "q", "S": sym, "bp": num(a.bid), "bs": 0.5, "ap": num(a.ask), "as": 0.25, "t": stamp(s.now())}
	}
	return map[string]any{"T": "q", "S": sym, "bx": "V", "bp": num(a.bid), "bs": 2, "ax": "V", "ap": num(a.ask), "as": 1,
		"c": []string{"R"}, "z": "C", "t": stamp(s.now())}
}

func (s *Server) tradePointLocked(sym string, a *asset) map[string]any {
	if a.crypto() {
		return map[string]any{"T": "t", "S": sym, "p": num(a.last), "s": 0.1, "i": 1, "tks": "B", "t": stamp(s.now())}
	}
	return map[string]any{"T": "t", "S": sym, "i": 1, "x": "V", "p": num(a.last), "s": 100, "c": []string{"@"}, "z": "C", "t": stamp(s.now())}
}
