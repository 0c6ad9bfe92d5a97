package paper

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

// Brackets implements exchange.Bracketer: the paper exchange takes a
// take-profit and a stop-loss on a market or limit entry, either side. The
// exits are placed, as an OCO pair, when the entry has filled completely
// (as Binance places an OTOCO's pending orders); an entry canceled before
// that never gets them.
func (e *Exchange) Brackets(req trade.OrderRequest) bool {
	return req.Type == trade.Market || req.Type == trade.Limit
}

// PlacesOCO implements exchange.OCOPlacer: a take-profit limit and a
// stop-loss rest together, and one filling or triggering cancels the
// other, in the matching engine and in the database.
func (e *Exchange) PlacesOCO(trade.OrderRequest) bool { return true }

var (
	_ exchange.Bracketer = (*Exchange)(nil)
	_ exchange.OCOPlacer = (*Exchange)(nil)
)

// legRow is an order's place in a list.
type legRow struct {
	listID   string
	leg      trade.LegRole
	parentID int64 // 0: none
}

// placeLinked books a bracket's entry, or an OCO's two legs, and returns
// the order PlaceOrder reports: the entry, or the OCO's take-profit.
//
// A sell OCO reserves its base quantity once: the stop-loss leg holds the
// lock and the take-profit none, since only one of them can ever fill. A
// buy OCO reserves each leg's quote, as their prices differ. Whichever leg
// moves first cancels the other before it fills, so the funds are free
// for it (cancelSiblings).
func (s *session) placeLinked(req trade.OrderRequest) (*orderRow, error) {
	if err := req.Validate(); err != nil {
		return nil, invalidOrder(err)
	}
	mk, err := s.marketFor(req.Symbol)
	if err != nil {
		return nil, err
	}
	if req, err = mk.in.Conform(req, trade.RoundReject, mk.ref); err != nil {
		return nil, invalidOrder(err)
	}
	if req.ClientID == "" {
		req.ClientID = newClientID()
	}
	listID := req.ClientID
	if req.Exits.OCO {
		if err := refuseCrossedExits(req, mk.book.Bids, mk.book.Asks); err != nil {
			return nil, err
		}
		tp, _, err := s.placeExits(req, listID, 0, listID)
		return tp, err
	}
	if !s.e.Brackets(req) {
		return nil, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("a bracket's entry is a market or limit order, got %s", req.Type)}
	}
	if !req.Exits.Pair() {
		// Not an exchange.ExitAttacher: a bracket is a pair of exits here.
		return nil, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: "the paper exchange attaches exits as a take-profit and stop-loss pair: give both"}
	}
	if !req.Price.Valid {
		// A market entry fills at about the touch: the exits must
		// bracket it there.
		if err := refuseCrossedExits(req, mk.book.Bids, mk.book.Asks); err != nil {
			return nil, err
		}
	}
	entry, err := s.place(req.EntryRequest())
	if err != nil {
		return nil, err
	}
	if err := s.insertLeg(entry.id, legRow{listID: listID, leg: trade.LegEntry}); err != nil {
		return nil, err
	}
	x := req.Exits
	_, err = s.tx.ExecContext(s.ctx, `INSERT INTO bracket_exits (entry_id, list_id, take_profit, stop_loss, stop_loss_limit, armed)
		VALUES (?, ?, ?, ?, ?, 0)`, entry.id, listID, x.TakeProfit.Decimal.String(), x.StopLoss.Decimal.String(), decText(x.StopLossLimit))
	if err != nil {
		return nil, fmt.Errorf("record bracket of order %d: %w", entry.id, err)
	}
	if entry.status == trade.StatusFilled {
		if _, err := s.arm(entry, nil); err != nil {
			return nil, err
		}
	}
	return entry, nil
}

// refuseCrossedExits refuses exits the market has already reached: a
// take-profit that would fill at once or a stop-loss that would trigger at
// once, as a venue refuses them.
func refuseCrossedExits(req trade.OrderRequest, bids, asks []sim.Level) error {
	exitSide := req.ExitSide()
	touch := bids // a sell exit sells into the bids
	if exitSide == trade.Buy {
		touch = asks
	}
	if len(touch) == 0 {
		return nil
	}
	top := touch[0].Price
	tp, sl := req.TakeProfitPrice(), req.Exits.StopLoss.Decimal
	if withinLimit(exitSide, top, tp) {
		return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("take-profit %s would fill immediately (best %s %s)", tp, oppositeName(exitSide), top)}
	}
	if exitSide == trade.Sell && top.LessThanOrEqual(sl) || exitSide == trade.Buy && top.GreaterThanOrEqual(sl) {
		return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("stop-loss %s would trigger immediately (best %s %s)", sl, oppositeName(exitSide), top)}
	}
	return nil
}

// placeExits books the take-profit and stop-loss legs of list listID (for
// a bracket, parent is the entry), the take-profit under tpClientID.
func (s *session) placeExits(req trade.OrderRequest, listID string, parent int64, tpClientID string) (tp, sl *orderRow, err error) {
	if tp, err = s.place(req.TakeProfitRequest(tpClientID)); err != nil {
		return nil, nil, err
	}
	if err := s.insertLeg(tp.id, legRow{listID: listID, leg: trade.LegTakeProfit, parentID: parent}); err != nil {
		return nil, nil, err
	}
	if !tp.status.Working() {
		// Filled at once (a bracket armed after the market moved past
		// the take-profit): there is nothing left to protect.
		return tp, nil, nil
	}
	if tp.side == trade.Sell {
		// One base reservation for the pair: the stop-loss takes it over.
		if err := s.release(tp); err != nil {
			return nil, nil, err
		}
		if err := s.saveOrder(tp); err != nil {
			return nil, nil, err
		}
	}
	if sl, err = s.place(req.StopLossRequest(trade.LegClientID(listID, trade.LegStopLoss))); err != nil {
		return nil, nil, err
	}
	if err := s.insertLeg(sl.id, legRow{listID: listID, leg: trade.LegStopLoss, parentID: parent}); err != nil {
		return nil, nil, err
	}
	return tp, sl, nil
}

func (s *session) insertLeg(orderID int64, l legRow) error {
	var parent any
	if l.parentID != 0 {
		parent = l.parentID
	}
	_, err := s.tx.ExecContext(s.ctx, "INSERT INTO order_legs (order_id, list_id, leg, parent_id) VALUES (?, ?, ?, ?)",
		orderID, l.listID, string(l.leg), parent)
	if err != nil {
		return fmt.Errorf("link order %d to list %s: %w", orderID, l.listID, err)
	}
	return nil
}

// legOf is the order's place in a list; ok is false for a lone order.
func (s *session) legOf(orderID int64) (legRow, bool, error) {
	var (
		l      legRow
		leg    string
		parent sql.NullInt64
	)
	err := s.tx.QueryRowContext(s.ctx, "SELECT list_id, leg, parent_id FROM order_legs WHERE order_id = ?", orderID).Scan(&l.listID, &leg, &parent)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return legRow{}, false, nil
	case err != nil:
		return legRow{}, false, fmt.Errorf("read list of order %d: %w", orderID, err)
	}
	l.leg, l.parentID = trade.LegRole(leg), parent.Int64
	return l, true, nil
}

// arm places a filled entry's exits, at the entry's fill time, once. The
// exits' rows are returned so a catch-up can follow them. An exit the
// account cannot fund (a sell entry's buy exits after the market moved) is
// booked as rejected with the reason, rather than failing the catch-up:
// the trader sees that the position is unprotected.
func (s *session) arm(entry *orderRow, rows map[int64]*orderRow) ([]*orderRow, error) {
	var (
		listID  string
		tp, sl  string
		slLimit sql.NullString
	)
	err := s.tx.QueryRowContext(s.ctx, "SELECT list_id, take_profit, stop_loss, stop_loss_limit FROM bracket_exits WHERE entry_id = ? AND armed = 0",
		entry.id).Scan(&listID, &tp, &sl, &slLimit)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read bracket of order %d: %w", entry.id, err)
	}
	if _, err := s.tx.ExecContext(s.ctx, "UPDATE bracket_exits SET armed = 1 WHERE entry_id = ?", entry.id); err != nil {
		return nil, fmt.Errorf("arm bracket of order %d: %w", entry.id, err)
	}
	x := &trade.Exits{TakeProfit: decimal.NewNullDecimal(decimal.RequireFromString(tp)), StopLoss: decimal.NewNullDecimal(decimal.RequireFromString(sl))}
	if x.StopLossLimit, err = nullDec(slLimit); err != nil {
		return nil, err
	}
	req := trade.OrderRequest{Symbol: entry.symbol, Side: entry.side, Type: entry.typ, Qty: entry.qty, Exits: x}
	// The legs are placed at the fill's instant: the session's clock
	// stands there for the duration.
	saved := s.now
	s.now = msTime(entry.updatedAt)
	defer func() { s.now = saved }()

	var out []*orderRow
	tpRow, slRow, err := s.placeExits(req, listID, entry.id, trade.LegClientID(listID, trade.LegTakeProfit))
	var venueErr *exchange.Error
	switch {
	case errors.As(err, &venueErr):
		// Refused (funds, or a stop the market has already passed):
		// record the refusal on the list as a rejected stop-loss leg.
		row, rerr := s.rejectedLeg(req.StopLossRequest(trade.LegClientID(listID, trade.LegStopLoss)), venueErr.Message)
		if rerr != nil {
			return nil, rerr
		}
		if err := s.insertLeg(row.id, legRow{listID: listID, leg: trade.LegStopLoss, parentID: entry.id}); err != nil {
			return nil, err
		}
		if tpRow, err = s.orderByRef("", trade.LegClientID(listID, trade.LegTakeProfit)); err != nil {
			return nil, err
		}
		if tpRow != nil && tpRow.status.Working() {
			// Half a pair is not what the trader asked for.
			if err := s.cancel(tpRow); err != nil {
				return nil, err
			}
		}
		return nil, nil
	case err != nil:
		return nil, err
	}
	for _, r := range []*orderRow{tpRow, slRow} {
		if r != nil && r.status.Working() {
			if rows != nil {
				rows[r.id] = r
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// rejectedLeg books req as a rejected order with reason.
func (s *session) rejectedLeg(req trade.OrderRequest, reason string) (*orderRow, error) {
	in, err := s.instrumentOf(req.Symbol)
	if err != nil {
		return nil, err
	}
	nowMs := s.now.UnixMilli()
	o := &orderRow{clientID: req.ClientID, symbol: req.Symbol, side: req.Side, typ: req.Type, tif: trade.GTC,
		status: trade.StatusRejected, qty: req.Qty, price: req.Price, stopPrice: req.StopPrice, feeAsset: in.QuoteAsset,
		makerFee: s.e.makerFee, takerFee: s.e.takerFee, reserveAsset: in.QuoteAsset, rejectReason: reason,
		createdAt: nowMs, updatedAt: nowMs, checkedAt: nowMs}
	return o, s.insertOrder(o)
}

// cancelSiblings cancels the working exits of o's list other than o, when
// o is an exit about to fill or trigger: one cancels the other. rows are
// the rows a catch-up follows, so it sees the cancel.
func (s *session) cancelSiblings(o *orderRow, rows map[int64]*orderRow) error {
	l, ok, err := s.legOf(o.id)
	if err != nil || !ok {
		return err
	}
	if l.leg == trade.LegEntry {
		return nil
	}
	return s.cancelList(l.listID, o.id, rows)
}

// cancelList cancels the working exits of list listID except order skip.
// A bracket's entry is never among them: it is canceled only by name.
func (s *session) cancelList(listID string, skip int64, rows map[int64]*orderRow) error {
	ids, err := s.listOrderIDs(listID, "AND leg != 'entry'")
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id == skip {
			continue
		}
		sib := rows[id]
		if sib == nil {
			if sib, err = s.orderByRef(strconv.FormatInt(id, 10), ""); err != nil {
				return err
			}
		}
		if sib != nil && sib.status.Working() {
			if err := s.cancel(sib); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *session) listOrderIDs(listID, extra string) ([]int64, error) {
	rs, err := s.tx.QueryContext(s.ctx, "SELECT order_id FROM order_legs WHERE list_id = ? "+extra+" ORDER BY order_id", listID)
	if err != nil {
		return nil, fmt.Errorf("read list %s: %w", listID, err)
	}
	defer rs.Close()
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("read list %s: %w", listID, err)
		}
		ids = append(ids, id)
	}
	return ids, rs.Err()
}

// withList adds o's list to its public view: its list id, parent and leg,
// and with legs set the other orders of the list.
func (s *session) withList(o trade.Order, id int64, legs bool) (trade.Order, error) {
	l, ok, err := s.legOf(id)
	if err != nil || !ok {
		return o, err
	}
	o.ListID, o.Leg = l.listID, l.leg
	if l.parentID != 0 {
		o.ParentID = strconv.FormatInt(l.parentID, 10)
	}
	if !legs {
		return o, nil
	}
	ids, err := s.listOrderIDs(l.listID, "")
	if err != nil {
		return o, err
	}
	for _, other := range ids {
		if other == id {
			continue
		}
		row, err := s.orderByRef(strconv.FormatInt(other, 10), "")
		if err != nil || row == nil {
			return o, err
		}
		leg, err := s.withList(row.order(s.e.profile), other, false)
		if err != nil {
			return o, err
		}
		o.Legs = append(o.Legs, leg)
	}
	return o, nil
}

// handleLinked handles ev as handle does, with the links of its order: an
// exit about to fill or trigger first cancels the other exit of its pair
// (releasing what it reserved, for this leg to use), and an entry that
// fills places its bracket's exits, whose rows it returns.
func (s *session) handleLinked(ev event, rows map[int64]*orderRow) ([]*orderRow, error) {
	if ev.kind == evCross {
		if err := s.cancelSiblings(ev.o, rows); err != nil {
			return nil, err
		}
	}
	if err := s.handle(ev); err != nil {
		return nil, err
	}
	if ev.o.status != trade.StatusFilled {
		return nil, nil
	}
	return s.arm(ev.o, rows)
}
