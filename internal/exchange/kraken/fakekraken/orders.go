package fakekraken

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

type order struct {
	txid        string
	pair        *pair
	clOrdID     string
	side        string // buy, sell
	ordertype   string // market, limit, stop-loss, stop-loss-limit
	price       decimal.Decimal
	price2      decimal.Decimal
	trail       string // a trailing stop's price: "+N" or "+N%", as sent
	vol         decimal.Decimal
	volExec     decimal.Decimal
	cost        decimal.Decimal
	fee         decimal.Decimal
	status      string // pending, open, closed, canceled, expired
	reason      string
	oflags      []string
	timeinforce string
	expiretm    int64 // unix seconds; 0 for none
	opentm      time.Time
	closetm     time.Time
	triggered   bool
	hold        fakevenue.Hold // what a working order holds
	// close is the conditional close AddOrder attached (close[…]): placed
	// when the order has filled completely, for its volume on the other
	// side. refid is the order a close order was created by.
	close *closeSpec
	refid string
	// closeDescr keeps descr.close after the close order was placed.
	closeDescr string
}

// closeSpec is AddOrder's close[ordertype], close[price], close[price2].
type closeSpec struct {
	ordertype     string
	price, price2 decimal.Decimal
}

func (o *order) working() bool { return o.status == "open" || o.status == "pending" }

func (o *order) hasFlag(f string) bool {
	for _, x := range o.oflags {
		if x == f {
			return true
		}
	}
	return false
}

var (
	decimalParam = regexp.MustCompile(`^[0-9]{1,20}(\.[0-9]{1,20})?$`)
	uuidLong     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	uuidShort    = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	freeText     = regexp.MustCompile(`^[\x21-\x7e]{1,18}$`)
)

// validClOrdID applies AddOrder's documented cl_ord_id formats: a long
// UUID, a 32-hex short UUID, or free ASCII text of up to 18 characters.
func validClOrdID(id string) bool {
	return uuidLong.MatchString(id) || uuidShort.MatchString(id) || freeText.MatchString(id)
}

func sameClOrdID(a, b string) bool {
	if (uuidLong.MatchString(a) || uuidShort.MatchString(a)) && (uuidLong.MatchString(b) || uuidShort.MatchString(b)) {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// decimals counts the significant decimal places of d ("1.50" has 1).
func decimals(d decimal.Decimal) int32 {
	_, frac, ok := strings.Cut(d.String(), ".")
	if !ok {
		return 0
	}
	return int32(len(frac))
}

const txidAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// newTxIDLocked makes an order id shaped like Kraken's: O + 5, 5, 6
// characters (OU22CG-KLAF2-FWUDD7), unique in this server.
func (s *Server) newTxIDLocked() string { return s.newIDLocked("O") }

// newIDLocked makes a Kraken-shaped id with prefix (O orders, T trades).
func (s *Server) newIDLocked(prefix string) string {
	for {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		c := make([]byte, 16)
		for i := range b {
			c[i] = txidAlphabet[int(b[i])%len(txidAlphabet)]
		}
		id := prefix + string(c[:5]) + "-" + string(c[5:10]) + "-" + string(c[10:16])
		if _, taken := s.byTxID[id]; !taken && !s.tradeIDs[id] {
			return id
		}
	}
}

func invalidArgs(name string) string { return "EGeneral:Invalid arguments:" + name }

// parseOrder validates AddOrder's parameters the way Kraken does before
// the matching engine.
func (s *Server) parseOrder(p params) (*order, string) {
	pr, ok := s.pairLocked(p.get("pair"))
	if !ok {
		return nil, "EQuery:Unknown asset pair"
	}
	o := &order{pair: pr, side: p.get("type"), ordertype: p.get("ordertype"), clOrdID: p.get("cl_ord_id"), status: "open"}
	switch o.side {
	case "buy", "sell":
	default:
		return nil, invalidArgs("type")
	}
	var needPrice, needPrice2 bool
	switch o.ordertype {
	case "market":
	case "limit", "stop-loss":
		needPrice = true
	case "stop-loss-limit":
		needPrice, needPrice2 = true, true
	case "trailing-stop":
		if e := o.parseTrail(p.get("price")); e != "" {
			return nil, e
		}
	default:
		return nil, invalidArgs("ordertype")
	}
	vol := p.get("volume")
	if !decimalParam.MatchString(vol) {
		return nil, invalidArgs("volume")
	}
	o.vol = decimal.RequireFromString(vol)
	if !o.vol.IsPositive() || decimals(o.vol) > pr.spec.LotDecimals {
		return nil, invalidArgs("volume")
	}
	for _, f := range []struct {
		name string
		need bool
		dst  *decimal.Decimal
	}{{"price", needPrice, &o.price}, {"price2", needPrice2, &o.price2}} {
		v := p.get(f.name)
		if !f.need {
			continue
		}
		if v == "" || !decimalParam.MatchString(v) {
			return nil, invalidArgs(f.name)
		}
		d := decimal.RequireFromString(v)
		if !d.IsPositive() {
			return nil, invalidArgs(f.name)
		}
		if decimals(d) > pr.spec.PairDecimals {
			return nil, fmt.Sprintf("EOrder:Invalid price:%s price can only be specified up to %d decimals.", pr.spec.AltName, pr.spec.PairDecimals)
		}
		if pr.tick.IsPositive() && !d.Mod(pr.tick).IsZero() {
			return nil, "EOrder:Tick size check failed"
		}
		*f.dst = d
	}
	switch tif := p.get("timeinforce"); tif {
	case "", "GTC":
		o.timeinforce = "GTC"
	case "IOC":
		o.timeinforce = "IOC"
	case "GTD":
		// The fake rests a GTD order and reports its expiretm; it keeps
		// no clock that would end it.
		tm, ok := parseExpireTm(p.get("expiretm"), s.clock())
		if !ok {
			return nil, invalidArgs("expiretm")
		}
		o.timeinforce, o.expiretm = "GTD", tm
	default:
		return nil, invalidArgs("timeinforce")
	}
	if flags := p.get("oflags"); flags != "" {
		for _, f := range strings.Split(flags, ",") {
			switch f {
			case "post":
				if o.ordertype != "limit" {
					return nil, invalidArgs("oflags")
				}
			case "fcib", "fciq", "nompp":
			default:
				return nil, invalidArgs("oflags")
			}
			o.oflags = append(o.oflags, f)
		}
	}
	if !o.hasFlag("fcib") && !o.hasFlag("fciq") {
		o.oflags = append(o.oflags, "fciq")
	}
	if c, kerr := parseClose(p, pr); kerr != "" {
		return nil, kerr
	} else if c != nil {
		o.close = c
	}
	if p.has("cl_ord_id") {
		if !validClOrdID(o.clOrdID) {
			return nil, invalidArgs("cl_ord_id")
		}
		if p.has("userref") {
			return nil, invalidArgs("cl_ord_id")
		}
	}
	switch pr.spec.Status {
	case "", "online":
	case "post_only":
		if !o.hasFlag("post") {
			return nil, "EService:Market in post_only mode"
		}
	case "limit_only":
		if o.ordertype != "limit" {
			return nil, "EService:Market in limit_only mode"
		}
	default:
		return nil, "EService:Market in cancel_only mode"
	}
	if o.vol.LessThan(pr.orderMin) {
		return nil, "EOrder:Order minimum not met"
	}
	ref := o.price
	if o.ordertype == "market" || o.ordertype == "trailing-stop" {
		ref = pr.ask
		if o.side == "sell" {
			ref = pr.bid
		}
	}
	if o.vol.Mul(ref).LessThan(pr.costMin) {
		return nil, "EOrder:Cost minimum not met"
	}
	return o, ""
}

// closeTypes are the close[ordertype] values the AddOrder reference lists.
// The fake simulates limit, stop-loss and stop-loss-limit closes, the ones
// tradectl attaches; the others are refused rather than rested as orders
// the fake would never execute.
var closeTypes = map[string]bool{
	"limit": true, "stop-loss": true, "stop-loss-limit": true,
	"iceberg": false, "take-profit": false, "take-profit-limit": false, "trailing-stop": false, "trailing-stop-limit": false,
}

// parseClose reads a conditional close: close[ordertype] with the prices
// its type needs, on the pair's tick. Without close[ordertype], close
// prices are refused. Only ordertype, price and price2 belong to close[…].
func parseClose(p params, pr *pair) (*closeSpec, string) {
	typ := p.get("close[ordertype]")
	if typ == "" {
		for _, k := range []string{"close[price]", "close[price2]"} {
			if p.has(k) {
				return nil, invalidArgs("close[ordertype]")
			}
		}
		return nil, ""
	}
	simulated, known := closeTypes[typ]
	if !known || !simulated {
		return nil, invalidArgs("close[ordertype]")
	}
	c := &closeSpec{ordertype: typ}
	for _, f := range []struct {
		name string
		need bool
		dst  *decimal.Decimal
	}{{"close[price]", true, &c.price}, {"close[price2]", typ == "stop-loss-limit", &c.price2}} {
		v := p.get(f.name)
		if !f.need {
			if v != "" {
				return nil, invalidArgs(f.name)
			}
			continue
		}
		if !decimalParam.MatchString(v) {
			return nil, invalidArgs(f.name)
		}
		d := decimal.RequireFromString(v)
		if !d.IsPositive() {
			return nil, invalidArgs(f.name)
		}
		if pr.tick.IsPositive() && !d.Mod(pr.tick).IsZero() {
			return nil, "EOrder:Tick size check failed"
		}
		*f.dst = d
	}
	return c, ""
}

// closeDescr is descr.close: the conditional close in words, "" without one.
func (s *Server) closeDescr(o *order) string {
	c := o.close
	if c == nil {
		return ""
	}
	d := o.pair.spec.PairDecimals
	text := "close position @ " + c.ordertype + " " + fx(c.price, d)
	if c.ordertype == "stop-loss-limit" {
		text += " -> limit " + fx(c.price2, d)
	}
	return text
}

// placeCloseLocked creates a filled entry's conditional close order, once:
// the entry's volume on the other side, naming the entry in refid. A
// close the account cannot fund is booked canceled with the reason.
func (s *Server) placeCloseLocked(entry *order) {
	c := entry.close
	entry.close = nil
	side := "sell"
	if entry.side == "sell" {
		side = "buy"
	}
	o := &order{pair: entry.pair, side: side, ordertype: c.ordertype, price: c.price, price2: c.price2, vol: entry.vol,
		status: "open", timeinforce: "GTC", oflags: []string{"fciq"}, refid: entry.txid}
	o.txid = s.newTxIDLocked()
	s.orders = append(s.orders, o)
	s.byTxID[o.txid] = o
	if kerr := s.executeLocked(o); kerr != "" {
		o.opentm = s.clock()
		s.closeLocked(o, "canceled", strings.TrimPrefix(kerr, "EOrder:"))
	}
	entry.closeDescr = s.closeDescr(&order{pair: entry.pair, close: c})
}

func (s *Server) handleAddOrder(p params) (any, string) {
	o, kerr := s.parseOrder(p)
	if kerr != "" {
		return nil, kerr
	}
	validate := p.get("validate") == "true"
	descr := map[string]any{"order": s.describe(o)}
	if o.close != nil {
		descr["close"] = s.closeDescr(o)
	}
	if validate {
		return map[string]any{"descr": descr}, ""
	}
	// Kraken keeps cl_ord_id unique among open orders.
	if o.clOrdID != "" {
		for _, other := range s.orders {
			if other.working() && sameClOrdID(other.clOrdID, o.clOrdID) {
				return nil, "EOrder:Duplicate order"
			}
		}
	}
	// The txid comes first: an entry that fills at once creates its
	// close order, which names it.
	o.txid = s.newTxIDLocked()
	if kerr := s.executeLocked(o); kerr != "" {
		return nil, kerr
	}
	s.orders = append(s.orders, o)
	s.byTxID[o.txid] = o
	s.placed.Add(1)
	return map[string]any{"descr": descr, "txid": []string{o.txid}}, ""
}

func (s *Server) describe(o *order) string {
	d := o.pair.spec.PairDecimals
	text := fmt.Sprintf("%s %s %s @ %s", o.side, fx(o.vol, o.pair.spec.LotDecimals), o.pair.spec.AltName, o.ordertype)
	switch o.ordertype {
	case "limit", "stop-loss":
		text += " " + fx(o.price, d)
	case "stop-loss-limit":
		text += " " + fx(o.price, d) + " -> limit " + fx(o.price2, d)
	case "trailing-stop":
		text += " " + o.trail
	}
	return text
}

// holdFor is what an order holds until it fills or is canceled: quote at
// its limit (or trigger) price plus the taker fee for buys, base for
// sells. Rounded up to the asset's decimals, so a hold always covers.
func (s *Server) holdFor(o *order, price decimal.Decimal) (*asset, decimal.Decimal) {
	base, quote := s.pairAssetsLocked(o.pair)
	remaining := o.vol.Sub(o.volExec)
	if o.side == "buy" {
		return quote, price.Mul(remaining).Mul(decimal.NewFromInt(1).Add(s.takerFee)).RoundCeil(quote.spec.Decimals)
	}
	return base, remaining
}

// executeLocked runs a new order against the one-level book.
func (s *Server) executeLocked(o *order) string {
	now := s.clock()
	o.opentm = now
	pr := o.pair
	touch := pr.ask
	if o.side == "sell" {
		touch = pr.bid
	}
	canPay := func(price decimal.Decimal) bool {
		a, need := s.holdFor(o, price)
		return !a.Free.LessThan(need)
	}
	switch o.ordertype {
	case "market":
		if !canPay(touch) {
			return "EOrder:Insufficient funds"
		}
		s.fillLocked(o, touch, o.vol, false)
	case "limit":
		if !canPay(o.price) {
			return "EOrder:Insufficient funds"
		}
		marketable := (o.side == "buy" && !o.price.LessThan(pr.ask)) || (o.side == "sell" && !o.price.GreaterThan(pr.bid))
		switch {
		case marketable && o.hasFlag("post"):
			// Kraken accepts the order and cancels it at once.
			s.closeLocked(o, "canceled", "Post only order")
		case marketable:
			s.fillLocked(o, touch, o.vol, false)
		case o.timeinforce == "IOC":
			s.closeLocked(o, "canceled", "Immediate or cancel")
		default:
			s.holdLocked(o, o.price)
		}
	case "trailing-stop":
		// Rests at the touch's funds; the fake does not follow the trail.
		if !canPay(touch) {
			return "EOrder:Insufficient funds"
		}
		s.holdLocked(o, touch)
	default: // stop-loss, stop-loss-limit
		lockPrice := o.price
		if o.ordertype == "stop-loss-limit" {
			lockPrice = o.price2
		}
		if !canPay(lockPrice) {
			return "EOrder:Insufficient funds"
		}
		s.holdLocked(o, lockPrice)
		s.triggerLocked(o)
	}
	return ""
}

func (s *Server) holdLocked(o *order, price decimal.Decimal) {
	a, amount := s.holdFor(o, price)
	o.hold = a.Hold(amount)
}

func (s *Server) releaseLocked(o *order) { o.hold.Release() }

func (s *Server) closeLocked(o *order, status, reason string) {
	s.releaseLocked(o)
	o.status, o.reason, o.closetm = status, reason, s.clock()
}

// fillLocked executes qty of o at price and settles balances, fees in the
// quote asset. A working order keeps holding for what is left.
func (s *Server) fillLocked(o *order, price, qty decimal.Decimal, maker bool) {
	wasHolding := o.hold.Active()
	holdPrice := o.price
	if o.ordertype == "stop-loss-limit" {
		holdPrice = o.price2
	}
	s.releaseLocked(o)
	base, quote := s.pairAssetsLocked(o.pair)
	rate := s.takerFee
	if maker {
		rate = s.makerFee
	}
	cost := price.Mul(qty)
	fee := cost.Mul(rate).RoundCeil(quote.spec.Decimals)
	if o.side == "buy" {
		quote.Free = quote.Free.Sub(cost.Add(fee)).Round(quote.spec.Decimals)
		base.Free = base.Free.Add(qty)
	} else {
		base.Free = base.Free.Sub(qty)
		quote.Free = quote.Free.Add(cost.Sub(fee)).Round(quote.spec.Decimals)
	}
	o.volExec = o.volExec.Add(qty)
	o.cost = o.cost.Add(cost)
	o.fee = o.fee.Add(fee)
	o.pair.last = price
	t := &tradeRec{id: s.newIDLocked("T"), order: o, price: price, qty: qty, cost: cost, fee: fee, maker: maker, time: s.clock()}
	s.trades = append(s.trades, t)
	s.tradeIDs[t.id] = true
	if o.volExec.GreaterThanOrEqual(o.vol) {
		o.status, o.closetm = "closed", s.clock()
		if o.close != nil {
			s.placeCloseLocked(o)
		}
		return
	}
	if wasHolding {
		s.holdLocked(o, holdPrice)
	}
}

// triggerLocked fires a stop whose trigger the last price has reached: a
// stop-loss executes at market, a stop-loss-limit becomes a limit order.
func (s *Server) triggerLocked(o *order) {
	if o.triggered || !o.working() {
		return
	}
	last := o.pair.last
	hit := (o.side == "buy" && !last.LessThan(o.price)) || (o.side == "sell" && !last.GreaterThan(o.price))
	if !hit {
		return
	}
	o.triggered = true
	pr := o.pair
	touch := pr.ask
	if o.side == "sell" {
		touch = pr.bid
	}
	switch o.ordertype {
	case "stop-loss":
		s.fillLocked(o, touch, o.vol.Sub(o.volExec), false)
	case "stop-loss-limit":
		if (o.side == "buy" && !o.price2.LessThan(pr.ask)) || (o.side == "sell" && !o.price2.GreaterThan(pr.bid)) {
			s.fillLocked(o, touch, o.vol.Sub(o.volExec), false)
		}
	}
}

// matchLocked fills resting limit orders a moved book crosses (as maker,
// at their own price) and triggers stops.
func (s *Server) matchLocked(p *pair) {
	for _, o := range s.orders {
		if o.pair != p || !o.working() {
			continue
		}
		limit := o.price
		switch o.ordertype {
		case "trailing-stop":
			continue // rests: the fake does not follow the trail
		case "stop-loss", "stop-loss-limit":
			if !o.triggered {
				s.triggerLocked(o)
				continue
			}
			limit = o.price2
		}
		if (o.side == "buy" && !limit.LessThan(p.ask)) || (o.side == "sell" && !limit.GreaterThan(p.bid)) {
			s.fillLocked(o, limit, o.vol.Sub(o.volExec), true)
		}
	}
}

// FillPartially executes qty of a working order at its limit price (as
// maker), leaving it open with the rest.
func (s *Server) FillPartially(txid string, qty decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byTxID[txid]
	if !ok || !o.working() {
		panic("fakekraken: no working order " + txid)
	}
	price := o.price
	if o.ordertype == "stop-loss-limit" {
		price = o.price2
	}
	if qty.GreaterThan(o.vol.Sub(o.volExec)) {
		qty = o.vol.Sub(o.volExec)
	}
	s.fillLocked(o, price, qty, true)
}

// CloseOrder ends a working order with status ("canceled", "expired",
// "closed") and reason, as Kraken would on its own (an expiry, a
// cancel-on-disconnect), without a fill.
func (s *Server) CloseOrder(txid, status, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byTxID[txid]
	if !ok {
		panic("fakekraken: no order " + txid)
	}
	s.closeLocked(o, status, reason)
}

// unixNumber writes a time as Kraken does: seconds with four decimals,
// as a JSON number.
func unixNumber(t time.Time) json.RawMessage {
	if t.IsZero() {
		return json.RawMessage("0")
	}
	return json.RawMessage(fmt.Sprintf("%d.%04d", t.Unix(), t.Nanosecond()/100000))
}

func (s *Server) orderJSON(o *order) map[string]any {
	d := o.pair.spec.PairDecimals
	price, price2 := "0", "0"
	switch o.ordertype {
	case "limit", "stop-loss":
		price = fx(o.price, d)
	case "stop-loss-limit":
		price, price2 = fx(o.price, d), fx(o.price2, d)
	case "trailing-stop":
		price = o.trail
	}
	avg := decimal.Zero
	if o.volExec.IsPositive() {
		avg = o.cost.DivRound(o.volExec, d+1)
	}
	var clOrdID, reason any
	if o.clOrdID != "" {
		clOrdID = o.clOrdID
	}
	if o.reason != "" {
		reason = o.reason
	}
	misc := ""
	if o.volExec.IsPositive() && o.volExec.LessThan(o.vol) {
		misc = "partial"
	}
	var refid any
	if o.refid != "" {
		refid = o.refid
	}
	closeText := o.closeDescr
	if o.close != nil {
		closeText = s.closeDescr(o)
	}
	out := map[string]any{
		"refid": refid, "userref": 0, "cl_ord_id": clOrdID, "status": o.status, "reason": reason,
		"opentm": unixNumber(o.opentm), "starttm": 0, "expiretm": o.expiretm,
		"descr": map[string]any{
			"pair": o.pair.spec.AltName, "type": o.side, "ordertype": o.ordertype, "price": price, "price2": price2,
			"leverage": "none", "order": s.describe(o), "close": closeText,
		},
		"vol": fx(o.vol, o.pair.spec.LotDecimals), "vol_exec": fx(o.volExec, o.pair.spec.LotDecimals), "cost": fx(o.cost, o.pair.spec.CostDecimals),
		"fee": fx(o.fee, o.pair.spec.CostDecimals), "price": fx(avg, d+1), "stopprice": "0.00000", "limitprice": "0.00000",
		"misc": misc, "oflags": strings.Join(o.oflags, ","),
	}
	if !o.working() {
		out["closetm"] = unixNumber(o.closetm)
	}
	return out
}

func (s *Server) handleQueryOrders(p params) (any, string) {
	ids := p.get("txid")
	if ids == "" {
		return nil, invalidArgs("txid")
	}
	parts := strings.Split(ids, ",")
	if len(parts) > 50 {
		return nil, invalidArgs("txid")
	}
	out := map[string]any{}
	for _, id := range parts {
		o, ok := s.byTxID[strings.TrimSpace(id)]
		if !ok {
			return nil, "EOrder:Unknown order"
		}
		out[o.txid] = s.orderJSON(o)
	}
	return out, ""
}

func (s *Server) handleOpenOrders(p params) (any, string) {
	open := map[string]any{}
	cl := p.get("cl_ord_id")
	for _, o := range s.orders {
		if o.working() && (cl == "" || sameClOrdID(o.clOrdID, cl)) {
			open[o.txid] = s.orderJSON(o)
		}
	}
	return map[string]any{"open": open}, ""
}

// page is a history request's window: start and end (unix seconds, 0
// for none; start exclusive, end inclusive) and the offset of a page of
// size entries (50 unless the call's is set otherwise), newest first.
type page struct {
	start, end int64
	ofs, size  int
}

// readPage reads the start, end and ofs parameters; the error is
// Kraken's.
func readPage(p params) (page, string) {
	pg := page{size: 50}
	var err error
	if v := p.get("start"); v != "" {
		if pg.start, err = strconv.ParseInt(v, 10, 64); err != nil {
			return page{}, invalidArgs("start")
		}
	}
	if v := p.get("end"); v != "" {
		if pg.end, err = strconv.ParseInt(v, 10, 64); err != nil {
			return page{}, invalidArgs("end")
		}
	}
	if v := p.get("ofs"); v != "" {
		if pg.ofs, err = strconv.Atoi(v); err != nil || pg.ofs < 0 {
			return page{}, invalidArgs("ofs")
		}
	}
	return pg, ""
}

// holds says t is within start and end.
func (pg page) holds(t time.Time) bool {
	u := t.Unix()
	return (pg.start == 0 || u > pg.start) && (pg.end == 0 || u <= pg.end)
}

// pageOf is the page of matched, newest first, that pg's offset names.
func pageOf[T any](pg page, matched []T) []T {
	if pg.ofs >= len(matched) {
		return nil
	}
	return matched[pg.ofs:min(len(matched), pg.ofs+pg.size)]
}

// handleClosedOrders pages closed orders newest first, 50 at a time, with
// the cl_ord_id, start/end and closetime filters.
func (s *Server) handleClosedOrders(p params) (any, string) {
	cl := p.get("cl_ord_id")
	pg, kerr := readPage(p)
	if kerr != "" {
		return nil, kerr
	}
	closetime := p.get("closetime")
	switch closetime {
	case "", "both", "open", "close":
	default:
		return nil, invalidArgs("closetime")
	}
	var matched []*order
	for _, o := range s.orders {
		if o.working() || (cl != "" && !sameClOrdID(o.clOrdID, cl)) {
			continue
		}
		var ok bool
		switch closetime {
		case "open":
			ok = pg.holds(o.opentm)
		case "close":
			ok = pg.holds(o.closetm)
		default:
			ok = pg.holds(o.opentm) || pg.holds(o.closetm)
		}
		if ok {
			matched = append(matched, o)
		}
	}
	sort.SliceStable(matched, func(i, j int) bool { return matched[i].closetm.After(matched[j].closetm) })
	closed := map[string]any{}
	for _, o := range pageOf(pg, matched) {
		closed[o.txid] = s.orderJSON(o)
	}
	return map[string]any{"closed": closed, "count": len(matched)}, ""
}

func (s *Server) handleCancelOrder(p params) (any, string) {
	target, errMsg := s.workingOrder(p)
	if errMsg != "" {
		return nil, errMsg
	}
	s.closeLocked(target, "canceled", "User requested")
	return map[string]any{"count": 1, "pending": false}, ""
}

func (s *Server) handleCancelAll(params) (any, string) {
	n := 0
	for _, o := range s.orders {
		if o.working() {
			s.closeLocked(o, "canceled", "User requested")
			n++
		}
	}
	return map[string]any{"count": n, "pending": false}, ""
}

type tradeRec struct {
	id               string
	order            *order
	price, qty, cost decimal.Decimal
	fee              decimal.Decimal
	maker            bool
	time             time.Time
}

// handleTradesHistory pages the account's trades newest first, 50 at a
// time (WithTradesPageSize), with the start/end filters; count is how
// many trades the filters match, whatever the offset.
func (s *Server) handleTradesHistory(p params) (any, string) {
	pg, kerr := readPage(p)
	if kerr != "" {
		return nil, kerr
	}
	pg.size = s.tradesPage
	var matched []*tradeRec
	for i := len(s.trades) - 1; i >= 0; i-- {
		if t := s.trades[i]; pg.holds(t.time) {
			matched = append(matched, t)
		}
	}
	trades := map[string]any{}
	for _, t := range pageOf(pg, matched) {
		d := t.order.pair.spec.PairDecimals
		trades[t.id] = map[string]any{
			"ordertxid": t.order.txid, "postxid": "TKH2SE-M7IF5-CFI7LT", "pair": t.order.pair.spec.ID,
			"time": unixNumber(t.time), "type": t.order.side, "ordertype": t.order.ordertype,
			"price": fx(t.price, d), "cost": fx(t.cost, t.order.pair.spec.CostDecimals), "fee": fx(t.fee, t.order.pair.spec.CostDecimals),
			"vol": fx(t.qty, t.order.pair.spec.LotDecimals), "margin": "0.00000", "leverage": "0", "misc": "", "maker": t.maker,
		}
	}
	return map[string]any{"trades": trades, "count": len(matched)}, ""
}

// parseExpireTm reads AddOrder's expiretm as Kraken documents it: "+<n>"
// seconds from now, or a unix time; GTD needs one in the future.
func parseExpireTm(v string, now time.Time) (int64, bool) {
	rel, isRel := strings.CutPrefix(v, "+")
	n, err := strconv.ParseInt(rel, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	if isRel {
		n += now.Unix()
	}
	return n, n > now.Unix()
}
