package paper

import (
	"container/heap"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

// session is one transaction's view of the account. Balances are read once
// inside the transaction, changed in memory and written back before commit,
// so every decision sees the state no other process can change meanwhile.
type session struct {
	e     *Exchange
	ctx   context.Context
	tx    *sql.Tx
	now   time.Time // whole milliseconds, UTC
	bal   map[string]*balance
	dirty map[string]bool
	// snap is the price source's market for this transaction; nil with
	// simulated prices.
	snap *snapshot
}

type balance struct{ free, locked decimal.Decimal }

func (s *session) balance(asset string) *balance {
	b, ok := s.bal[asset]
	if !ok {
		b = &balance{}
		s.bal[asset] = b
	}
	return b
}

func (s *session) credit(asset string, amt decimal.Decimal) {
	if amt.IsZero() {
		return
	}
	b := s.balance(asset)
	b.free = b.free.Add(amt)
	s.dirty[asset] = true
}

// debit, lock and unlock refuse to drive a balance negative: the callers
// check funds first, so a refusal here is a bug, and failing the
// transaction is better than committing a negative balance.
func (s *session) debit(asset string, amt decimal.Decimal) error {
	if amt.IsZero() {
		return nil
	}
	b := s.balance(asset)
	if b.free.LessThan(amt) {
		return fmt.Errorf("internal error: debit %s %s from free %s", amt, asset, b.free)
	}
	b.free = b.free.Sub(amt)
	s.dirty[asset] = true
	return nil
}

func (s *session) lock(asset string, amt decimal.Decimal) error {
	if err := s.debit(asset, amt); err != nil {
		return err
	}
	b := s.balance(asset)
	b.locked = b.locked.Add(amt)
	return nil
}

func (s *session) unlock(asset string, amt decimal.Decimal) error {
	if amt.IsZero() {
		return nil
	}
	b := s.balance(asset)
	if b.locked.LessThan(amt) {
		return fmt.Errorf("internal error: unlock %s %s from locked %s", amt, asset, b.locked)
	}
	b.locked = b.locked.Sub(amt)
	b.free = b.free.Add(amt)
	s.dirty[asset] = true
	return nil
}

// release returns the order's whole reservation to the free balance.
func (s *session) release(o *orderRow) error {
	if err := s.unlock(o.reserveAsset, o.reserved); err != nil {
		return fmt.Errorf("order %d: %w", o.id, err)
	}
	o.reserved = decimal.Zero
	return nil
}

func (s *session) checkFunds(asset string, need decimal.Decimal) error {
	free := s.balance(asset).free
	if need.GreaterThan(free) {
		return &exchange.Error{Kind: exchange.ErrInsufficientFunds, Venue: Name,
			Message: fmt.Sprintf("order needs %s %s, %s %s available", need, asset, free, asset)}
	}
	return nil
}

func invalidOrder(err error) error {
	return &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name, Message: err.Error(), Err: err}
}

// execution is what an order does against the book at one instant.
type execution struct {
	takes   []sim.Level // quantity taken at each price
	takeQty decimal.Decimal
	value   decimal.Decimal // Σ qty·price taken
	fee     decimal.Decimal // taker fee on value
	rest    decimal.Decimal // quantity left resting
	reserve decimal.Decimal // what the rest locks
	status  trade.OrderStatus
	asset   string          // what the order spends: quote for a buy, base for a sell
	need    decimal.Decimal // spent now plus reserved
}

// match plans the order's unfilled quantity against the book, as a limit
// order at o.price when limit is set and as a market order otherwise.
func match(o *orderRow, in trade.Instrument, book sim.Book, limit bool) execution {
	x := execution{asset: in.QuoteAsset}
	levels := book.Asks
	if o.side == trade.Sell {
		x.asset = in.BaseAsset
		levels = book.Bids
	}
	left := o.qty.Sub(o.filled)
	for _, lv := range levels {
		if !left.IsPositive() {
			break
		}
		if limit && !withinLimit(o.side, lv.Price, o.price.Decimal) {
			break
		}
		q := decimal.Min(lv.Qty, left)
		x.takes = append(x.takes, sim.Level{Price: lv.Price, Qty: q})
		x.takeQty = x.takeQty.Add(q)
		x.value = x.value.Add(q.Mul(lv.Price))
		left = left.Sub(q)
	}
	if o.tif == trade.FOK && left.IsPositive() {
		return execution{asset: x.asset, status: trade.StatusExpired}
	}
	x.fee = x.value.Mul(o.takerFee)
	switch {
	case !left.IsPositive():
		x.status = trade.StatusFilled
	case limit && (o.tif == trade.GTC || o.tif == trade.Day):
		x.rest = left
		if o.side == trade.Buy {
			x.reserve = left.Mul(o.price.Decimal).Mul(decimal.NewFromInt(1).Add(o.makerFee))
		} else {
			x.reserve = left
		}
		x.status = trade.StatusOpen
		if x.takeQty.IsPositive() || o.filled.IsPositive() {
			x.status = trade.StatusPartiallyFilled
		}
	default:
		x.status = trade.StatusExpired
	}
	if o.side == trade.Buy {
		x.need = x.value.Add(x.fee).Add(x.reserve)
	} else {
		x.need = x.takeQty.Add(x.reserve)
	}
	return x
}

func withinLimit(side trade.Side, level, limit decimal.Decimal) bool {
	if side == trade.Buy {
		return level.LessThanOrEqual(limit)
	}
	return level.GreaterThanOrEqual(limit)
}

// apply books an execution at unix millisecond at.
func (s *session) apply(o *orderRow, in trade.Instrument, x execution, at int64) error {
	quote, base := in.QuoteAsset, in.BaseAsset
	if o.side == trade.Buy {
		if err := s.debit(quote, x.value.Add(x.fee)); err != nil {
			return err
		}
		s.credit(base, x.takeQty)
		o.reserveAsset = quote
	} else {
		if err := s.debit(base, x.takeQty); err != nil {
			return err
		}
		s.credit(quote, x.value.Sub(x.fee))
		o.reserveAsset = base
	}
	if err := s.lock(o.reserveAsset, x.reserve); err != nil {
		return err
	}
	o.reserved = x.reserve
	for _, t := range x.takes {
		if err := s.insertFill(o, t.Qty, t.Price, t.Qty.Mul(t.Price).Mul(o.takerFee), trade.Taker, at); err != nil {
			return err
		}
	}
	o.filled = o.filled.Add(x.takeQty)
	o.filledValue = o.filledValue.Add(x.value)
	o.fee = o.fee.Add(x.fee)
	o.status = x.status
	o.updatedAt = at
	return nil
}

// place runs every check and, when they pass, books the order. It is also
// the dry run: the caller decides whether the transaction commits.
func (s *session) place(req trade.OrderRequest) (*orderRow, error) {
	if req.Linked() {
		return s.placeLinked(req)
	}
	if err := req.Validate(); err != nil {
		return nil, invalidOrder(err)
	}
	mk, err := s.marketFor(req.Symbol)
	if err != nil {
		return nil, err
	}
	in, book := mk.in, mk.book
	if req, err = in.Conform(req, trade.RoundReject, mk.ref); err != nil {
		return nil, invalidOrder(err)
	}
	if req.QuoteSized() {
		if req, err = baseForQuote(req, in, book, mk.ref); err != nil {
			return nil, err
		}
	}
	clientID := req.ClientID
	if clientID == "" {
		clientID = newClientID()
	}
	var usedBy int64
	switch err := s.tx.QueryRowContext(s.ctx, "SELECT id FROM orders WHERE client_id = ?", clientID).Scan(&usedBy); {
	case err == nil:
		return nil, &exchange.Error{Kind: exchange.ErrDuplicateClientID, Venue: Name,
			Message: fmt.Sprintf("client id %s is already used by order %d", clientID, usedBy)}
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("look up client id: %w", err)
	}

	nowMs := s.now.UnixMilli()
	o := &orderRow{
		clientID:     clientID,
		symbol:       in.Symbol,
		side:         req.Side,
		typ:          req.Type,
		tif:          req.EffectiveTIF(),
		postOnly:     req.PostOnly,
		status:       trade.StatusOpen,
		qty:          req.Qty,
		price:        req.Price,
		stopPrice:    req.StopPrice,
		feeAsset:     in.QuoteAsset,
		makerFee:     s.e.makerFee,
		takerFee:     s.e.takerFee,
		reserveAsset: in.QuoteAsset,
		createdAt:    nowMs,
		updatedAt:    nowMs,
		checkedAt:    nowMs,
	}
	if o.side == trade.Sell {
		o.reserveAsset = in.BaseAsset
	}
	if o.tif == trade.Day {
		o.expiresAt = dayCutoff(mk.class, s.now)
	}
	if err := setExpiry(o, req, s.now); err != nil {
		return nil, err
	}

	if o.typ == trade.Stop || o.typ == trade.StopLimit || o.typ == trade.TrailingStop {
		if o.typ == trade.TrailingStop {
			if err := o.startTrail(req, in, book); err != nil {
				return nil, err
			}
		}
		// A stop whose trigger the market has already crossed is refused,
		// as Binance refuses it (-2010 "Stop price would trigger
		// immediately"), rather than becoming a market or limit order the
		// trader did not ask for.
		if stopTriggered(o, book) {
			top := topOf(book, o.side)
			return nil, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
				Message: fmt.Sprintf("stop price would trigger immediately (best %s %s, stop %s)", oppositeName(o.side), top.Decimal, o.stopPrice.Decimal)}
		}
		reserve := stopReserve(o)
		if err := s.checkFunds(o.reserveAsset, reserve); err != nil {
			return nil, err
		}
		if err := s.insertOrder(o); err != nil {
			return nil, err
		}
		if err := s.lock(o.reserveAsset, reserve); err != nil {
			return nil, err
		}
		o.reserved = reserve
		return o, s.saveOrder(o)
	}
	limit := o.typ == trade.Limit || o.typ == trade.StopLimit
	if o.postOnly {
		if best := topOf(book, o.side); best.Valid && withinLimit(o.side, best.Decimal, o.price.Decimal) {
			return nil, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
				Message: fmt.Sprintf("post-only order would take liquidity (best %s %s, limit %s)", oppositeName(o.side), best.Decimal, o.price.Decimal)}
		}
	}
	x := match(o, in, book, limit)
	if err := s.checkFunds(x.asset, x.need); err != nil {
		return nil, err
	}
	if err := s.insertOrder(o); err != nil {
		return nil, err
	}
	if err := s.apply(o, in, x, nowMs); err != nil {
		return nil, err
	}
	return o, s.saveOrder(o)
}

func topOf(book sim.Book, side trade.Side) decimal.NullDecimal {
	levels := book.Asks
	if side == trade.Sell {
		levels = book.Bids
	}
	if len(levels) == 0 {
		return decimal.NullDecimal{}
	}
	return decimal.NewNullDecimal(levels[0].Price)
}

func oppositeName(side trade.Side) string {
	if side == trade.Buy {
		return "ask"
	}
	return "bid"
}

func stopTriggered(o *orderRow, book sim.Book) bool {
	top := topOf(book, o.side)
	if !top.Valid {
		return false
	}
	if o.side == trade.Buy {
		return top.Decimal.GreaterThanOrEqual(o.stopPrice.Decimal)
	}
	return top.Decimal.LessThanOrEqual(o.stopPrice.Decimal)
}

// stopReserve is what an untriggered stop locks: enough for a buy stop
// filling at its stop price, and for a buy stop-limit at its limit whether
// it then takes or rests.
func stopReserve(o *orderRow) decimal.Decimal {
	if o.side == trade.Sell {
		return o.qty
	}
	one := decimal.NewFromInt(1)
	if o.typ == trade.Stop || o.typ == trade.TrailingStop {
		return o.qty.Mul(o.stopPrice.Decimal).Mul(one.Add(o.takerFee))
	}
	return o.qty.Mul(o.price.Decimal).Mul(one.Add(decimal.Max(o.makerFee, o.takerFee)))
}

// dayCutoff is when a DAY order placed at t expires: the next 00:00 UTC for
// crypto, the next 21:00 UTC for stocks.
func dayCutoff(class sim.Class, t time.Time) int64 {
	t = t.UTC()
	hour := 0
	if class == sim.Stock {
		hour = 21
	}
	c := time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, time.UTC)
	if !c.After(t) {
		c = c.AddDate(0, 0, 1)
	}
	return c.UnixMilli()
}

// cancel ends a working order at the trader's request.
func (s *session) cancel(o *orderRow) error {
	if err := s.release(o); err != nil {
		return err
	}
	o.status = trade.StatusCanceled
	o.updatedAt = s.now.UnixMilli()
	return s.saveOrder(o)
}

type eventKind int

const (
	evCross  eventKind = iota // a stop triggers or a resting limit fills
	evExpire                  // a DAY order reaches its cut-off
	evTrail                   // a trailing stop's trail moved (recorded)
)

type event struct {
	at   int64
	kind eventKind
	o    *orderRow
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].o.id < h[j].o.id
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	ev := old[len(old)-1]
	*h = old[:len(old)-1]
	return ev
}

// marketView is what the engine knows of one symbol at the session's
// instant.
type marketView struct {
	in    trade.Instrument
	class sim.Class
	book  sim.Book
	ref   decimal.Decimal // prices the min-notional check of market and stop orders
}

// marketFor is sym's market now: the simulated path's, or the price
// source's from the snapshot.
func (s *session) marketFor(sym trade.Symbol) (marketView, error) {
	if s.e.source != nil {
		return s.snap.view(sym, s.e.source.name)
	}
	path, err := s.e.pathOf(sym)
	if err != nil {
		return marketView{}, err
	}
	return marketView{in: path.Instrument(), class: path.Spec().Class, book: path.Book(s.now), ref: path.Mid(s.now)}, nil
}

// bookAt is the instrument and book of sym at unix millisecond at. With a
// price source, at is always now: its book is the snapshot's.
func (s *session) bookAt(sym trade.Symbol, at int64) (trade.Instrument, sim.Book, error) {
	if s.e.source != nil {
		mk, err := s.snap.view(sym, s.e.source.name)
		return mk.in, mk.book, err
	}
	path, err := s.e.pathOf(sym)
	if err != nil {
		return trade.Instrument{}, sim.Book{}, err
	}
	return path.Instrument(), path.Book(msTime(at)), nil
}

// instrumentOf is sym's rules.
func (s *session) instrumentOf(sym trade.Symbol) (trade.Instrument, error) {
	if s.e.source != nil {
		return s.snap.instrument(sym, s.e.source.name)
	}
	path, err := s.e.pathOf(sym)
	if err != nil {
		return trade.Instrument{}, err
	}
	return path.Instrument(), nil
}

// catchUp replays every working order's events up to now in time order.
func (s *session) catchUp() error {
	if s.e.source != nil {
		return s.catchUpLive()
	}
	orders, err := s.working("")
	if err != nil || len(orders) == 0 {
		return err
	}
	nowMs := s.now.UnixMilli()
	var h eventHeap
	// rows are the orders followed here by id: an OCO leg canceled by its
	// sibling's event must be the very row whose own event is queued.
	rows := make(map[int64]*orderRow, len(orders))
	for _, o := range orders {
		rows[o.id] = o
		if ev, ok := s.nextEvent(o, nowMs); ok {
			h = append(h, ev)
		}
	}
	heap.Init(&h)
	for h.Len() > 0 {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		ev := heap.Pop(&h).(event)
		if !ev.o.status.Working() {
			continue // canceled by its OCO sibling meanwhile
		}
		armed, err := s.handleLinked(ev, rows)
		if err != nil {
			return err
		}
		for _, o := range append(armed, ev.o) {
			if o.status.Working() {
				if next, ok := s.nextEvent(o, nowMs); ok {
					heap.Push(&h, next)
				}
			}
		}
	}
	_, err = s.tx.ExecContext(s.ctx, "UPDATE orders SET checked_at = ? WHERE status IN "+workingStatuses+" AND checked_at < ?", nowMs, nowMs)
	if err != nil {
		return fmt.Errorf("record catch-up: %w", err)
	}
	return nil
}

// nextEvent finds the order's first event after it was last checked and
// no later than now.
func (s *session) nextEvent(o *orderRow, nowMs int64) (event, bool) {
	path, ok := s.e.market.Path(o.symbol)
	if !ok {
		// An instrument dropped from the table: its orders stay as they
		// are, cancelable, rather than failing every call.
		return event{}, false
	}
	start := max(o.checkedAt, nowMs-sim.MaxScan.Milliseconds())
	end := nowMs
	expiring := o.expiresAt != 0 && o.expiresAt <= nowMs
	if expiring {
		// At the cut-off itself the order is already gone.
		end = min(end, o.expiresAt-1)
	}
	if end > start && o.untriggeredTrail() {
		if ev, ok := s.nextTrailEvent(o, path, start, end); ok {
			return ev, true
		}
	} else if end > start {
		cond, price := crossing(o)
		if t, ok := path.FirstCross(cond, price, msTime(start), msTime(end)); ok {
			return event{at: t.UnixMilli(), kind: evCross, o: o}, true
		}
	}
	if expiring {
		return event{at: o.expiresAt, kind: evExpire, o: o}, true
	}
	return event{}, false
}

// crossing is the quote condition that moves a working order on: its stop
// until triggered, its limit after.
func crossing(o *orderRow) (sim.Condition, decimal.Decimal) {
	untriggered := (o.typ == trade.Stop || o.typ == trade.StopLimit) && !o.triggered
	switch {
	case untriggered && o.side == trade.Buy:
		return sim.AskAtOrAbove, o.stopPrice.Decimal
	case untriggered:
		return sim.BidAtOrBelow, o.stopPrice.Decimal
	case o.side == trade.Buy:
		return sim.AskAtOrBelow, o.price.Decimal
	default:
		return sim.BidAtOrAbove, o.price.Decimal
	}
}

func (s *session) handle(ev event) error {
	o := ev.o
	o.checkedAt = ev.at
	switch {
	case ev.kind == evExpire:
		if err := s.release(o); err != nil {
			return err
		}
		o.status = trade.StatusExpired
		o.updatedAt = ev.at
		return s.saveOrder(o)
	case ev.kind == evTrail:
		o.updatedAt = ev.at
		if err := s.shrinkTrailReserve(o); err != nil {
			return err
		}
		return s.saveOrder(o)
	case (o.typ == trade.Stop || o.typ == trade.StopLimit || o.typ == trade.TrailingStop) && !o.triggered:
		return s.trigger(o, ev.at)
	default:
		return s.fillResting(o, ev.at)
	}
}

// trigger turns a stop into its market or limit order at the trigger
// second and runs it against that second's book.
func (s *session) trigger(o *orderRow, at int64) error {
	in, book, err := s.bookAt(o.symbol, at)
	if err != nil {
		return fmt.Errorf("order %d: %w", o.id, err)
	}
	o.triggered = true
	// The order may use its reservation and the free balance alike.
	if err := s.release(o); err != nil {
		return err
	}
	x := match(o, in, book, o.typ == trade.StopLimit)
	if free := s.balance(x.asset).free; x.need.GreaterThan(free) {
		o.status = trade.StatusRejected
		o.rejectReason = fmt.Sprintf("insufficient funds when triggered at %s: needs %s %s, %s %s available",
			msTime(at).Format(time.RFC3339), x.need, x.asset, free, x.asset)
		o.updatedAt = at
		return s.saveOrder(o)
	}
	if err := s.apply(o, in, x, at); err != nil {
		return err
	}
	return s.saveOrder(o)
}

// fillResting fills a resting limit order completely, as maker, at its
// price.
func (s *session) fillResting(o *orderRow, at int64) error {
	in, err := s.instrumentOf(o.symbol)
	if err != nil {
		return fmt.Errorf("order %d: %w", o.id, err)
	}
	qty := o.qty.Sub(o.filled)
	price := o.price.Decimal
	value := qty.Mul(price)
	fee := value.Mul(o.makerFee)
	if err := s.release(o); err != nil {
		return err
	}
	if o.side == trade.Buy {
		if err := s.debit(in.QuoteAsset, value.Add(fee)); err != nil {
			return fmt.Errorf("order %d: %w", o.id, err)
		}
		s.credit(in.BaseAsset, qty)
	} else {
		if err := s.debit(in.BaseAsset, qty); err != nil {
			return fmt.Errorf("order %d: %w", o.id, err)
		}
		s.credit(in.QuoteAsset, value.Sub(fee))
	}
	if err := s.insertFill(o, qty, price, fee, trade.Maker, at); err != nil {
		return err
	}
	o.filled = o.qty
	o.filledValue = o.filledValue.Add(value)
	o.fee = o.fee.Add(fee)
	o.status = trade.StatusFilled
	o.updatedAt = at
	return s.saveOrder(o)
}
