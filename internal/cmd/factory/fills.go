package factory

import (
	"context"
	"fmt"
	"slices"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// fillHistory reads the profile's fills from the venue, oldest first.
func fillHistory(ctx context.Context, ex exchange.Exchange, _ string, f exchange.FillFilter) ([]trade.Fill, error) {
	fl, ok := ex.(exchange.FillLister)
	if !ok {
		return nil, cmdutil.Usagef("%s does not report fills", ex.Name())
	}
	fills, err := fl.Fills(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("fills: %w", err)
	}
	out := fills[:0]
	for _, fill := range fills {
		if f.Until.IsZero() || fill.Time.Before(f.Until) {
			out = append(out, fill)
		}
	}
	slices.SortStableFunc(out, func(a, b trade.Fill) int { return a.Time.Compare(b.Time) })
	return out, nil
}
