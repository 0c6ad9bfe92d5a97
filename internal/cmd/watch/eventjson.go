package watch

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// MarshalJSON writes the event as its fields' tags describe it, the same
// bytes encoding/json's walk over the struct writes (the tests hold the
// two together), without that walk: a watch writes one event per quote,
// and the walk, with a call and a check for each field, cost more than
// the rest of the quote's handling.
func (e QuoteEvent) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 320)
	b = append(b, `{"type":`...)
	b = appendString(b, e.Type)
	b = append(b, `,"symbol":`...)
	b = appendString(b, e.Symbol.String())
	b = appendDecimal(append(b, `,"bid":`...), e.Bid)
	b = appendDecimal(append(b, `,"ask":`...), e.Ask)
	b = appendDecimal(append(b, `,"last":`...), e.Last)
	b = appendDecimal(append(b, `,"change":`...), e.Change)
	b = appendDecimal(append(b, `,"change_pct":`...), e.ChangePct)
	for _, f := range []struct {
		key string
		v   *decimal.Decimal
	}{
		{`,"change_24h":`, e.Change24h}, {`,"change_24h_pct":`, e.Change24hPct}, {`,"high_24h":`, e.High24h},
		{`,"low_24h":`, e.Low24h}, {`,"volume_24h":`, e.Volume24h},
	} {
		if f.v != nil {
			b = appendDecimal(append(b, f.key...), *f.v)
		}
	}
	if e.StatsTime != nil {
		b = appendTime(append(b, `,"stats_time":`...), *e.StatsTime)
	}
	b = appendTime(append(b, `,"time":`...), e.Time)
	return append(b, '}'), nil
}

// appendDecimal writes d as decimal.Decimal's MarshalJSON does.
func appendDecimal(b []byte, d decimal.Decimal) []byte {
	if decimal.MarshalJSONWithoutQuotes {
		return append(b, d.String()...)
	}
	return append(append(append(b, '"'), d.String()...), '"')
}

// appendTime writes t as trade.JSONTime's MarshalJSON does: the layout
// has nothing a JSON string escapes.
func appendTime(b []byte, t trade.JSONTime) []byte {
	return append(time.Time(t).UTC().AppendFormat(append(b, '"'), trade.TimeLayout), '"')
}

// appendString writes s as a JSON string. Printable ASCII without quotes
// or backslashes, which symbols and event types are, is written as it is;
// anything else as encoding/json writes it for an encoder that leaves
// HTML alone (one that escapes it does so to this output as well).
func appendString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\'
	}
	if plain {
		return append(append(append(b, '"'), s...), '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
