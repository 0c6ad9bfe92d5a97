package alpaca

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

var _ exchange.QuoteStreamer = (*Exchange)(nil)

// ProductionDataStreamURL is the Market Data stream host; the endpoint's
// path (/v2/{feed} for stocks, /v1beta3/crypto/us for crypto) is added to
// it. See the package doc, "Streaming quotes".
const ProductionDataStreamURL = "wss://stream.data.alpaca.markets"

// The data stream's endpoints, after the host.
const cryptoStreamPath = "/v1beta3/crypto/us"

func stockStreamPath(feed string) string { return "/v2/" + feed }

// dataStreamURL is data_stream_url, checked; without it, production's
// stream, unless data_url points elsewhere (a proxy, a test venue): prices
// then come from that host, polled, never from a production stream the
// profile did not name ("": no stream). A full endpoint URL is accepted
// and cut back to its host, since the path follows the symbol's class.
func dataStreamURL(o *venuehttp.Options, feed string) string {
	return o.StreamURL(KeyDataStreamURL, ProductionDataStreamURL, KeyDataURL,
		stockStreamPath(FeedIEX), stockStreamPath(FeedSIP), cryptoStreamPath, stockStreamPath(feed))
}

// DataStreamError is an error message of the market data stream,
// {"T":"error","code":…,"msg":…}. StreamQuotes returns it wrapped in an
// *exchange.Error whose kind says what it means for the caller.
type DataStreamError struct {
	Code int
	Msg  string
}

func (e *DataStreamError) Error() string {
	return fmt.Sprintf("market data stream error %d: %s", e.Code, e.Msg)
}

// classifyStreamError decides what an error message does to the stream:
//   - 402 auth failed, 409 insufficient subscription: the key cannot have
//     this stream; retrying would only be refused again (ErrAuth, Fatal).
//   - 410 invalid subscribe action: a channel the endpoint never serves
//     (ErrUnavailable, Fatal).
//   - 406 connection limit exceeded, 405 symbol limit exceeded: another
//     client holds the account's connection, or the plan allows fewer
//     symbols; polling takes over at once (ErrUnavailable, PollNow).
//   - anything else (400, 401, 403, 404 auth timeout, 407 slow client,
//     500): the connection is spent; reconnect afresh (Resync).
func classifyStreamError(e *DataStreamError, endpoint string) error {
	code := strconv.Itoa(e.Code)
	switch e.Code {
	case 402:
		return venuews.Fatal(&exchange.Error{Kind: exchange.ErrAuth, Venue: venueName, Code: code,
			Message: "market data stream refused the key (" + e.Msg + ")", Err: e})
	case 409:
		return venuews.Fatal(&exchange.Error{Kind: exchange.ErrAuth, Venue: venueName, Code: code,
			Message: "the account's market data subscription does not include " + endpoint + " (" + e.Msg + "); feed: iex needs none", Err: e})
	case 410:
		return venuews.Fatal(&exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Code: code,
			Message: endpoint + " does not serve quotes (" + e.Msg + ")", Err: e})
	case 406:
		return venuews.PollNow(&exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Code: code,
			Message: "connection limit exceeded on " + endpoint + ": another client holds the account's one connection", Err: e})
	case 405:
		return venuews.PollNow(&exchange.Error{Kind: exchange.ErrUnavailable, Venue: venueName, Code: code,
			Message: "symbol limit exceeded on " + endpoint + ": the plan allows fewer symbols than asked", Err: e})
	}
	return fmt.Errorf("%w: %w", venuews.ErrResync, e)
}

// dataStreamPing is how often the data stream is pinged: it has no
// heartbeat, and a stock is rightly silent outside market hours.
const dataStreamPing = 20 * time.Second

// dataStreamReadEvery coalesces the data stream's reads
// (venuews.Timing.ReadEvery): Alpaca sends each quote or small batch as a
// frame of its own as it comes, a frame every few milliseconds on a busy
// subscription, and a wake-up per frame costs the client more than all
// the frame's decoding. A steady stream is read about every 20 ms, a few
// frames at once; a quote then waits up to that (40 ms as the stream
// slows), well below what a person watching can see.
const dataStreamReadEvery = 20 * time.Millisecond

// StreamQuotes implements exchange.QuoteStreamer over the Market Data
// stream: stocks on /v2/{feed}, pairs on /v1beta3/crypto/us, one
// connection per endpoint, both at once when symbols of both classes are
// asked for. Symbols are checked with one REST read first (an unknown one
// fails at once, ErrNotFound, as for Quotes), which also gives each symbol
// its last trade until the stream reports a new one.
//
// Alpaca allows one connection per endpoint per account. This Exchange
// opens at most one per endpoint: a second StreamQuotes running at the
// same time on the same endpoint polls instead of being refused with 406.
func (e *Exchange) StreamQuotes(ctx context.Context, symbols []trade.Symbol, fn func(trade.Quote) error) error {
	if len(symbols) == 0 {
		return errors.New("alpaca: stream quotes: no symbols given")
	}
	first, err := e.Quotes(ctx, symbols)
	if err != nil {
		return fmt.Errorf("stream quotes: %w", err)
	}
	var stocks, crypto []trade.Symbol
	seen := map[trade.Symbol]bool{}
	for _, s := range symbols {
		if seen[s] {
			continue
		}
		seen[s] = true
		if s.IsPair() {
			crypto = append(crypto, s)
		} else {
			stocks = append(stocks, s)
		}
	}
	lastTrade := map[trade.Symbol]trade.Quote{}
	for _, q := range first {
		lastTrade[q.Symbol] = q
	}
	var streams []dataStream
	if len(stocks) > 0 {
		streams = append(streams, dataStream{slot: 0, path: stockStreamPath(e.feed), symbols: stocks})
	}
	if len(crypto) > 0 {
		streams = append(streams, dataStream{slot: 1, path: cryptoStreamPath, symbols: crypto})
	}
	if len(streams) == 1 {
		return e.streamEndpoint(ctx, streams[0], lastTrade, fn)
	}
	// Two endpoints at once: fn sees one quote at a time, and nothing
	// after StreamQuotes returns (both are waited for).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	serial := func(q trade.Quote) error {
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fn(q)
	}
	errs := make(chan error, len(streams))
	for _, ds := range streams {
		own := map[trade.Symbol]trade.Quote{}
		for _, s := range ds.symbols {
			own[s] = lastTrade[s]
		}
		go func() { errs <- e.streamEndpoint(ctx, ds, own, serial) }()
	}
	err = <-errs
	cancel()
	<-errs
	return err
}

// dataStream is one endpoint's part of a StreamQuotes.
type dataStream struct {
	slot    int // which of the Exchange's endpoint locks
	path    string
	symbols []trade.Symbol
}

func (e *Exchange) streamEndpoint(ctx context.Context, ds dataStream, lastTrade map[trade.Symbol]trade.Quote, fn func(trade.Quote) error) error {
	url := ""
	if e.dataStreamURL != "" {
		if e.dataStreamBusy[ds.slot].TryLock() {
			defer e.dataStreamBusy[ds.slot].Unlock()
			url = e.dataStreamURL + ds.path
		} else {
			e.Log.Info("alpaca: the market data stream is in use by this profile already; polling", "profile", e.Profile, "endpoint", ds.path)
		}
	}
	var creds *credentials
	if url != "" {
		var err error
		if creds, err = e.credentialsFor(ctx); err != nil {
			return err
		}
	}
	bySymbol := make(map[string]trade.Symbol, len(ds.symbols))
	sub := dataSubscribe{Action: "subscribe"}
	for _, s := range ds.symbols {
		vs := venueSymbol(s)
		bySymbol[vs] = s
		sub.Quotes = append(sub.Quotes, vs)
	}
	sub.Trades = sub.Quotes
	subMsg, err := json.Marshal(sub)
	if err != nil {
		return err
	}
	timing := e.streamTiming
	if timing.PingInterval == 0 {
		timing.PingInterval = dataStreamPing
	}
	if timing.ReadEvery == 0 {
		timing.ReadEvery = dataStreamReadEvery
	}
	return venuews.Stream(ctx, venuews.Feed{
		Endpoint: e.Endpoint(url),
		NewDialogue: func(send func([]byte)) venuews.Decoder {
			return newDataDecoder(endpointName(ds.path), bySymbol, lastTrade, send, func() ([]byte, error) {
				return json.Marshal(map[string]string{"action": "auth", "key": creds.keyID, "secret": creds.secret})
			}, subMsg).decode
		},
		Poll:   func(ctx context.Context) ([]trade.Quote, error) { return e.Quotes(ctx, ds.symbols) },
		Timing: timing.ForURL(url),
	}, fn)
}

// dataSubscribe asks for quotes and trades of the endpoint's symbols.
type dataSubscribe struct {
	Action string   `json:"action"`
	Trades []string `json:"trades"`
	Quotes []string `json:"quotes"`
}

// dataDecoder plays one connection: connected → auth, authenticated →
// subscribe, then quotes. Bid and ask come only from this connection's
// quotes; the last trade price carries over (a trade stays the last one
// until the next).
//
// It runs for every frame of the stream, so it keeps what it can from one
// frame to the next: the scanned elements, the quotes it returns (valid
// until the next call, as the stream core reads them), and each symbol's
// state, found by the venue's symbol without building a string.
type dataDecoder struct {
	endpoint  string
	symbols   map[string]*symbolState
	lastTrade map[trade.Symbol]trade.Quote
	send      func([]byte)
	auth      func() ([]byte, error)
	subscribe []byte

	msgs  []wireMsg
	out   []trade.Quote
	frame uint64 // frames decoded, to find a symbol already in out
}

// symbolState is one subscribed symbol on this connection.
type symbolState struct {
	sym   trade.Symbol
	quote trade.Quote // bid and ask as this connection last said
	frame uint64      // the frame whose out holds the symbol's quote
	at    int         // where in that out
	// The text each price was last read from: a price repeats far more
	// often than it changes, and an unchanged one is not read again.
	bidText, askText []byte
}

func newDataDecoder(endpoint string, bySymbol map[string]trade.Symbol, lastTrade map[trade.Symbol]trade.Quote,
	send func([]byte), auth func() ([]byte, error), subscribe []byte) *dataDecoder {
	symbols := make(map[string]*symbolState, len(bySymbol))
	for vs, sym := range bySymbol {
		symbols[vs] = &symbolState{sym: sym}
	}
	return &dataDecoder{endpoint: endpoint, symbols: symbols, lastTrade: lastTrade, send: send, auth: auth, subscribe: subscribe}
}

func (d *dataDecoder) decode(raw []byte) ([]trade.Quote, error) {
	msgs, err := scanFrame(raw, d.msgs)
	if err != nil {
		return nil, err
	}
	d.msgs = msgs
	d.frame++
	out := d.out[:0]
	for i := range msgs {
		m := &msgs[i]
		switch string(m.T) {
		case "success":
			switch string(m.Msg) {
			case "connected":
				b, err := d.auth()
				if err != nil {
					return nil, venuews.Fatal(err)
				}
				d.send(b)
			case "authenticated":
				d.send(d.subscribe)
			}
		case "error":
			return nil, classifyStreamError(&DataStreamError{Code: m.Code, Msg: string(m.Msg)}, d.endpoint)
		case "subscription":
			// The whole subscription list; a symbol Alpaca dropped sends
			// nothing, which watch shows as stale.
		case "q", "t":
			st, ok, err := d.point(m)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			// One quote per symbol per message, its state after every
			// point: a batch of a quote and the trade that follows it
			// is one update, not two.
			if st.frame == d.frame {
				out[st.at] = st.quote
				continue
			}
			st.frame, st.at = d.frame, len(out)
			out = append(out, st.quote)
		}
	}
	d.out = out
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// point folds one quote or trade into its symbol's state and says whether
// both sides of the book are known.
func (d *dataDecoder) point(m *wireMsg) (*symbolState, bool, error) {
	st, ok := d.symbols[string(m.S)]
	if !ok {
		return nil, false, nil
	}
	at, err := time.Parse(time.RFC3339Nano, string(m.Time))
	if err != nil {
		return nil, false, fmt.Errorf("%s %s: time %q", m.T, m.S, m.Time)
	}
	q := st.quote
	q.Symbol = st.sym
	bidText, askText := st.bidText, st.askText
	if string(m.T) == "q" {
		if q.Bid, bidText, err = d.price("bp", m.BP, q.Bid, bidText); err != nil {
			return nil, false, err
		}
		if q.Ask, askText, err = d.price("ap", m.AP, q.Ask, askText); err != nil {
			return nil, false, err
		}
	} else {
		p, err := parseNumber("p", json.Number(m.P))
		if err != nil {
			return nil, false, err
		}
		if !p.IsPositive() {
			return nil, false, fmt.Errorf("trade %s: price %s", m.S, p)
		}
		d.lastTrade[st.sym] = trade.Quote{Last: p}
	}
	q.Last = d.lastTrade[st.sym].Last
	q.Time = at.UTC()
	st.quote, st.bidText, st.askText = q, bidText, askText
	return st, q.Bid.IsPositive() && q.Ask.IsPositive(), nil
}

// price reads one side's price, or keeps was when text is what it was
// read from before. The text is copied, since the frame's memory is
// reused, and into new memory: the state keeps the old copy until the
// whole point has been read.
func (d *dataDecoder) price(field string, text []byte, was decimal.Decimal, wasText []byte) (decimal.Decimal, []byte, error) {
	if wasText != nil && bytes.Equal(text, wasText) {
		return was, wasText, nil
	}
	p, err := parseNumber(field, json.Number(text))
	if err != nil {
		return decimal.Decimal{}, nil, err
	}
	return p, bytes.Clone(text), nil
}

// endpointName says which stream an error came from, for messages.
func endpointName(path string) string { return strings.TrimPrefix(path, "/") }
