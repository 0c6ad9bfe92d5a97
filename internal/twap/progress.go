package twap

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/trade"
)

// Progress is where a sliced order stands: what `order get twap-KEY`
// and `order create --slices` print.
type Progress struct {
	Parent         string             `json:"parent"`
	IdempotencyKey string             `json:"idempotency_key"`
	Profile        string             `json:"profile"`
	Exchange       string             `json:"exchange"`
	Request        trade.OrderRequest `json:"request"`
	Slices         int                `json:"slices"`
	// Over is the schedule's length as a Go duration ("1h0m0s").
	Over      string    `json:"over"`
	StartedAt time.Time `json:"started_at"`
	// Placed counts children the venue has (any status); Filled those
	// filled completely.
	Placed    int                 `json:"placed"`
	Filled    int                 `json:"filled"`
	FilledQty decimal.Decimal     `json:"filled_qty"`
	AvgPrice  decimal.NullDecimal `json:"avg_fill_price"`
	// NextSliceAt is when the first slice not yet placed is due; absent
	// once every slice is placed.
	NextSliceAt *time.Time `json:"next_slice_at,omitempty"`
	Complete    bool       `json:"complete"`
	Children    []Child    `json:"children"`
}

// Child is one slice as it stands.
type Child struct {
	Index    int             `json:"index"`
	Qty      decimal.Decimal `json:"qty"`
	DueAt    time.Time       `json:"due_at"`
	ClientID string          `json:"client_id"`
	OrderID  string          `json:"order_id,omitempty"`
	// Status is the order's status at the venue once placed; before that
	// "scheduled", or the journal's "pending", "failed" or "not_placed".
	Status       string              `json:"status"`
	FilledQty    decimal.Decimal     `json:"filled_qty"`
	AvgFillPrice decimal.NullDecimal `json:"avg_fill_price"`
}

// Read builds the parent's progress from the journal (which child is
// which, and the outcome of each placement) and, when ex is not nil, the
// venue's view of each placed child; a child the venue cannot show now is
// shown as last recorded.
func Read(ctx context.Context, j *journal.Journal, ex exchange.Exchange, t journal.TWAP) (Progress, error) {
	p := Progress{Parent: ParentID(t.IdempotencyKey), IdempotencyKey: t.IdempotencyKey, Profile: t.Profile, Exchange: t.Exchange,
		Request: t.Request, Slices: len(t.Slices), Over: t.Over.String(), StartedAt: t.StartedAt}
	value := decimal.Zero
	for _, s := range t.Slices {
		c := Child{Index: s.Index, Qty: s.Qty, DueAt: s.DueAt, ClientID: s.ClientID, Status: journal.SliceScheduled}
		in, ok, err := j.Intent(ctx, t.Profile, s.ClientID)
		if err != nil {
			return p, err
		}
		if ok {
			c.Status = string(in.Status)
		}
		if ok && in.Status == journal.Placed && in.Order != nil {
			o := *in.Order
			if ex != nil {
				if got, err := ex.GetOrder(ctx, exchange.OrderRef{ID: o.ID, ClientID: s.ClientID, Symbol: o.Symbol}); err == nil {
					o = got
				}
			}
			c.OrderID, c.Status, c.FilledQty, c.AvgFillPrice = o.ID, string(o.Status), o.FilledQty, o.AvgFillPrice
			p.Placed++
			if o.Status == trade.StatusFilled {
				p.Filled++
			}
			p.FilledQty = p.FilledQty.Add(o.FilledQty)
			if o.AvgFillPrice.Valid {
				value = value.Add(o.FilledQty.Mul(o.AvgFillPrice.Decimal))
			}
		} else if p.NextSliceAt == nil {
			due := s.DueAt
			p.NextSliceAt = &due
		}
		p.Children = append(p.Children, c)
	}
	if p.FilledQty.IsPositive() {
		p.AvgPrice = decimal.NewNullDecimal(value.DivRound(p.FilledQty, 8))
	}
	p.Complete = p.Placed == p.Slices
	return p, nil
}
