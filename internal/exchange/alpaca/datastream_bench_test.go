package alpaca

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/trade"
)

// BenchmarkDataFrame is the decoder's part of one data stream frame: the
// frame in, its quotes handed to the stream's callback, with the
// encoding/json decoder it replaced as the baseline in the same run:
//
//	go test -run '^$' -bench DataFrame -benchmem ./internal/exchange/alpaca/
//
// The frames are the fake's at a steady rate: stock quotes with every
// field Alpaca sends. "same" repeats the prices of the frame before (as a
// quiet book does), "moving" changes the bid every frame; "100" is one
// frame of a quote for each of 100 symbols, as a busy client gets.
func BenchmarkDataFrame(b *testing.B) {
	syms := map[string]trade.Symbol{}
	var names []string
	for i := 0; len(names) < 100; i++ {
		n := "T" + string(rune('A'+i/26)) + string(rune('A'+i%26))
		syms[n] = trade.MustSymbol(n)
		names = append(names, n)
	}
	point := func(sym string, bid int) string {
		return fmt.Sprintf(`{"T":"q","S":%q,"bx":"V","bp":%d.5,"bs":2,"ax":"V","ap":%d.52,"as":1,"c":["R"],"z":"C","t":"2026-03-02T15:00:00.123456789Z"}`, sym, bid, bid)
	}
	one := func(bid int) []byte { return []byte("[" + point("TAA", bid) + "]") }
	var all []string
	for i, n := range names {
		all = append(all, point(n, 100+i))
	}
	cases := []struct {
		name   string
		frames [][]byte
		quotes int
	}{
		{"1-quote/same", [][]byte{one(189)}, 1},
		{"1-quote/moving", [][]byte{one(189), one(190)}, 1},
		{"100-quotes", [][]byte{[]byte("[" + strings.Join(all, ",") + "]")}, 100},
	}
	decoders := []struct {
		name string
		new  func() func([]byte) ([]trade.Quote, error)
	}{
		{"reference", func() func([]byte) ([]trade.Quote, error) {
			return newRefDataDecoder("v2/iex", syms, map[trade.Symbol]trade.Quote{}, func([]byte) {}, nil, nil).decode
		}},
		{"scan", func() func([]byte) ([]trade.Quote, error) {
			return newDataDecoder("v2/iex", syms, map[trade.Symbol]trade.Quote{}, func([]byte) {}, nil, nil).decode
		}},
	}
	for _, tc := range cases {
		for _, dec := range decoders {
			b.Run(tc.name+"/"+dec.name, func(b *testing.B) {
				decode := dec.new()
				delivered := 0
				fn := func(trade.Quote) error { delivered++; return nil }
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					qs, err := decode(tc.frames[i%len(tc.frames)])
					if err != nil {
						b.Fatal(err)
					}
					for _, q := range qs {
						_ = fn(q)
					}
				}
				if delivered != b.N*tc.quotes {
					b.Fatalf("%d quotes delivered from %d frames, want %d each", delivered, b.N, tc.quotes)
				}
			})
		}
	}
}
