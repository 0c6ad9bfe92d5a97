package paper

import (
	"context"
	"fmt"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// The paper exchange amends a working order in place: the id stays, and
// any quantity, limit price or stop price may change. Its simulated book
// holds no queue of other traders' orders, so there is no place in a
// queue to keep or lose; what a venue would do on a price change, paper
// does too: the order is judged against the book again as it now stands,
// so a new limit that crosses takes at once (refused when post-only), and
// a new stop the market has already crossed is refused as a new stop
// would be. Funds are reserved again for the amended remainder.
var _ exchange.Amender = (*Exchange)(nil)

// PlanAmend implements exchange.Amender.
func (e *Exchange) PlanAmend(o trade.Order, a trade.AmendRequest) (exchange.AmendPlan, error) {
	if _, err := a.Amended(o); err != nil {
		return exchange.AmendPlan{}, invalidOrder(err)
	}
	return exchange.AmendPlan{Method: "in place", KeepsPriority: true}, nil
}

// AmendOrder implements exchange.Amender. newClientID is not used: the
// order keeps its id and client id.
func (e *Exchange) AmendOrder(ctx context.Context, o trade.Order, a trade.AmendRequest, _ string) (exchange.AmendResult, error) {
	if err := e.refuseReplay("amend an order"); err != nil {
		return exchange.AmendResult{}, err
	}
	var out trade.Order
	err := e.account(ctx, "amend order "+o.ID, func(s *session) error {
		row, err := s.find(exchange.OrderRef{ID: o.ID})
		if err != nil {
			return err
		}
		if err := s.amend(row, a); err != nil {
			return err
		}
		out = row.order(e.profile)
		return nil
	})
	return exchange.AmendResult{Order: out}, err
}

// amend changes a working order and books it again against the book now.
func (s *session) amend(o *orderRow, a trade.AmendRequest) error {
	if !o.status.Working() {
		// The same words and kind as a cancel of a finished order.
		return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("order %d is already %s", o.id, strings.ReplaceAll(string(o.status), "_", " "))}
	}
	if a.StopPrice.Valid && o.triggered {
		return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("order %d has already triggered: its stop price cannot change", o.id)}
	}
	current := o.order(s.e.profile)
	req, err := a.Amended(current)
	if err != nil {
		return invalidOrder(err)
	}
	mk, err := s.marketFor(o.symbol)
	if err != nil {
		return err
	}
	if _, err := mk.in.Conform(req, trade.RoundReject, mk.ref); err != nil {
		return invalidOrder(err)
	}
	// The reservation is made again from scratch for the amended order:
	// released first so the new one may use it and the free balance alike.
	if err := s.release(o); err != nil {
		return err
	}
	o.qty, o.price, o.stopPrice = req.Qty, req.Price, req.StopPrice
	o.updatedAt = s.now.UnixMilli()
	o.checkedAt = o.updatedAt
	if (o.typ == trade.Stop || o.typ == trade.StopLimit) && !o.triggered {
		if stopTriggered(o, mk.book) {
			top := topOf(mk.book, o.side)
			return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
				Message: fmt.Sprintf("stop price would trigger immediately (best %s %s, stop %s)", oppositeName(o.side), top.Decimal, o.stopPrice.Decimal)}
		}
		reserve := stopReserve(o)
		if err := s.checkFunds(o.reserveAsset, reserve); err != nil {
			return err
		}
		if err := s.lock(o.reserveAsset, reserve); err != nil {
			return err
		}
		o.reserved = reserve
		if err := s.saveTerms(o); err != nil {
			return err
		}
		return s.saveOrder(o)
	}
	if o.postOnly {
		if best := topOf(mk.book, o.side); best.Valid && withinLimit(o.side, best.Decimal, o.price.Decimal) {
			return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
				Message: fmt.Sprintf("post-only order would take liquidity (best %s %s, limit %s)", oppositeName(o.side), best.Decimal, o.price.Decimal)}
		}
	}
	if err := s.saveTerms(o); err != nil {
		return err
	}
	x := match(o, mk.in, mk.book, true)
	if err := s.checkFunds(x.asset, x.need); err != nil {
		return err
	}
	if err := s.apply(o, mk.in, x, o.updatedAt); err != nil {
		return err
	}
	return s.saveOrder(o)
}

// saveTerms writes the fields only an amendment changes; saveOrder writes
// the rest.
func (s *session) saveTerms(o *orderRow) error {
	_, err := s.tx.ExecContext(s.ctx, "UPDATE orders SET qty = ?, price = ?, stop_price = ? WHERE id = ?",
		o.qty.String(), decText(o.price), decText(o.stopPrice), o.id)
	if err != nil {
		return fmt.Errorf("amend order %d: %w", o.id, err)
	}
	return nil
}
