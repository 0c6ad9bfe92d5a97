package exchange

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/internal/trade"
)

// FillHistorian is implemented by venues that can read an account's whole
// fill history page by page. The fill cache (internal/fillcache) drives it:
// it stores each page together with the cursor to the next one, so a read
// that was interrupted resumes where it stopped, and a later read asks the
// venue only for what is new.
type FillHistorian interface {
	// FillScope says whether one read covers the whole account or one
	// symbol.
	FillScope() FillScope
	// FillHistory reads one page of fills.
	FillHistory(ctx context.Context, q FillQuery) (FillPage, error)
}

// FillScope is how a venue keeps its fill history.
type FillScope int

const (
	// FillsPerAccount: one read returns fills of every symbol (Kraken,
	// Coinbase, Alpaca, paper).
	FillsPerAccount FillScope = iota
	// FillsPerSymbol: the venue keeps fills per symbol (Binance myTrades);
	// FillQuery.Symbol is required and the caller reads each symbol the
	// account has held.
	FillsPerSymbol
)

// FillQuery asks for one page of fill history.
type FillQuery struct {
	// Symbol is the symbol to read; required for FillsPerSymbol venues,
	// and a filter for the others (zero: every symbol).
	Symbol trade.Symbol
	// Since is the earliest fill time wanted (inclusive); zero reads from
	// the account's first fill.
	Since time.Time
	// Until is the end of the range (exclusive); zero means now. A paged
	// read keeps the Until of its first page so later pages do not shift.
	Until time.Time
	// AfterID is the newest fill id the caller already holds for this
	// scope. Venues whose fill ids increase (Binance) read from the next
	// id instead of by time; the others ignore it.
	AfterID string
	// Cursor continues a read: the Next of the page before. "" starts a
	// new read at Since (or after AfterID).
	Cursor string
	// Limit is the most fills one page may hold; 0 asks for the venue's
	// largest page. Venues with a fixed page size ignore it.
	Limit int
}

// FillPage is one page of fill history.
type FillPage struct {
	// Fills in the venue's order; the caller de-duplicates by Fill.ID, so
	// pages may overlap but must never leave a gap.
	Fills []trade.Fill
	// Next is the cursor of the following page, "" after the last one.
	Next string
}
