package exchange

import (
	"github.com/tradectl/tradectl/internal/textdist"

	"context"
	"sort"
	"strings"

	"github.com/tradectl/tradectl/internal/trade"
)

// maxSuggestions is how many symbols a not-found error names at most.
const maxSuggestions = 3

// SuggestSymbols returns the listed symbols nearest to sym, best first:
// the same base against another quote (BTC-USD on Binance: BTC-USDT,
// BTC-USDC), then spellings within two edits (ETH-UDS: ETH-USD), the
// latter only when no pair of the same base is listed.
func SuggestSymbols(instruments []trade.Instrument, sym trade.Symbol) []trade.Symbol {
	type candidate struct {
		sym  trade.Symbol
		rank int
	}
	typed := sym.String()
	var found []candidate
	for _, in := range instruments {
		s := in.Symbol
		if s == sym {
			continue
		}
		switch d := textdist.Levenshtein(typed, s.String()); {
		case s.Base == sym.Base && sym.Quote != "" && strings.HasPrefix(s.Quote, sym.Quote):
			found = append(found, candidate{s, 0}) // USD → USDT, USDC
		case s.Base == sym.Base:
			found = append(found, candidate{s, 1 + d})
		case d <= 2:
			found = append(found, candidate{s, 10 + d})
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].rank != found[j].rank {
			return found[i].rank < found[j].rank
		}
		return found[i].sym.String() < found[j].sym.String()
	})
	out := make([]trade.Symbol, 0, maxSuggestions)
	for _, c := range found {
		// A listed pair of the same base is the answer, and the closest
		// spellings are; farther ones would only add noise next to them.
		if len(out) == maxSuggestions || (len(out) > 0 && c.rank >= 10 && c.rank > found[0].rank) {
			break
		}
		out = append(out, c.sym)
	}
	return out
}

// UnknownSymbol is the venue's ErrNotFound for a symbol it does not list.
func UnknownSymbol(venue string, sym trade.Symbol) error {
	return &Error{Kind: ErrNotFound, Venue: venue, Message: "unknown symbol " + sym.String()}
}

// unknownSymbolMessage is the not-found message for sym: the nearest
// symbols the venue lists and, when the venue trades sym's base only
// against other quote assets (a profile on Binance, where the paper
// exchange's USD is USDT), which ones.
func unknownSymbolMessage(venue string, sym trade.Symbol, instruments []trade.Instrument) string {
	msg := "unknown symbol " + sym.String()
	near := SuggestSymbols(instruments, sym)
	if len(near) == 0 {
		return msg
	}
	names := make([]string, len(near))
	for i, s := range near {
		names[i] = s.String()
	}
	msg += "; did you mean " + strings.Join(names, ", ") + "?"
	if sym.Quote == "" || venue == "" {
		return msg
	}
	var quotes []string
	seen := map[string]bool{}
	for _, in := range instruments {
		if in.Symbol.Base == sym.Base && in.Symbol.Quote != "" && !seen[in.Symbol.Quote] {
			seen[in.Symbol.Quote] = true
			quotes = append(quotes, in.Symbol.Quote)
		}
	}
	if len(quotes) > 0 && !seen[sym.Quote] {
		sort.Strings(quotes)
		if len(quotes) > maxSuggestions {
			quotes = append(quotes[:maxSuggestions], "…")
		}
		msg += " (" + venue + " quotes " + sym.Base + " in " + strings.Join(quotes, ", ") + ", not " + sym.Quote + ")"
	}
	return msg
}

// UnknownSymbolHint explains an ErrNotFound from a call that took
// symbols (quotes, a watch): the first of syms the venue does not list,
// with the nearest it does. It returns "" when every symbol is listed or
// the instruments cannot be read, so the original error stands alone.
func UnknownSymbolHint(ctx context.Context, ex Exchange, syms []trade.Symbol) string {
	all, err := ex.Instruments(ctx)
	if err != nil {
		return ""
	}
	listed := make(map[trade.Symbol]bool, len(all))
	for _, in := range all {
		listed[in.Symbol] = true
	}
	for _, s := range syms {
		if !listed[s] {
			if msg := unknownSymbolMessage(ex.Name(), s, all); strings.Contains(msg, "did you mean") {
				return msg[strings.Index(msg, "did you mean"):]
			}
			return ""
		}
	}
	return ""
}
