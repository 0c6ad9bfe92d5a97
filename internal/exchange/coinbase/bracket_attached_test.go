package coinbase

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/trade"
)

// attachedBuy is a limit buy of 0.001 BTC at 40000 (the fake's market at
// 60000) with exits attached: a take-profit at 45000 and a stop-loss at
// 35000.
func attachedBuy(clientID string) trade.OrderRequest {
	req := restingBuy(clientID)
	req.Exits = &trade.Exits{TakeProfit: trade.OptDec("45000"), StopLoss: trade.OptDec("35000")}
	return req
}

// legView is what a test compares of an order and its legs.
type legView struct {
	Leg            trade.LegRole
	Side           trade.Side
	Type           trade.OrderType
	Price, Stop    string
	Status         trade.OrderStatus
	Filled         string
	List, ParentOK bool // list id is the entry's; parent is the entry (legs only)
}

func viewLegs(o trade.Order) []legView {
	str := func(d trade.Order) (string, string) {
		p, s := "", ""
		if d.Price.Valid {
			p = d.Price.Decimal.String()
		}
		if d.StopPrice.Valid {
			s = d.StopPrice.Decimal.String()
		}
		return p, s
	}
	var out []legView
	for i, l := range append([]trade.Order{o}, o.Legs...) {
		p, s := str(l)
		out = append(out, legView{l.Leg, l.Side, l.Type, p, s, l.Status, l.FilledQty.String(), l.ListID == o.ID, i == 0 || l.ParentID == o.ID})
	}
	return out
}

// TestAttachedBracketRequest: exits on an entry go out as the entry's
// order_configuration with attached_order_configuration
// trigger_bracket_gtc {limit_price, stop_trigger_price} and no size —
// gtc on a good-till-date entry too, the only variant Coinbase attaches —
// in preview and create alike; the placed entry shows its exits as legs
// under the attached_order_id Coinbase answered with.
func TestAttachedBracketRequest(t *testing.T) {
	attached := map[string]any{"trigger_bracket_gtc": map[string]any{"limit_price": "45000", "stop_trigger_price": "35000"}}
	expiring := attachedBuy("ab-gtd")
	at := trade.JSONTime(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	expiring.ExpiresAt = &at
	market := trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001"), ClientID: "ab-mkt",
		Exits: &trade.Exits{TakeProfit: trade.OptDec("70000"), StopLoss: trade.OptDec("50000")}}
	sell := trade.OrderRequest{Symbol: btcusd, Side: trade.Sell, Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec("0.001"),
		Price: trade.OptDec("70000"), ClientID: "ab-sell", Exits: &trade.Exits{TakeProfit: trade.OptDec("65000"), StopLoss: trade.OptDec("75000")}}
	tests := []struct {
		name           string
		req            trade.OrderRequest
		config         map[string]any
		attached       map[string]any
		entryStatus    trade.OrderStatus
		exitSide       trade.Side
		tp, sl, filled string
	}{
		{"limit gtc", attachedBuy("ab-gtc"), map[string]any{"limit_limit_gtc": map[string]any{"base_size": "0.001", "limit_price": "40000", "post_only": false}},
			attached, trade.StatusOpen, trade.Sell, "45000", "35000", "0"},
		{"limit gtd, exits gtc", expiring, map[string]any{"limit_limit_gtd": map[string]any{"base_size": "0.001", "limit_price": "40000",
			"end_time": "2030-01-02T03:04:05Z", "post_only": false}}, attached, trade.StatusOpen, trade.Sell, "45000", "35000", "0"},
		{"market", market, map[string]any{"market_market_ioc": map[string]any{"base_size": "0.001"}},
			map[string]any{"trigger_bracket_gtc": map[string]any{"limit_price": "70000", "stop_trigger_price": "50000"}}, trade.StatusFilled, trade.Sell, "70000", "50000", "0"},
		{"limit sell", sell, map[string]any{"limit_limit_gtc": map[string]any{"base_size": "0.001", "limit_price": "70000", "post_only": false}},
			map[string]any{"trigger_bracket_gtc": map[string]any{"limit_price": "65000", "stop_trigger_price": "75000"}}, trade.StatusOpen, trade.Buy, "65000", "75000", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			e := f.Open(t, nil, fastBuckets)
			if err := e.ValidateOrder(ctxT(t), tt.req); err != nil {
				t.Fatalf("ValidateOrder: %v", err)
			}
			preview := lastBody(t, f, "/orders/preview")
			if diff := cmp.Diff(tt.config, preview["order_configuration"]); diff != "" {
				t.Errorf("preview order_configuration (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.attached, preview["attached_order_configuration"]); diff != "" {
				t.Errorf("preview attached_order_configuration (-want +got):\n%s", diff)
			}
			o, err := e.PlaceOrder(ctxT(t), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			body := lastBody(t, f, "/orders")
			if diff := cmp.Diff(tt.config, body["order_configuration"]); diff != "" {
				t.Errorf("create order_configuration (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.attached, body["attached_order_configuration"]); diff != "" {
				t.Errorf("create attached_order_configuration (-want +got):\n%s", diff)
			}
			want := []legView{
				{trade.LegEntry, tt.req.Side, tt.req.Type, o.Price.Decimal.String(), "", tt.entryStatus, o.FilledQty.String(), true, true},
				{trade.LegTakeProfit, tt.exitSide, trade.Limit, tt.tp, "", trade.StatusOpen, tt.filled, true, true},
				{trade.LegStopLoss, tt.exitSide, trade.Stop, "", tt.sl, trade.StatusOpen, tt.filled, true, true},
			}
			if !o.Price.Valid {
				want[0].Price = ""
			}
			if diff := cmp.Diff(want, viewLegs(o)); diff != "" {
				t.Errorf("placed (-want +got):\n%s", diff)
			}
			if o.ClientID != tt.req.ClientID || o.Legs[0].ID == "" || o.Legs[0].ID == o.ID || o.Legs[1].ID != o.Legs[0].ID {
				t.Errorf("placed %s (client id %s) with exits %q, %q: want the attached order's id on both exits", o.ID, o.ClientID, o.Legs[0].ID, o.Legs[1].ID)
			}
		})
	}
}

// TestAttachedBracketNote: the dry run and the confirmation say the stop is
// Coinbase's stop-limit, on the exits' side; and, on a good-till-date
// entry, that the exits are good till canceled all the same.
func TestAttachedBracketNote(t *testing.T) {
	e := &Exchange{}
	day := attachedBuy("")
	day.TimeInForce = trade.Day
	sell := trade.OrderRequest{Symbol: btcusd, Side: trade.Sell, Type: trade.Market, Qty: trade.Dec("0.001"),
		Exits: &trade.Exits{TakeProfit: trade.OptDec("50000"), StopLoss: trade.OptDec("65000")}}
	single := restingBuy("")
	single.Exits = &trade.Exits{TakeProfit: trade.OptDec("45000")}
	got := []string{exchange.ExitNote(e, attachedBuy("")), exchange.ExitNote(e, day), exchange.ExitNote(e, sell), exchange.ExitNote(e, single)}
	want := []string{
		"coinbase places the stop-loss as a stop-limit when 35000 trades, its limit set by Coinbase about 5% below it",
		"coinbase places the stop-loss as a stop-limit when 35000 trades, its limit set by Coinbase about 5% below it; " +
			"the exits are good till canceled (Coinbase attaches only trigger_bracket_gtc), though the entry expires",
		"coinbase places the stop-loss as a stop-limit when 65000 trades, its limit set by Coinbase about 5% above it",
		"",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExitNote (-want +got):\n%s", diff)
	}
}

// TestAttachedBracketLifecycle: the entry rests with its exits waiting;
// once it fills, Coinbase's trigger bracket (originating_order_id the
// entry) is read as the exits, and order list shows the entry with them
// rather than the bracket on its own; the take-profit filling ends the
// stop-loss. An entry canceled before it fills leaves its exits canceled
// and no order working.
func TestAttachedBracketLifecycle(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	placed, err := e.PlaceOrder(ctxT(t), attachedBuy("ab-life"))
	if err != nil {
		t.Fatal(err)
	}
	get := func() trade.Order {
		t.Helper()
		o, err := e.GetOrder(ctxT(t), exchange.OrderRef{ClientID: "ab-life", Symbol: btcusd})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	step := func(name string, o trade.Order, want []legView) {
		t.Helper()
		if diff := cmp.Diff(want, viewLegs(o)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	entry := func(st trade.OrderStatus, filled string) legView {
		return legView{trade.LegEntry, trade.Buy, trade.Limit, "40000", "", st, filled, true, true}
	}
	tp := func(st trade.OrderStatus, filled string) legView {
		return legView{trade.LegTakeProfit, trade.Sell, trade.Limit, "45000", "", st, filled, true, true}
	}
	sl := func(st trade.OrderStatus, filled string) legView {
		return legView{trade.LegStopLoss, trade.Sell, trade.Stop, "", "35000", st, filled, true, true}
	}
	step("resting", get(), []legView{entry(trade.StatusOpen, "0"), tp(trade.StatusOpen, "0"), sl(trade.StatusOpen, "0")})

	// The entry fills at 40000: the bracket is placed for its 0.001.
	f.Srv.SetBook("BTC-USD", trade.Dec("39999.99"), trade.Dec("40000"), trade.Dec("40000"))
	filled := get()
	step("entry filled", filled, []legView{entry(trade.StatusFilled, "0.001"), tp(trade.StatusOpen, "0"), sl(trade.StatusOpen, "0")})
	if filled.Legs[0].ID != placed.Legs[0].ID {
		t.Errorf("exits read as order %s, want the attached_order_id %s", filled.Legs[0].ID, placed.Legs[0].ID)
	}
	list, err := e.ListOrders(ctxT(t), exchange.ListFilter{Scope: exchange.ListAll, Symbol: btcusd})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("order list = %d orders, want the entry alone with its exits as legs", len(list))
	}
	step("listed", list[0], []legView{entry(trade.StatusFilled, "0.001"), tp(trade.StatusOpen, "0"), sl(trade.StatusOpen, "0")})
	// Working orders: the entry is done, the bracket shows as its exits.
	working, err := e.ListOrders(ctxT(t), exchange.ListFilter{Symbol: btcusd})
	if err != nil {
		t.Fatal(err)
	}
	if len(working) != 1 || working[0].ID != placed.Legs[0].ID || working[0].ListID != placed.ID || working[0].ParentID != placed.ID {
		t.Errorf("working orders %+v: want the bracket alone, in the entry's list", working)
	}

	// The market reaches the take-profit: it fills, the stop-loss ends.
	f.Srv.SetBook("BTC-USD", trade.Dec("45000"), trade.Dec("45000.01"), trade.Dec("45000"))
	step("take-profit filled", get(), []legView{entry(trade.StatusFilled, "0.001"), tp(trade.StatusFilled, "0.001"), sl(trade.StatusCanceled, "0")})

	// An entry canceled before it fills: its exits are canceled, nothing works.
	f.Srv.SetBook("BTC-USD", trade.Dec("60000"), trade.Dec("60000.01"), trade.Dec("60000"))
	second, err := e.PlaceOrder(ctxT(t), attachedBuy("ab-cancel"))
	if err != nil {
		t.Fatal(err)
	}
	canceled, err := e.CancelOrder(ctxT(t), exchange.OrderRef{ID: second.ID, Symbol: btcusd})
	if err != nil {
		t.Fatal(err)
	}
	step("entry canceled", canceled, []legView{entry(trade.StatusCanceled, "0"), tp(trade.StatusCanceled, "0"), sl(trade.StatusCanceled, "0")})
	open, err := e.ListOrders(ctxT(t), exchange.ListFilter{Symbol: btcusd})
	if err != nil || len(open) != 0 {
		t.Errorf("working orders after the cancel = %v, %v: want none", open, err)
	}
}

// TestAttachedBracketCreatedWithEntry: Coinbase's references say neither
// when the attached order appears nor what canceling its entry does to
// it. Where it exists from the start (the fake's WithAttachedAtCreate:
// PENDING until the entry fills, left alone by the entry's cancel), the
// entry reads with it as its exits, and canceling the entry cancels the
// bracket too, leaving nothing working; once the entry fills, the same
// bracket works as the exits.
func TestAttachedBracketCreatedWithEntry(t *testing.T) {
	f := adapter.Fixture(t, fakecoinbase.WithAttachedAtCreate())
	e := f.Open(t, nil, fastBuckets)
	first, err := e.PlaceOrder(ctxT(t), attachedBuy("ab-early"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.GetOrder(ctxT(t), exchange.OrderRef{ID: first.ID, Symbol: btcusd})
	if err != nil {
		t.Fatal(err)
	}
	entry := func(st trade.OrderStatus, filled string) legView {
		return legView{trade.LegEntry, trade.Buy, trade.Limit, "40000", "", st, filled, true, true}
	}
	tp := func(st trade.OrderStatus, filled string) legView {
		return legView{trade.LegTakeProfit, trade.Sell, trade.Limit, "45000", "", st, filled, true, true}
	}
	sl := func(st trade.OrderStatus, filled string) legView {
		return legView{trade.LegStopLoss, trade.Sell, trade.Stop, "", "35000", st, filled, true, true}
	}
	if diff := cmp.Diff([]legView{entry(trade.StatusOpen, "0"), tp(trade.StatusOpen, "0"), sl(trade.StatusOpen, "0")}, viewLegs(got)); diff != "" {
		t.Errorf("resting, its bracket pending (-want +got):\n%s", diff)
	}
	canceled, err := e.CancelOrder(ctxT(t), exchange.OrderRef{ID: first.ID, Symbol: btcusd})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]legView{entry(trade.StatusCanceled, "0"), tp(trade.StatusCanceled, "0"), sl(trade.StatusCanceled, "0")}, viewLegs(canceled)); diff != "" {
		t.Errorf("entry canceled (-want +got):\n%s", diff)
	}
	cancels := 0
	for _, r := range f.Srv.Requests() {
		if strings.HasSuffix(r.Path, "/orders/batch_cancel") {
			cancels++
			if !strings.Contains(r.Body, first.Legs[0].ID) && !strings.Contains(r.Body, first.ID) {
				t.Errorf("batch_cancel %s names neither the entry nor its bracket", r.Body)
			}
		}
	}
	if cancels != 2 {
		t.Errorf("%d batch_cancel requests, want the entry's and then its bracket's", cancels)
	}
	if open, err := e.ListOrders(ctxT(t), exchange.ListFilter{Symbol: btcusd}); err != nil || len(open) != 0 {
		t.Errorf("working orders after the cancel = %v, %v: want none", open, err)
	}

	if _, err := e.PlaceOrder(ctxT(t), attachedBuy("ab-early-2")); err != nil {
		t.Fatal(err)
	}
	f.Srv.SetBook("BTC-USD", trade.Dec("39999.99"), trade.Dec("40000"), trade.Dec("40000"))
	f.Srv.SetBook("BTC-USD", trade.Dec("45000"), trade.Dec("45000.01"), trade.Dec("45000"))
	done, err := e.GetOrder(ctxT(t), exchange.OrderRef{ClientID: "ab-early-2", Symbol: btcusd})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]legView{entry(trade.StatusFilled, "0.001"), tp(trade.StatusFilled, "0.001"), sl(trade.StatusCanceled, "0")}, viewLegs(done)); diff != "" {
		t.Errorf("entry filled, then the take-profit (-want +got):\n%s", diff)
	}
}
