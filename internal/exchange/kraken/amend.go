package kraken

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

const pathAmendOrder = "/0/private/AmendOrder"

var _ exchange.Amender = (*Exchange)(nil)

// PlanAmend implements exchange.Amender: Kraken's AmendOrder changes the
// quantity (up or down), the limit price and the trigger price in place;
// the txid stays, and the order keeps its queue priority where it can —
// on a quantity cut — and loses it on a price change or a larger quantity.
func (e *Exchange) PlanAmend(o trade.Order, a trade.AmendRequest) (exchange.AmendPlan, error) {
	if _, err := venueorder.CheckAmend(venueName, o, a); err != nil {
		return exchange.AmendPlan{}, err
	}
	if _, err := parseTxID(o.ID); err != nil {
		return exchange.AmendPlan{}, err
	}
	return exchange.AmendPlan{Method: "AmendOrder", KeepsPriority: a.QtyDownOnly(o)}, nil
}

// amendForm builds AmendOrder's parameters: order_qty is the new total
// quantity, limit_price the limit (price2 of a stop-loss-limit at
// AddOrder), trigger_price the stop.
func amendForm(txid string, a trade.AmendRequest) *form {
	f := newForm().add("txid", txid)
	if a.Qty.Valid {
		f.addDec("order_qty", a.Qty.Decimal)
	}
	if a.Price.Valid {
		f.addDec("limit_price", a.Price.Decimal)
	}
	if a.StopPrice.Valid {
		f.addDec("trigger_price", a.StopPrice.Decimal)
	}
	return f
}

type amendResult struct {
	AmendID string `json:"amend_id"`
}

// AmendOrder implements exchange.Amender, then reads the order back so
// the result carries Kraken's view of it. A failure after the request was
// written is ErrUnknownOutcome: the caller looks the order up.
func (e *Exchange) AmendOrder(ctx context.Context, o trade.Order, a trade.AmendRequest, _ string) (exchange.AmendResult, error) {
	txid, err := parseTxID(o.ID)
	if err != nil {
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	c := call{path: pathAmendOrder, params: amendForm(txid, a), private: true, cost: costTrading, placement: true}
	var res amendResult
	if err := e.do(ctx, c, &res); err != nil {
		if errors.Is(err, exchange.ErrNotFound) {
			err = e.notWorking(ctx, txid, err)
		}
		return exchange.AmendResult{}, fmt.Errorf("amend order %s: %w", o.ID, err)
	}
	got, err := e.queryOne(ctx, txid, orderHint{symbol: o.Symbol, clientID: o.ClientID, tif: o.TimeInForce})
	if err != nil {
		// Amended all the same: report what was asked rather than invite
		// a second amendment.
		e.Log.Warn("kraken: order amended but not read back", "profile", e.Profile, "txid", txid, "amend_id", res.AmendID, "err", err)
		got = o
		if a.Qty.Valid {
			got.Qty = a.Qty.Decimal
		}
		if a.Price.Valid {
			got.Price = a.Price
		}
		if a.StopPrice.Valid {
			got.StopPrice = a.StopPrice
		}
	}
	return exchange.AmendResult{Order: got}, nil
}

// notWorking words Kraken's "EOrder:Unknown order" for an order that
// exists but has finished as the refusal it is (ErrInvalidOrder, as a
// cancel or amend of a finished order is everywhere else); an order
// Kraken does not know at all stays ErrNotFound.
func (e *Exchange) notWorking(ctx context.Context, txid string, notFound error) error {
	got, err := e.queryOne(ctx, txid, orderHint{})
	if err != nil || got.Status.Working() {
		return notFound
	}
	return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
		Message: fmt.Sprintf("order %s is already %s", txid, strings.ReplaceAll(string(got.Status), "_", " "))}
}
