// Package orderref completes an order reference before the first request:
// a venue that finds an order only together with its symbol (Binance) gets
// the symbol from the journal's record of the client id when the command
// line does not give it, instead of searching the open orders for it.
package orderref

import (
	"context"
	"path/filepath"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
)

// SymbolSource answers the symbol of the order a profile placed under a
// client id, from a record kept on this machine; ok is false when there is
// none.
type SymbolSource func(ctx context.Context, profile, venue, clientID string) (sym trade.Symbol, ok bool)

// Complete returns ref with the symbol ex needs to find the order, from
// known when the command line did not give it. missing is true when ex
// still needs a symbol nobody knows: the caller refuses before any request
// or lets the venue search.
func Complete(ctx context.Context, ex exchange.Exchange, profile string, ref exchange.OrderRef, known SymbolSource) (out exchange.OrderRef, missing bool) {
	needer, ok := ex.(exchange.OrderSymbolNeeder)
	if !ok || !needer.NeedsOrderSymbol(ref) {
		return ref, false
	}
	if ref.ClientID != "" && known != nil {
		if sym, ok := known(ctx, profile, ex.Name(), ref.ClientID); ok {
			ref.Symbol = sym
			return ref, false
		}
	}
	return ref, true
}

// FromJournal is the SymbolSource of the factory's journal. Without a
// journal file nothing was placed from this machine, and none is created.
func FromJournal(f *cmdutil.Factory) SymbolSource {
	return func(ctx context.Context, profile, venue, clientID string) (trade.Symbol, bool) {
		dirs, err := f.Dirs()
		if err != nil || !journal.Exists(filepath.Join(dirs.StateDir(), journal.FileName)) {
			return trade.Symbol{}, false
		}
		j, err := f.Journal()
		if err != nil {
			return trade.Symbol{}, false
		}
		in, ok, err := j.Intent(ctx, profile, clientID)
		// An intent the profile sent to another venue names a symbol of
		// that venue, not of this one.
		if err != nil || !ok || in.Exchange != venue || in.Request.Symbol.IsZero() {
			return trade.Symbol{}, false
		}
		return in.Request.Symbol, true
	}
}
