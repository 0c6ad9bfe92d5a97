package fakebinance

import (
	"fmt"
	"strconv"
)

// The TRAILING_DELTA filter's bounds on trailingDelta, in BIPS, as Binance
// sets them on its spot symbols (filters.md, TRAILING_DELTA: minTrailing…
// / maxTrailing…Delta, commonly 10 and 2000).
const (
	minTrailingDelta = 10
	maxTrailingDelta = 2000
)

// parseTrailingDelta reads trailingDelta, which STOP_LOSS, STOP_LOSS_LIMIT,
// TAKE_PROFIT and TAKE_PROFIT_LIMIT take instead of, or with, stopPrice
// (Binance Spot API, New order; trailing-stop FAQ). stopType says the
// order's type is one of those; on any other it is refused as Binance
// refuses a parameter sent when not required.
func (o *order) parseTrailingDelta(p params, stopType bool) *apiError {
	raw := p.get("trailingDelta")
	if raw == "" {
		return nil
	}
	if !stopType {
		return notRequired("trailingDelta")
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return errBody(400, -1100, fmt.Sprintf("Illegal characters found in parameter 'trailingDelta'; legal range is '%s'.", "^[0-9]{1,20}$"))
	}
	if n < minTrailingDelta || n > maxTrailingDelta {
		return filterFailure("TRAILING_DELTA")
	}
	o.trailingDelta = n
	return nil
}

// addTrailingDelta adds the conditional trailingDelta field to an order
// answer when the order trails, as Binance does.
func (o *order) addTrailingDelta(out map[string]any) map[string]any {
	if o.trailingDelta > 0 {
		out["trailingDelta"] = o.trailingDelta
	}
	return out
}
