package paper

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// CheckDatabase is the name of the check Diagnose reports.
const CheckDatabase = "paper database"

var _ exchange.Diagnoser = (*Exchange)(nil)

// Diagnose implements exchange.Diagnoser: SQLite's integrity check of the
// account's database, then each asset's locked balance against what the
// open orders reserve by the rules in the package documentation.
func (e *Exchange) Diagnose(ctx context.Context) []exchange.Check {
	c := exchange.Check{Name: CheckDatabase}
	msg, err := e.integrity(ctx)
	switch {
	case err != nil:
		c.Status, c.Detail = exchange.CheckFail, fmt.Sprintf("%s: %v", e.path, err)
	case msg != "ok":
		c.Status, c.Detail = exchange.CheckFail, fmt.Sprintf("%s: integrity check: %s", e.path, msg)
	default:
		st, detail := e.checkReservations(ctx)
		c.Status, c.Detail = st, fmt.Sprintf("%s: integrity ok; %s", e.path, detail)
	}
	return []exchange.Check{c}
}

// integrity runs PRAGMA integrity_check and returns its answer: "ok" when
// the file is sound, else the first few problems.
func (e *Exchange) integrity(ctx context.Context) (string, error) {
	rows, err := e.db.QueryContext(ctx, "PRAGMA integrity_check(5)")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return strings.Join(lines, "; "), nil
}

// checkReservations compares each asset's locked balance with what the
// open orders reserve, read through the public API as any caller sees
// them. A sell reserves base quantity, exactly; a buy's reservation
// includes the fee rate in force when it was placed, which the public view
// does not show, so it is computed at the profile's current rates and a
// difference in a buy's asset is a warning (the rates may have changed),
// not a failure.
func (e *Exchange) checkReservations(ctx context.Context) (exchange.CheckStatus, string) {
	ins, err := e.Instruments(ctx)
	if err != nil {
		return exchange.CheckFail, fmt.Sprintf("instruments: %v", err)
	}
	rules := map[trade.Symbol]trade.Instrument{}
	for _, in := range ins {
		rules[in.Symbol] = in
	}
	open, err := e.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen, Limit: 1 << 20})
	if err != nil {
		return exchange.CheckFail, fmt.Sprintf("open orders: %v", err)
	}
	bals, err := e.Balances(ctx)
	if err != nil {
		return exchange.CheckFail, fmt.Sprintf("balances: %v", err)
	}
	maker, taker := e.makerFee, e.takerFee
	want := map[string]decimal.Decimal{}
	feeDependent := map[string]bool{}
	sellLists := map[string]bool{}
	one := decimal.NewFromInt(1)
	for _, o := range open {
		in, ok := rules[o.Symbol]
		if !ok {
			return exchange.CheckFail, fmt.Sprintf("open order %s is for unknown symbol %s", o.ID, o.Symbol)
		}
		rest := o.Qty.Sub(o.FilledQty)
		if o.Side == trade.Sell {
			// A sell OCO pair holds one reservation between its legs.
			if o.ListID != "" && o.Leg != trade.LegEntry {
				if sellLists[o.ListID] {
					continue
				}
				sellLists[o.ListID] = true
			}
			want[in.BaseAsset] = want[in.BaseAsset].Add(rest)
			continue
		}
		var r decimal.Decimal
		switch {
		case o.Type == trade.Stop || o.Type == trade.TrailingStop:
			r = o.Qty.Mul(o.StopPrice.Decimal).Mul(one.Add(taker))
		case o.Type == trade.StopLimit && o.FilledQty.IsZero():
			// Untriggered or triggered and resting untouched: the public
			// view cannot tell them apart; the rates agree unless the
			// maker and taker fees differ, and then it is a warning anyway.
			r = o.Qty.Mul(o.Price.Decimal).Mul(one.Add(decimal.Max(maker, taker)))
		default:
			r = rest.Mul(o.Price.Decimal).Mul(one.Add(maker))
		}
		want[in.QuoteAsset] = want[in.QuoteAsset].Add(r)
		feeDependent[in.QuoteAsset] = true
	}
	locked := map[string]decimal.Decimal{}
	assets := map[string]bool{}
	for _, b := range bals {
		locked[b.Asset] = b.Locked
		assets[b.Asset] = true
	}
	for a := range want {
		assets[a] = true
	}
	st, bad := exchange.CheckOK, []string{}
	for _, asset := range slices.Sorted(maps.Keys(assets)) {
		w, l := want[asset], locked[asset]
		if w.Equal(l) {
			continue
		}
		if feeDependent[asset] {
			if st == exchange.CheckOK {
				st = exchange.CheckWarn
			}
			bad = append(bad, fmt.Sprintf("%s locked %s, open orders reserve %s at the profile's current fees (a fee change since they were placed would explain it)", asset, l, w))
		} else {
			st = exchange.CheckFail
			bad = append(bad, fmt.Sprintf("%s locked %s, open orders reserve %s", asset, l, w))
		}
	}
	if len(bad) > 0 {
		return st, strings.Join(bad, "; ")
	}
	noun := "orders"
	if len(open) == 1 {
		noun = "order"
	}
	return exchange.CheckOK, fmt.Sprintf("locked balances match the reservations of %d open %s", len(open), noun)
}
