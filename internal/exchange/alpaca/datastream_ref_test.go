package alpaca

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

// The data stream's decoder as it was before it read frames with
// scanFrame: encoding/json into a struct per element. It stays here as
// the reference the decoder is checked against (FuzzDataDecoderReference)
// and as the baseline of BenchmarkDataFrame.

// refDataMsg is any element of a message array: control messages (success,
// error, subscription) and data points (q quotes, t trades). Numbers stay
// json.Number, read as decimals from their text.
type refDataMsg struct {
	T      string   `json:"T"`
	Msg    string   `json:"msg"`
	Code   int      `json:"code"`
	Quotes []string `json:"quotes"`
	S      string   `json:"S"`
	// Size is never read, but encoding/json matches keys regardless of
	// case when no field has the exact name: without it a trade's size
	// "s" would land in the symbol "S".
	Size json.RawMessage `json:"s"`
	BP   json.Number     `json:"bp"`
	AP   json.Number     `json:"ap"`
	P    json.Number     `json:"p"`
	Time string          `json:"t"`
}

// refDataDecoder plays one connection: connected → auth, authenticated →
// subscribe, then quotes. Bid and ask come only from this connection's
// quotes; the last trade price carries over (a trade stays the last one
// until the next).
type refDataDecoder struct {
	endpoint  string
	bySymbol  map[string]trade.Symbol
	lastTrade map[trade.Symbol]trade.Quote
	quotes    map[string]trade.Quote
	send      func([]byte)
	auth      func() ([]byte, error)
	subscribe []byte
}

func newRefDataDecoder(endpoint string, bySymbol map[string]trade.Symbol, lastTrade map[trade.Symbol]trade.Quote,
	send func([]byte), auth func() ([]byte, error), subscribe []byte) *refDataDecoder {
	return &refDataDecoder{endpoint: endpoint, bySymbol: bySymbol, lastTrade: lastTrade, quotes: make(map[string]trade.Quote, len(bySymbol)),
		send: send, auth: auth, subscribe: subscribe}
}

func (d *refDataDecoder) decode(raw []byte) ([]trade.Quote, error) {
	var msgs []refDataMsg
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, err
	}
	var out []trade.Quote
	var at map[trade.Symbol]int // where each symbol's quote is in out
	for _, m := range msgs {
		switch m.T {
		case "success":
			switch m.Msg {
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
			return nil, classifyStreamError(&DataStreamError{Code: m.Code, Msg: m.Msg}, d.endpoint)
		case "subscription":
			// The whole subscription list; a symbol Alpaca dropped sends
			// nothing, which watch shows as stale.
		case "q", "t":
			q, ok, err := d.point(m)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			// One quote per symbol per message, its state after every
			// point: a batch of a quote and the trade that follows it
			// is one update, not two.
			if i, seen := at[q.Symbol]; seen {
				out[i] = q
				continue
			}
			if at == nil {
				at = map[trade.Symbol]int{}
			}
			at[q.Symbol] = len(out)
			out = append(out, q)
		}
	}
	return out, nil
}

// point folds one quote or trade into its symbol's state and returns the
// quote once both sides of the book are known.
func (d *refDataDecoder) point(m refDataMsg) (trade.Quote, bool, error) {
	sym, ok := d.bySymbol[m.S]
	if !ok {
		return trade.Quote{}, false, nil
	}
	at, err := time.Parse(time.RFC3339Nano, m.Time)
	if err != nil {
		return trade.Quote{}, false, fmt.Errorf("%s %s: time %q", m.T, m.S, m.Time)
	}
	q := d.quotes[m.S]
	q.Symbol = sym
	if m.T == "q" {
		if q.Bid, err = parseNumber("bp", m.BP); err != nil {
			return trade.Quote{}, false, err
		}
		if q.Ask, err = parseNumber("ap", m.AP); err != nil {
			return trade.Quote{}, false, err
		}
	} else {
		p, err := parseNumber("p", m.P)
		if err != nil {
			return trade.Quote{}, false, err
		}
		if !p.IsPositive() {
			return trade.Quote{}, false, fmt.Errorf("trade %s: price %s", m.S, p)
		}
		d.lastTrade[sym] = trade.Quote{Last: p}
	}
	q.Last = d.lastTrade[sym].Last
	q.Time = at.UTC()
	d.quotes[m.S] = q
	return q, q.Bid.IsPositive() && q.Ask.IsPositive(), nil
}

// refFields are the keys refDataMsg reads. encoding/json also matches a key
// that differs from one of them only in case; Alpaca never sends such a
// key, and scanFrame does not match it.
var refFields = []string{"T", "msg", "code", "quotes", "S", "s", "bp", "ap", "p", "t"}

// foldsOntoAField says whether a frame has an element key that only a
// case-insensitive match would read.
func foldsOntoAField(frame []byte) bool {
	var elems []map[string]json.RawMessage
	if json.Unmarshal(frame, &elems) != nil {
		return false
	}
	for _, e := range elems {
		for k := range e {
			exact, folded := false, false
			for _, f := range refFields {
				exact = exact || k == f
				folded = folded || strings.EqualFold(k, f)
			}
			if folded && !exact {
				return true
			}
		}
	}
	return false
}
