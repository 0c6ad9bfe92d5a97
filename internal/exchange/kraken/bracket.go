package kraken

import (
	"context"
	"errors"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// AttachesExit implements exchange.ExitAttacher with AddOrder's
// conditional close (close[ordertype], close[price], close[price2]): one
// exit on a market or limit entry, placed by Kraken once the entry has
// filled, for the entry's volume on the other side. A take-profit is a
// limit close, a stop-loss a stop-loss close, a stop-loss with a limit a
// stop-loss-limit close (see doc.go). Kraken attaches one close order, so
// a take-profit and a stop-loss together are not taken: the adapter is no
// exchange.Bracketer, nor an exchange.OCOPlacer.
func (e *Exchange) AttachesExit(req trade.OrderRequest) bool {
	return req.Type == trade.Market || req.Type == trade.Limit
}

var _ exchange.ExitAttacher = (*Exchange)(nil)

// closeLeg is a request's single exit as an order of its own: the limit
// a take-profit is, or the stop (stop-limit) a stop-loss is.
func closeLeg(req trade.OrderRequest) trade.OrderRequest {
	if req.Exits.TakeProfit.Valid {
		return req.TakeProfitRequest("")
	}
	return req.StopLossRequest("")
}

// checkClose refuses linked exits Kraken cannot attach — an OCO, a pair,
// an entry AttachesExit does not take — before anything is sent, and
// checks the request itself (exits included).
func (e *Exchange) checkClose(req trade.OrderRequest) error {
	if err := venueorder.Invalid(venueName, req.Validate()); err != nil {
		return err
	}
	switch {
	case req.Exits.OCO:
		return invalidf("kraken places no OCO exit pairs: AddOrder attaches one conditional close to an entry")
	case req.Exits.Pair():
		return invalidf("kraken attaches one conditional close order to an entry: give a take-profit or a stop-loss, not both")
	case !e.AttachesExit(req):
		return invalidf("kraken attaches a conditional close to market and limit entries only, got a %s entry", req.Type)
	}
	return nil
}

// addClose adds the conditional close to AddOrder's parameters. For a
// stop-loss-limit close, as for the order type itself, price is the
// trigger and price2 the limit.
func addClose(f *form, leg trade.OrderRequest) {
	switch leg.Type {
	case trade.Limit:
		f.add("close[ordertype]", "limit").addDec("close[price]", leg.Price.Decimal)
	case trade.Stop:
		f.add("close[ordertype]", "stop-loss").addDec("close[price]", leg.StopPrice.Decimal)
	case trade.StopLimit:
		f.add("close[ordertype]", "stop-loss-limit").addDec("close[price]", leg.StopPrice.Decimal).addDec("close[price2]", leg.Price.Decimal)
	}
}

// legRole names a close order's part by its type: tradectl attaches a
// take-profit as a limit, a stop-loss as a stop-loss(-limit); a
// take-profit(-limit) close attached elsewhere is a take-profit too.
func legRole(typ trade.OrderType, wireType string) trade.LegRole {
	if typ == trade.Limit || wireType == "take-profit" || wireType == "take-profit-limit" {
		return trade.LegTakeProfit
	}
	return trade.LegStopLoss
}

// withLegs adds the other orders of o's list: an entry's close order
// (which exists once the entry has filled: it names the entry in refid),
// or a close order's entry.
func (e *Exchange) withLegs(ctx context.Context, o trade.Order) (trade.Order, error) {
	switch {
	case o.ParentID != "":
		parent, err := e.queryOne(ctx, o.ParentID, orderHint{symbol: o.Symbol})
		if err != nil {
			return o, err
		}
		o.Legs = append(o.Legs, parent)
	case o.Leg == trade.LegEntry && o.FilledQty.IsPositive():
		open, err := e.openOrders(ctx, "")
		if err != nil {
			return o, err
		}
		children := closesOf(o.ID, open)
		if len(children) == 0 {
			res, err := e.closedOrders(ctx, "", o.CreatedAt, 0)
			if err != nil {
				return o, err
			}
			children = closesOf(o.ID, res.Closed)
		}
		legs, err := e.mapAll(ctx, children, orderHint{symbol: o.Symbol})
		if err != nil {
			return o, err
		}
		o.Legs = append(o.Legs, legs...)
	}
	return o, nil
}

// closesOf keeps the orders entry txid created.
func closesOf(txid string, ws map[string]orderWire) map[string]orderWire {
	out := map[string]orderWire{}
	for k, w := range ws {
		if w.RefID == txid {
			out[k] = w
		}
	}
	return out
}

// linkListed shows the lists among listed orders together: an entry and
// its close order, both listed, each carry the other in Legs.
func linkListed(os []trade.Order) {
	at := make(map[string]int, len(os))
	for i, o := range os {
		at[o.ID] = i
	}
	for i, o := range os {
		j, ok := at[o.ParentID]
		if o.ParentID == "" || !ok {
			continue
		}
		parent := os[j]
		parent.Legs = nil
		child := o
		child.Legs = nil
		os[i].Legs = append(os[i].Legs, parent)
		os[j].Legs = append(os[j].Legs, child)
	}
}

// LinkRefusal implements exchange.LinkRefuser: what checkClose says of a
// request CanLink refuses.
func (e *Exchange) LinkRefusal(req trade.OrderRequest) string {
	if err := e.checkClose(req); err != nil {
		var xe *exchange.Error
		if errors.As(err, &xe) {
			return xe.Message
		}
		return err.Error()
	}
	return ""
}

var _ exchange.LinkRefuser = (*Exchange)(nil)
