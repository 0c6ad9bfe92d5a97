package kraken

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

const (
	pathAddOrder     = "/0/private/AddOrder"
	pathQueryOrders  = "/0/private/QueryOrders"
	pathOpenOrders   = "/0/private/OpenOrders"
	pathClosedOrders = "/0/private/ClosedOrders"
	pathCancelOrder  = "/0/private/CancelOrder"
	pathCancelAll    = "/0/private/CancelAll"
	pathBalanceEx    = "/0/private/BalanceEx"

	// queryBatch is how many txids QueryOrders takes at once.
	queryBatch = 50
	// closedPage is ClosedOrders' page size; maxClosedPages bounds how far
	// back ListOrders reads history (each page costs 2 on the counter).
	closedPage     = 50
	maxClosedPages = 5
)

// parseTxID checks an order id: Kraken txids are three dash-separated
// groups of 6, 5 and 6 upper-case letters and digits (OU22CG-KLAF2-FWUDD7).
func parseTxID(id string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(id))
	parts := strings.Split(t, "-")
	ok := len(parts) == 3 && len(parts[0]) == 6 && len(parts[1]) == 5 && len(parts[2]) == 6
	for _, r := range t {
		ok = ok && (r == '-' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}
	if !ok {
		return "", invalidf("%q is not a kraken order id: ids look like OU22CG-KLAF2-FWUDD7", id)
	}
	return t, nil
}

// orderForm builds AddOrder's parameters. cl_ord_id is always sent for
// placements so an unknown outcome can be reconciled.
func orderForm(req trade.OrderRequest, pairID string, w wireOrder, clientID string, validate bool) *form {
	f := newForm().add("pair", pairID).add("type", string(req.Side)).add("ordertype", w.OrderType).addDec("volume", req.Qty)
	switch req.Type {
	case trade.Limit:
		f.addDec("price", req.Price.Decimal)
	case trade.TrailingStop:
		f.add("price", trailOffset(req))
	case trade.Stop:
		f.addDec("price", req.StopPrice.Decimal)
	case trade.StopLimit:
		// price is the trigger, price2 the limit.
		f.addDec("price", req.StopPrice.Decimal).addDec("price2", req.Price.Decimal)
	}
	if w.TimeInForce != "" {
		f.add("timeinforce", w.TimeInForce)
	}
	if w.ExpireTm != "" {
		f.add("expiretm", w.ExpireTm)
	}
	if w.OFlags != "" {
		f.add("oflags", w.OFlags)
	}
	if clientID != "" {
		f.add("cl_ord_id", wireClientID(clientID))
	}
	if validate {
		f.add("validate", "true")
	}
	return f
}

// prepare checks req locally (shape, the pair's status, tick/lot/minimum
// rules) and returns AddOrder's parameters. A bad request never reaches
// Kraken.
func (e *Exchange) prepare(ctx context.Context, req trade.OrderRequest, clientID string, validate bool) (*form, error) {
	linked := req
	if req.Linked() {
		if err := e.checkClose(req); err != nil {
			return nil, err
		}
		req = req.EntryRequest()
	}
	if err := venueorder.CheckRequest(venueName, req); err != nil {
		return nil, err
	}
	if err := venueorder.CheckTrailing(venueName, req, true, true); err != nil {
		return nil, err
	}
	if err := venueorder.CheckQuoteSized(venueName, req); err != nil {
		return nil, err
	}
	if err := trade.ValidateClientID(clientID); err != nil {
		return nil, invalid(err)
	}
	w, err := toWire(req)
	if err != nil {
		return nil, err
	}
	rules, err := e.rulesFor(ctx, req.Symbol)
	if err != nil {
		return nil, err
	}
	switch {
	case !rules.tradable():
		return nil, invalidf("%s is not accepting orders on kraken (status %s)", req.Symbol, rules.Status)
	case rules.Status == "post_only" && !(req.Type == trade.Limit && req.PostOnly):
		return nil, invalidf("%s accepts only post-only limit orders on kraken right now (status post_only)", req.Symbol)
	case rules.Status == "limit_only" && req.Type != trade.Limit:
		return nil, invalidf("%s accepts only limit orders on kraken right now (status limit_only)", req.Symbol)
	}
	// Kraken costs market and stop orders against its book.
	if err := venueorder.CheckRules(venueName, req, rules.instrument()); err != nil {
		return nil, err
	}
	f := orderForm(req, rules.ID, w, clientID, validate)
	if linked.Linked() {
		leg := closeLeg(linked)
		if err := venueorder.CheckRules(venueName, leg, rules.instrument()); err != nil {
			return nil, err
		}
		addClose(f, leg)
	}
	return f, nil
}

type addOrderResult struct {
	Descr struct {
		Order string `json:"order"`
	} `json:"descr"`
	TxID []string `json:"txid"`
}

// PlaceOrder implements exchange.Exchange. AddOrder answers with the
// txid only. A limit or stop order is reported from that answer and the
// request (see accepted), with no second request: it rests, as the venue
// took it. A market order is read back with QueryOrders, because it fills
// at once and the trader is owed its fill (quantity, average price, fee),
// which reporting it as open with nothing filled would misstate; so is a
// post-only order, which Kraken accepts and then cancels if it would have
// taken liquidity, which the answer does not say.
func (e *Exchange) PlaceOrder(ctx context.Context, req trade.OrderRequest) (trade.Order, error) {
	clientID := req.ClientID
	if clientID == "" {
		clientID = newClientID()
	}
	params, err := e.prepare(ctx, req, clientID, false)
	if err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	// Before sending: after an unknown outcome, the order must be
	// displayable under the caller's id whichever process finds it.
	creds.idNames.remember(clientID)
	c := call{path: pathAddOrder, params: params, private: true, cost: costTrading, placement: true, clientID: clientID}
	var res addOrderResult
	if err := e.do(ctx, c, &res); err != nil {
		return trade.Order{}, fmt.Errorf("place order: %w", err)
	}
	if len(res.TxID) == 0 || res.TxID[0] == "" {
		return trade.Order{}, fmt.Errorf("place order: %w", decodeFailure(c, errors.New("AddOrder answered without a txid")))
	}
	txid := res.TxID[0]
	// A resting order is reported as AddOrder took it: one request. One
	// that ends at once (market, IOC, FOK) or may be canceled for taking
	// liquidity (post-only) is read back, so it is never shown open.
	if !req.PostOnly && !req.EndsAtOnce() {
		return e.accepted(req, txid, clientID), nil
	}
	hint := orderHint{symbol: req.Symbol, clientID: clientID, tif: req.EffectiveTIF()}
	o, err := e.queryOne(ctx, txid, hint)
	if err != nil {
		// The order exists; failing now would invite a second placement.
		// Report what was sent, as Kraken accepted it.
		e.Log.Warn("kraken: order placed but not read back", "profile", e.Profile, "txid", txid, "err", err)
		return e.accepted(req, txid, clientID), nil
	}
	if o.Status == trade.StatusRejected {
		return trade.Order{}, fmt.Errorf("place order: %w", &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: venueName,
			Message: fmt.Sprintf("post-only order %s would have taken liquidity; Kraken canceled it (%s)", txid, o.RejectReason)})
	}
	return o, nil
}

// accepted is an order as AddOrder's answer describes it: Kraken gave it
// txid and took it as sent, and says nothing of its execution. So it is
// open with nothing known to have filled — no fill price, no fee — even
// a market order that has in fact already filled; its creation time is
// this machine's clock when the answer came. GetOrder tells the rest.
func (e *Exchange) accepted(req trade.OrderRequest, txid, clientID string) trade.Order {
	now := e.Now().UTC()
	o := trade.Order{ID: txid, ClientID: clientID, Symbol: req.Symbol, Side: req.Side, Type: req.Type,
		TimeInForce: req.EffectiveTIF(), PostOnly: req.PostOnly, Status: trade.StatusOpen, Qty: req.Qty,
		Price: req.Price, StopPrice: req.StopPrice, TrailPct: req.TrailPct, TrailAmount: req.TrailAmount,
		FeeAsset: req.Symbol.Quote, CreatedAt: now, UpdatedAt: now, Exchange: venueName, Profile: e.Profile}
	if t, ok := req.Expiry(); ok {
		o.ExpiresAt = &t
	}
	if req.Linked() {
		// The entry names its list; the close order exists once it fills.
		o.ListID, o.Leg = txid, trade.LegEntry
	}
	return o
}

// ValidateOrder implements exchange.OrderValidator with AddOrder's
// validate=true, which runs Kraken's checks without reaching the
// matching engine.
func (e *Exchange) ValidateOrder(ctx context.Context, req trade.OrderRequest) error {
	params, err := e.prepare(ctx, req, req.ClientID, true)
	if err != nil {
		return fmt.Errorf("validate order: %w", err)
	}
	if err := e.do(ctx, call{path: pathAddOrder, params: params, private: true, cost: costTrading}, nil); err != nil {
		return fmt.Errorf("validate order: %w", err)
	}
	return nil
}

// queryOrders reads orders by txid, in batches.
func (e *Exchange) queryOrders(ctx context.Context, txids []string) (map[string]orderWire, error) {
	out := make(map[string]orderWire, len(txids))
	for start := 0; start < len(txids); start += queryBatch {
		batch := txids[start:min(start+queryBatch, len(txids))]
		var res map[string]orderWire
		if err := e.do(ctx, call{path: pathQueryOrders, params: newForm().add("txid", strings.Join(batch, ",")), private: true, cost: costQuery}, &res); err != nil {
			return nil, err
		}
		for k, v := range res {
			out[k] = v
		}
	}
	return out, nil
}

// queryOne reads one order by txid and maps it.
func (e *Exchange) queryOne(ctx context.Context, txid string, hint orderHint) (trade.Order, error) {
	res, err := e.queryOrders(ctx, []string{txid})
	if err != nil {
		return trade.Order{}, err
	}
	w, ok := res[txid]
	if !ok {
		return trade.Order{}, &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Message: "no order " + txid}
	}
	return e.mapOne(ctx, txid, w, hint)
}

// mapOne resolves the order's symbol and maps it.
func (e *Exchange) mapOne(ctx context.Context, txid string, w orderWire, hint orderHint) (trade.Order, error) {
	sym := hint.symbol
	if sym.IsZero() || altPairName(sym) != w.Descr.Pair {
		var err error
		if sym, err = e.symbolOf(ctx, w.Descr.Pair); err != nil {
			return trade.Order{}, decodeFailure(call{path: pathQueryOrders}, fmt.Errorf("order %s: %w", txid, err))
		}
	}
	o, err := e.mapOrder(txid, w, sym, e.credsIDs(), hint)
	if err != nil {
		return trade.Order{}, decodeFailure(call{path: pathQueryOrders}, err)
	}
	return o, nil
}

func (e *Exchange) credsIDs() *clientIDMap {
	creds, ok := e.creds.Peek()
	if !ok {
		return nil
	}
	return creds.idNames
}

// mapAll maps a txid → order map, newest first.
func (e *Exchange) mapAll(ctx context.Context, ws map[string]orderWire, hint orderHint) ([]trade.Order, error) {
	out := make([]trade.Order, 0, len(ws))
	for txid, w := range ws {
		o, err := e.mapOne(ctx, txid, w, hint)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	venueorder.NewestFirst(out)
	return out, nil
}

type openOrdersResult struct {
	Open map[string]orderWire `json:"open"`
}

type closedOrdersResult struct {
	Closed map[string]orderWire `json:"closed"`
	Count  int                  `json:"count"`
}

// openOrders lists working orders, those with one client id when clID is
// set.
func (e *Exchange) openOrders(ctx context.Context, clID string) (map[string]orderWire, error) {
	f := newForm()
	if clID != "" {
		f.add("cl_ord_id", clID)
	}
	var res openOrdersResult
	if err := e.do(ctx, call{path: pathOpenOrders, params: f, private: true, cost: costQuery}, &res); err != nil {
		return nil, err
	}
	return res.Open, nil
}

// closedOrders reads one page of history, newest first.
func (e *Exchange) closedOrders(ctx context.Context, clID string, since time.Time, ofs int) (closedOrdersResult, error) {
	f := newForm()
	if clID != "" {
		f.add("cl_ord_id", clID)
	}
	if !since.IsZero() {
		// start is exclusive and in whole seconds: one second earlier keeps
		// orders opened in since's own second; Apply filters exactly.
		f.add("start", strconv.FormatInt(since.Unix()-1, 10)).add("closetime", "open")
	}
	if ofs > 0 {
		f.add("ofs", strconv.Itoa(ofs))
	}
	var res closedOrdersResult
	err := e.do(ctx, call{path: pathClosedOrders, params: f, private: true, cost: costHistory}, &res)
	return res, err
}

// findByClientID finds the order with a client id: among working orders
// (where Kraken keeps cl_ord_id unique), else the newest closed one. A
// symbol narrows closed orders, whose ids may repeat across pairs.
func (e *Exchange) findByClientID(ctx context.Context, clientID string, sym trade.Symbol) (trade.Order, error) {
	wire := wireClientID(clientID)
	hint := orderHint{clientID: clientID}
	open, err := e.openOrders(ctx, wire)
	if err != nil {
		return trade.Order{}, err
	}
	if os, err := e.matchClientID(ctx, open, wire, sym, hint); err != nil || len(os) > 0 {
		if err != nil {
			return trade.Order{}, err
		}
		return os[0], nil
	}
	return e.closedByClientID(ctx, clientID, sym)
}

// closedByClientID finds the newest closed order with a client id: one
// finished order's id may have been used again by a later one, which
// opened after it closed.
func (e *Exchange) closedByClientID(ctx context.Context, clientID string, sym trade.Symbol) (trade.Order, error) {
	wire := wireClientID(clientID)
	res, err := e.closedOrders(ctx, wire, time.Time{}, 0)
	if err != nil {
		return trade.Order{}, err
	}
	if os, err := e.matchClientID(ctx, res.Closed, wire, sym, orderHint{clientID: clientID}); err != nil || len(os) > 0 {
		if err != nil {
			return trade.Order{}, err
		}
		return os[0], nil
	}
	return trade.Order{}, &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName,
		Message: fmt.Sprintf("no order has client id %s (Kraken lists the most recent closed orders only)", clientID)}
}

// matchClientID keeps the orders that really carry the id (the filter is
// Kraken's; checking again costs nothing) and the symbol, newest first.
func (e *Exchange) matchClientID(ctx context.Context, ws map[string]orderWire, wire string, sym trade.Symbol, hint orderHint) ([]trade.Order, error) {
	kept := map[string]orderWire{}
	for txid, w := range ws {
		if sameWireID(w.ClOrdID, wire) {
			kept[txid] = w
		}
	}
	os, err := e.mapAll(ctx, kept, hint)
	if err != nil {
		return nil, err
	}
	if sym.IsZero() {
		return os, nil
	}
	return slices.DeleteFunc(os, func(o trade.Order) bool { return o.Symbol != sym }), nil
}

// GetOrder implements exchange.Exchange. Kraken txids are global, so the
// symbol hint is not needed for ids.
func (e *Exchange) GetOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	byTxID := func(ctx context.Context, id string) (trade.Order, error) {
		txid, err := parseTxID(id)
		if err != nil {
			return trade.Order{}, err
		}
		return e.queryOne(ctx, txid, orderHint{})
	}
	o, err := venueorder.Lookup(ctx, venueName, ref, byTxID, e.findByClientID)
	if err == nil {
		o, err = e.withLegs(ctx, o)
	}
	if err != nil {
		return trade.Order{}, fmt.Errorf("get order %s: %w", ref, err)
	}
	return o, nil
}

type cancelResult struct {
	Count   int  `json:"count"`
	Pending bool `json:"pending"`
}

// CancelOrder implements exchange.Exchange. Kraken's answer is a count
// of canceled orders and whether the cancel is still pending, so the order
// is read back: the caller is owed what filled before the cancel (a script
// re-places the rest from filled_qty), which the answer does not say. A
// txid is read with QueryOrders; a client id is canceled with cl_ord_id
// directly (Kraken keeps it unique among open orders) and the order read
// from the closed orders, since the answer does not name its txid. A
// pending cancel is read back until it completes.
func (e *Exchange) CancelOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	o, err := e.cancelOrder(ctx, ref)
	if err != nil {
		return trade.Order{}, fmt.Errorf("cancel order %s: %w", ref, err)
	}
	// The cancel is done: failing to read the rest of the list must not
	// report it as failed.
	if withLegs, err := e.withLegs(ctx, o); err != nil {
		e.Log.Warn("kraken: order canceled, its list not read", "profile", e.Profile, "txid", o.ID, "err", err)
	} else {
		o = withLegs
	}
	return o, nil
}

func (e *Exchange) cancelOrder(ctx context.Context, ref exchange.OrderRef) (trade.Order, error) {
	f := newForm()
	var txid string
	switch {
	case ref.ID != "":
		var err error
		if txid, err = parseTxID(ref.ID); err != nil {
			return trade.Order{}, err
		}
		f.add("txid", txid)
	case ref.ClientID != "":
		if err := trade.ValidateClientID(ref.ClientID); err != nil {
			return trade.Order{}, invalid(err)
		}
		f.add("cl_ord_id", wireClientID(ref.ClientID))
	default:
		return trade.Order{}, invalidf("an order id or client id is required")
	}
	var res cancelResult
	if err := e.do(ctx, call{path: pathCancelOrder, params: f, private: true, cost: costTrading}, &res); err != nil {
		return trade.Order{}, err
	}
	if res.Count == 0 && !res.Pending {
		return trade.Order{}, &exchange.Error{Kind: exchange.ErrNotFound, Venue: venueName, Message: "no open order " + ref.String()}
	}
	read := func() (trade.Order, error) {
		switch {
		case txid != "":
			return e.queryOne(ctx, txid, orderHint{})
		case res.Pending:
			return e.findByClientID(ctx, ref.ClientID, trade.Symbol{})
		}
		return e.closedByClientID(ctx, ref.ClientID, trade.Symbol{})
	}
	o, err := read()
	// A pending cancel completes within moments; read again a few times
	// rather than report a working order as the result of a cancel.
	for i := 0; err == nil && res.Pending && o.Status.Working() && i < 4; i++ {
		if err = venuehttp.Sleep(ctx, e.cancelPoll); err == nil {
			txid = o.ID
			o, err = read()
		}
	}
	return o, err
}

// ListOrders implements exchange.Exchange: open orders from OpenOrders;
// with ListAll, plus up to maxClosedPages pages of ClosedOrders.
func (e *Exchange) ListOrders(ctx context.Context, f exchange.ListFilter) ([]trade.Order, error) {
	os, err := e.listOrders(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return f.Apply(os), nil
}

func (e *Exchange) listOrders(ctx context.Context, f exchange.ListFilter) ([]trade.Order, error) {
	all, err := e.openOrders(ctx, "")
	if err != nil {
		return nil, err
	}
	if all == nil {
		all = map[string]orderWire{}
	}
	if !f.WorkingOnly() {
		// Without filters Kraken's order is ours, and Limit orders are
		// enough; with filters applied here, read more pages.
		enough := f.Limit > 0 && f.Symbol.IsZero() && len(f.Statuses) == 0
		for page, ofs := 0, 0; page < maxClosedPages; page++ {
			res, err := e.closedOrders(ctx, "", f.Since, ofs)
			if err != nil {
				return nil, err
			}
			for k, v := range res.Closed {
				all[k] = v
			}
			ofs += len(res.Closed)
			if len(res.Closed) < closedPage || ofs >= res.Count || (enough && ofs >= f.Limit) {
				break
			}
		}
	}
	os, err := e.mapAll(ctx, all, orderHint{})
	if err != nil {
		return nil, err
	}
	linkListed(os)
	return os, nil
}

// CancelAll implements exchange.Exchange. Without a symbol it lists the
// open orders, sends one CancelAll and reads those orders back; with a
// symbol it cancels that symbol's open orders one by one (Kraken's
// CancelAll has no pair filter). Orders that finish between the listing
// and the cancel are skipped; failures on one order do not stop the
// others, and what was canceled is returned with the errors.
func (e *Exchange) CancelAll(ctx context.Context, sym trade.Symbol) ([]trade.Order, error) {
	os, err := e.cancelAll(ctx, sym)
	if err != nil {
		if sym.IsZero() {
			return os, fmt.Errorf("cancel all: %w", err)
		}
		return os, fmt.Errorf("cancel all %s: %w", sym, err)
	}
	return os, nil
}

func (e *Exchange) cancelAll(ctx context.Context, sym trade.Symbol) ([]trade.Order, error) {
	openWire, err := e.openOrders(ctx, "")
	if err != nil {
		return nil, err
	}
	open, err := e.mapAll(ctx, openWire, orderHint{})
	if err != nil {
		return nil, err
	}
	if !sym.IsZero() {
		open = slices.DeleteFunc(open, func(o trade.Order) bool { return o.Symbol != sym })
	}
	if len(open) == 0 {
		return nil, nil
	}
	var canceled []string
	var errs []error
	if sym.IsZero() {
		var res cancelResult
		if err := e.do(ctx, call{path: pathCancelAll, private: true, cost: costQuery}, &res); err != nil {
			return nil, err
		}
		for _, o := range open {
			canceled = append(canceled, o.ID)
		}
	} else {
		for _, o := range open {
			var res cancelResult
			err := e.do(ctx, call{path: pathCancelOrder, params: newForm().add("txid", o.ID), private: true, cost: costTrading}, &res)
			switch {
			case err == nil:
				canceled = append(canceled, o.ID)
			case errors.Is(err, exchange.ErrNotFound):
				// Filled or canceled since the listing.
			default:
				errs = append(errs, fmt.Errorf("%s: %w", o.ID, err))
				if ctx.Err() != nil {
					return e.readBack(ctx, canceled, open, errs)
				}
			}
		}
	}
	return e.readBack(ctx, canceled, open, errs)
}

// readBack reports canceled orders as Kraken now has them. If reading them
// fails, the cancels still happened: they are reported from the listing
// with status canceled rather than as a failure that invites a retry.
func (e *Exchange) readBack(ctx context.Context, txids []string, listed []trade.Order, errs []error) ([]trade.Order, error) {
	if len(txids) == 0 {
		return nil, errors.Join(errs...)
	}
	ws, err := e.queryOrders(ctx, txids)
	var out []trade.Order
	if err == nil {
		out, err = e.mapAll(ctx, ws, orderHint{})
	}
	if err != nil {
		e.Log.Warn("kraken: orders canceled but not read back", "profile", e.Profile, "count", len(txids), "err", err)
		now := e.Now().UTC()
		out = out[:0]
		for _, o := range listed {
			if slices.Contains(txids, o.ID) {
				o.Status, o.UpdatedAt = trade.StatusCanceled, now
				out = append(out, o)
			}
		}
	}
	return out, errors.Join(errs...)
}

var _ exchange.ClientQuoteSizer = (*Exchange)(nil)

// SizesQuoteClientSide implements exchange.ClientQuoteSizer: Kraken takes
// no quote-sized order (see doc.go on viqc), so tradectl sizes one from
// the quote, on either side, and sends the base quantity.
func (e *Exchange) SizesQuoteClientSide(trade.Side) bool { return true }
