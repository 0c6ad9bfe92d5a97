package paper

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

var one = decimal.NewFromInt(1)

func TestMarketOrdersMoveBalancesExactly(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": 100000}})
	p := path(t, e, btc)

	book := p.Book(c.Now())
	buy := place(t, e, market(btc, trade.Buy, "0.01"))
	ask := book.Asks[0].Price
	value := dec("0.01").Mul(ask)
	want := trade.Order{
		ID: "1", Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC,
		Status: trade.StatusFilled, Qty: dec("0.01"), FilledQty: dec("0.01"),
		AvgFillPrice: decimal.NewNullDecimal(ask), Fee: value.Mul(fee), FeeAsset: "USD",
		CreatedAt: t0, UpdatedAt: t0, Exchange: "paper", Profile: "test",
	}
	if diff := cmp.Diff(want, buy, orderOpts...); diff != "" {
		t.Errorf("market buy (-want +got):\n%s", diff)
	}
	if err := trade.ValidateClientID(buy.ClientID); err != nil || buy.ClientID == "" {
		t.Errorf("generated client id %q: %v", buy.ClientID, err)
	}
	usd := dec("100000").Sub(value).Sub(value.Mul(fee))
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {usd, decimal.Zero}, "BTC": {dec("0.01"), decimal.Zero}})

	c.Add(time.Minute)
	book = p.Book(c.Now())
	sell := place(t, e, market(btc, trade.Sell, "0.004"))
	bid := book.Bids[0].Price
	proceeds := dec("0.004").Mul(bid)
	if !sell.AvgFillPrice.Decimal.Equal(bid) || sell.Status != trade.StatusFilled || !sell.Fee.Equal(proceeds.Mul(fee)) {
		t.Errorf("market sell: %+v; want filled at bid %s with fee %s", sell, bid, proceeds.Mul(fee))
	}
	usd = usd.Add(proceeds).Sub(proceeds.Mul(fee))
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {usd, decimal.Zero}, "BTC": {dec("0.006"), decimal.Zero}})

	fs := fills(t, e, exchange.FillFilter{})
	wantFills := []trade.Fill{
		{ID: "2", OrderID: "2", Symbol: btc, Side: trade.Sell, Qty: dec("0.004"), Price: bid, Fee: proceeds.Mul(fee), FeeAsset: "USD", Liquidity: trade.Taker, Time: t0.Add(time.Minute)},
		{ID: "1", OrderID: "1", Symbol: btc, Side: trade.Buy, Qty: dec("0.01"), Price: ask, Fee: value.Mul(fee), FeeAsset: "USD", Liquidity: trade.Taker, Time: t0},
	}
	if diff := cmp.Diff(wantFills, fs, decimalEqual); diff != "" {
		t.Errorf("fills (-want +got):\n%s", diff)
	}
	checkBooks(t, e)
}

func TestMarketOrderWalksTheBook(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: "USD=1000000000"})
	book := path(t, e, btc).Book(c.Now())
	// Twice the best level: the fill must reach the second level or beyond.
	qty := book.Asks[0].Qty.Mul(decimal.NewFromInt(2))
	taken, value, parts := walk(book.Asks, qty, decimal.Zero, true)
	o := place(t, e, trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, Qty: qty})
	if o.Status != trade.StatusFilled || !o.FilledQty.Equal(taken) {
		t.Fatalf("got %s %s of %s, want filled", o.Status, o.FilledQty, qty)
	}
	if len(parts) < 2 || !o.AvgFillPrice.Decimal.GreaterThan(book.Asks[0].Price) {
		t.Errorf("average %s over %d levels; a buy of twice the best level must pay more than the best ask %s", o.AvgFillPrice.Decimal, len(parts), book.Asks[0].Price)
	}
	if !o.Fee.Equal(value.Mul(fee)) {
		t.Errorf("fee %s, want %s", o.Fee, value.Mul(fee))
	}
	fs := fills(t, e, exchange.FillFilter{})
	if len(fs) != len(parts) {
		t.Fatalf("%d fills, want one per level taken (%d)", len(fs), len(parts))
	}

	// More than the whole book: the rest is dropped, venue-style.
	c.Add(time.Second)
	book = path(t, e, btc).Book(c.Now())
	depth := decimal.Zero
	for _, l := range book.Asks {
		depth = depth.Add(l.Qty)
	}
	huge := place(t, e, trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, Qty: depth.Add(dec("1"))})
	if huge.Status != trade.StatusExpired || !huge.FilledQty.Equal(depth) {
		t.Errorf("buy beyond the book: %s with %s filled; want expired with the book's depth %s", huge.Status, huge.FilledQty, depth)
	}
	checkBooks(t, e)
}

func TestLimitReservesAndCancelReleases(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": "100000", "BTC": "1"}})
	q := path(t, e, btc).Quote(c.Now())
	low := trade.FloorTo(q.Bid.Mul(dec("0.8")), dec("0.01"))
	high := trade.FloorTo(q.Ask.Mul(dec("1.2")), dec("0.01"))

	buy := place(t, e, limit(btc, trade.Buy, "0.5", low, trade.GTC))
	sell := place(t, e, limit(btc, trade.Sell, "0.25", high, ""))
	if buy.Status != trade.StatusOpen || sell.Status != trade.StatusOpen || !buy.FilledQty.IsZero() {
		t.Fatalf("resting orders: %s, %s", buy.Status, sell.Status)
	}
	reserve := dec("0.5").Mul(low).Mul(one.Add(fee))
	wantBalances(t, e, map[string][2]decimal.Decimal{
		"USD": {dec("100000").Sub(reserve), reserve},
		"BTC": {dec("0.75"), dec("0.25")},
	})
	checkBooks(t, e)

	c.Add(time.Minute)
	canceled, err := e.CancelOrder(context.Background(), exchange.OrderRef{ID: buy.ID})
	if err != nil {
		t.Fatal(err)
	}
	if canceled.Status != trade.StatusCanceled || !canceled.UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("canceled order: %s at %v", canceled.Status, canceled.UpdatedAt)
	}
	all, err := e.CancelAll(context.Background(), btc)
	if err != nil || len(all) != 1 || all[0].ID != sell.ID {
		t.Fatalf("CancelAll(BTC-USD) = %+v, %v; want the sell", all, err)
	}
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000"), decimal.Zero}, "BTC": {dec("1"), decimal.Zero}})
	checkBooks(t, e)

	_, err = e.CancelOrder(context.Background(), exchange.OrderRef{ID: buy.ID})
	wantKind(t, err, exchange.ErrInvalidOrder, "order 1 is already canceled")
	_, err = e.CancelOrder(context.Background(), exchange.OrderRef{ID: "999"})
	wantKind(t, err, exchange.ErrNotFound, "999")
	_, err = e.CancelOrder(context.Background(), exchange.OrderRef{ClientID: "nope"})
	wantKind(t, err, exchange.ErrNotFound, "nope")
}

func TestCancelFilledOrder(t *testing.T) {
	e, _ := newTest(t, nil)
	o := place(t, e, market(eth, trade.Buy, "0.1"))
	_, err := e.CancelOrder(context.Background(), exchange.OrderRef{ID: o.ID})
	wantKind(t, err, exchange.ErrInvalidOrder, "order 1 is already filled")
}

func TestRestingLimitFillsAtTheCrossing(t *testing.T) {
	for _, side := range []trade.Side{trade.Buy, trade.Sell} {
		t.Run(string(side), func(t *testing.T) {
			e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": 100000, "BTC": 1}})
			p := path(t, e, btc)
			q := p.Quote(c.Now())
			var price decimal.Decimal
			var cond sim.Condition
			if side == trade.Buy {
				price, cond = trade.FloorTo(q.Bid.Mul(dec("0.997")), dec("0.01")), sim.AskAtOrBelow
			} else {
				price, cond = trade.FloorTo(q.Ask.Mul(dec("1.003")), dec("0.01")), sim.BidAtOrAbove
			}
			at := crossAfter(t, p, cond, price, c.Now())
			o := place(t, e, limit(btc, side, "0.2", price, trade.GTC))
			if o.Status != trade.StatusOpen {
				t.Fatalf("placed %s, want open", o.Status)
			}

			c.Set(at.Add(-time.Millisecond))
			if got := get(t, e, o.ID); got.Status != trade.StatusOpen || len(fills(t, e, exchange.FillFilter{})) != 0 {
				t.Fatalf("a millisecond before the crossing at %v: %s", at, got.Status)
			}
			c.Set(at.Add(3 * time.Hour))
			got := get(t, e, o.ID)
			value := dec("0.2").Mul(price)
			want := o
			want.Status, want.FilledQty, want.AvgFillPrice = trade.StatusFilled, dec("0.2"), decimal.NewNullDecimal(price)
			want.Fee, want.UpdatedAt = value.Mul(fee), at
			if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
				t.Errorf("after the crossing (-want +got):\n%s", diff)
			}
			wantFill := []trade.Fill{{ID: "1", OrderID: o.ID, Symbol: btc, Side: side, Qty: dec("0.2"), Price: price,
				Fee: value.Mul(fee), FeeAsset: "USD", Liquidity: trade.Maker, Time: at}}
			if diff := cmp.Diff(wantFill, fills(t, e, exchange.FillFilter{}), decimalEqual); diff != "" {
				t.Errorf("fills (-want +got):\n%s", diff)
			}
			if side == trade.Buy {
				wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000").Sub(value).Sub(value.Mul(fee)), decimal.Zero}, "BTC": {dec("1.2"), decimal.Zero}})
			} else {
				wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000").Add(value).Sub(value.Mul(fee)), decimal.Zero}, "BTC": {dec("0.8"), decimal.Zero}})
			}
			checkBooks(t, e)
		})
	}
}

func TestMarketableLimitTakesThenRests(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: "USD=10000000"})
	book := path(t, e, btc).Book(c.Now())
	// A limit at the third level takes the first three and rests the rest.
	price := book.Asks[2].Price
	qty := book.Asks[0].Qty.Add(book.Asks[1].Qty).Add(book.Asks[2].Qty).Add(dec("1"))
	taken, value, _ := walk(book.Asks, qty, price, true)
	o := place(t, e, trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, Qty: qty, Price: decimal.NewNullDecimal(price)})
	if o.Status != trade.StatusPartiallyFilled || !o.FilledQty.Equal(taken) || !o.Fee.Equal(value.Mul(fee)) {
		t.Fatalf("got %s %s fee %s; want partially_filled %s fee %s", o.Status, o.FilledQty, o.Fee, taken, value.Mul(fee))
	}
	reserve := dec("1").Mul(price).Mul(one.Add(fee))
	wantBalances(t, e, map[string][2]decimal.Decimal{
		"USD": {dec("10000000").Sub(value).Sub(value.Mul(fee)).Sub(reserve), reserve},
		"BTC": {taken, decimal.Zero},
	})
	checkBooks(t, e)
}

func TestStopOrders(t *testing.T) {
	t.Run("buy stop becomes a market order at the trigger", func(t *testing.T) {
		e, c := newTest(t, nil)
		p := path(t, e, btc)
		stop := trade.FloorTo(p.Quote(c.Now()).Ask.Mul(dec("1.004")), dec("0.01"))
		at := crossAfter(t, p, sim.AskAtOrAbove, stop, c.Now())
		o := place(t, e, trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Stop, Qty: dec("0.1"), StopPrice: decimal.NewNullDecimal(stop)})
		reserve := dec("0.1").Mul(stop).Mul(one.Add(fee))
		if o.Status != trade.StatusOpen {
			t.Fatalf("stop placed %s, want open", o.Status)
		}
		wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000").Sub(reserve), reserve}})

		c.Set(at.Add(-time.Second))
		if got := get(t, e, o.ID); got.Status != trade.StatusOpen {
			t.Fatalf("before the trigger: %s", got.Status)
		}
		c.Set(at.Add(time.Hour))
		book := p.Book(at)
		_, value, _ := walk(book.Asks, dec("0.1"), decimal.Zero, true)
		got := get(t, e, o.ID)
		if got.Status != trade.StatusFilled || !got.UpdatedAt.Equal(at) || !got.Fee.Equal(value.Mul(fee)) {
			t.Errorf("after the trigger at %v: %+v; want filled then at value %s", at, got, value)
		}
		if !book.Asks[0].Price.GreaterThanOrEqual(stop) {
			t.Errorf("triggered while ask %s < stop %s", book.Asks[0].Price, stop)
		}
		fs := fills(t, e, exchange.FillFilter{})
		if len(fs) == 0 || !fs[0].Time.Equal(at) || fs[0].Liquidity != trade.Taker {
			t.Errorf("fills %+v; want taker fills at %v", fs, at)
		}
		checkBooks(t, e)
	})

	t.Run("sell stop-limit rests after the trigger and fills at its limit", func(t *testing.T) {
		e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": 0, "ETH": 2}})
		p := path(t, e, eth)
		bid := p.Quote(c.Now()).Bid
		stop := trade.FloorTo(bid.Mul(dec("0.996")), dec("0.01"))
		trig := crossAfter(t, p, sim.BidAtOrBelow, stop, c.Now())
		// A limit above the bid at the trigger cannot take; it rests until
		// the bid comes back up to it.
		lim := p.Quote(trig).Bid.Add(dec("0.50"))
		fill := crossAfter(t, p, sim.BidAtOrAbove, lim, trig)
		o := place(t, e, trade.OrderRequest{Symbol: eth, Side: trade.Sell, Type: trade.StopLimit, Qty: dec("1.5"),
			StopPrice: decimal.NewNullDecimal(stop), Price: decimal.NewNullDecimal(lim)})
		wantBalances(t, e, map[string][2]decimal.Decimal{"ETH": {dec("0.5"), dec("1.5")}})

		c.Set(trig)
		if got := get(t, e, o.ID); got.Status != trade.StatusOpen || !got.FilledQty.IsZero() {
			t.Fatalf("at the trigger: %s %s, want open and unfilled", got.Status, got.FilledQty)
		}
		wantBalances(t, e, map[string][2]decimal.Decimal{"ETH": {dec("0.5"), dec("1.5")}})
		c.Set(fill.Add(time.Minute))
		got := get(t, e, o.ID)
		value := dec("1.5").Mul(lim)
		if got.Status != trade.StatusFilled || !got.UpdatedAt.Equal(fill) || !got.AvgFillPrice.Decimal.Equal(lim) {
			t.Errorf("after the limit crossed at %v: %+v", fill, got)
		}
		wantBalances(t, e, map[string][2]decimal.Decimal{"ETH": {dec("0.5"), decimal.Zero}, "USD": {value.Sub(value.Mul(fee)), decimal.Zero}})
		checkBooks(t, e)
	})

	t.Run("buy stop-limit that is marketable at the trigger takes", func(t *testing.T) {
		e, c := newTest(t, nil)
		p := path(t, e, eth)
		stop := trade.FloorTo(p.Quote(c.Now()).Ask.Mul(dec("1.003")), dec("0.01"))
		trig := crossAfter(t, p, sim.AskAtOrAbove, stop, c.Now())
		lim := stop.Add(dec("20"))
		o := place(t, e, trade.OrderRequest{Symbol: eth, Side: trade.Buy, Type: trade.StopLimit, Qty: dec("1"),
			StopPrice: decimal.NewNullDecimal(stop), Price: decimal.NewNullDecimal(lim)})
		reserve := lim.Mul(one.Add(fee))
		wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000").Sub(reserve), reserve}})
		c.Set(trig.Add(time.Second))
		book := p.Book(trig)
		taken, value, _ := walk(book.Asks, dec("1"), lim, true)
		if !taken.Equal(dec("1")) {
			t.Fatalf("test setup: the book at %v cannot fill 1 ETH within %s", trig, lim)
		}
		got := get(t, e, o.ID)
		if got.Status != trade.StatusFilled || !got.UpdatedAt.Equal(trig) {
			t.Errorf("got %s at %v, want filled at %v", got.Status, got.UpdatedAt, trig)
		}
		wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000").Sub(value).Sub(value.Mul(fee)), decimal.Zero}, "ETH": {dec("1"), decimal.Zero}})
		checkBooks(t, e)
	})

	// A stop whose trigger is already crossed is refused, as Binance
	// refuses it (-2010 "Stop price would trigger immediately"): nothing is
	// booked, nothing locked, nothing filled.
	t.Run("stop already through the market is rejected", func(t *testing.T) {
		e, c := newTest(t, nil)
		book := path(t, e, btc).Book(c.Now())
		ask, bid := book.Asks[0].Price, book.Bids[0].Price
		before := balances(t, e)
		for _, req := range []trade.OrderRequest{
			{Symbol: btc, Side: trade.Buy, Type: trade.Stop, Qty: dec("0.01"), StopPrice: decimal.NewNullDecimal(ask.Sub(dec("100")))},
			{Symbol: btc, Side: trade.Buy, Type: trade.Stop, Qty: dec("0.01"), StopPrice: decimal.NewNullDecimal(ask)},
			{Symbol: btc, Side: trade.Sell, Type: trade.Stop, Qty: dec("0.01"), StopPrice: decimal.NewNullDecimal(bid.Add(dec("100")))},
			{Symbol: btc, Side: trade.Buy, Type: trade.StopLimit, Qty: dec("0.01"), StopPrice: decimal.NewNullDecimal(ask.Sub(dec("100"))),
				Price: decimal.NewNullDecimal(ask.Add(dec("100")))},
		} {
			_, err := e.PlaceOrder(context.Background(), req)
			wantKind(t, err, exchange.ErrInvalidOrder, "would trigger immediately")
		}
		noOrders(t, e)
		if diff := cmp.Diff(before, balances(t, e)); diff != "" {
			t.Errorf("balances after rejected stops (-want +got):\n%s", diff)
		}
		checkBooks(t, e)
	})

	t.Run("buy stop short of funds at the trigger is rejected", func(t *testing.T) {
		// Find a stop whose trigger second has the ask strictly above it,
		// then fund exactly the reservation: the fill costs more.
		c := newClock(t0)
		p, _ := sim.NewDefault(DefaultSeed).Path(btc)
		ask := p.Quote(t0).Ask
		var stop decimal.Decimal
		var trig time.Time
		for i := 0; i < 200; i++ {
			stop = trade.FloorTo(ask.Mul(dec("1.002")), dec("0.01")).Add(decimal.NewFromInt(int64(i)))
			trig = crossAfter(t, p, sim.AskAtOrAbove, stop, t0)
			if p.Book(trig).Asks[0].Price.GreaterThan(stop) {
				break
			}
		}
		reserve := dec("0.1").Mul(stop).Mul(one.Add(fee))
		e := open(t, testParams(t, c, map[string]any{KeyStartingBalances: map[string]any{"USD": reserve.String()}}))
		o := place(t, e, trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Stop, Qty: dec("0.1"), StopPrice: decimal.NewNullDecimal(stop)})
		c.Set(trig.Add(time.Minute))
		got := get(t, e, o.ID)
		if got.Status != trade.StatusRejected || got.RejectReason == "" || !got.UpdatedAt.Equal(trig) {
			t.Errorf("got %s (%q) at %v; want rejected at %v", got.Status, got.RejectReason, got.UpdatedAt, trig)
		}
		wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {reserve, decimal.Zero}})
		checkBooks(t, e)
	})
}

func TestIOCAndFOK(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: "USD=10000000"})
	book := path(t, e, btc).Book(c.Now())
	lim := book.Asks[1].Price
	within := book.Asks[0].Qty.Add(book.Asks[1].Qty)
	tooMuch := within.Add(dec("0.5"))
	tests := []struct {
		name       string
		tif        trade.TimeInForce
		qty        decimal.Decimal
		price      decimal.Decimal
		wantStatus trade.OrderStatus
		wantFilled decimal.Decimal
	}{
		{"IOC fills what is marketable and drops the rest", trade.IOC, tooMuch, lim, trade.StatusExpired, within},
		{"IOC below the ask fills nothing", trade.IOC, dec("0.1"), book.Bids[0].Price, trade.StatusExpired, decimal.Zero},
		{"IOC within the book fills completely", trade.IOC, book.Asks[0].Qty, lim, trade.StatusFilled, book.Asks[0].Qty},
		{"FOK that cannot fill completely fills nothing", trade.FOK, tooMuch, lim, trade.StatusExpired, decimal.Zero},
		{"FOK that can fill completely does", trade.FOK, within, lim, trade.StatusFilled, within},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := balances(t, e)
			o := place(t, e, trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, TimeInForce: tt.tif, Qty: tt.qty, Price: decimal.NewNullDecimal(tt.price)})
			if o.Status != tt.wantStatus || !o.FilledQty.Equal(tt.wantFilled) {
				t.Errorf("got %s with %s filled, want %s with %s", o.Status, o.FilledQty, tt.wantStatus, tt.wantFilled)
			}
			after := balances(t, e)
			if !after["USD"].Locked.IsZero() {
				t.Errorf("an %s order left %s USD locked", tt.tif, after["USD"].Locked)
			}
			if tt.wantFilled.IsZero() {
				if diff := cmp.Diff(before, after, decimalEqual); diff != "" {
					t.Errorf("an unfilled %s order moved funds (-before +after):\n%s", tt.tif, diff)
				}
			}
			checkBooks(t, e)
		})
	}
	// FOK market: all or nothing against the whole book.
	depth := decimal.Zero
	for _, l := range book.Asks {
		depth = depth.Add(l.Qty)
	}
	o := place(t, e, trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.FOK, Qty: depth.Add(dec("1"))})
	if o.Status != trade.StatusExpired || !o.FilledQty.IsZero() {
		t.Errorf("FOK market beyond the book: %s %s", o.Status, o.FilledQty)
	}
}

func TestPostOnly(t *testing.T) {
	e, c := newTest(t, nil)
	q := path(t, e, btc).Quote(c.Now())
	req := limit(btc, trade.Buy, "0.01", q.Ask, trade.GTC)
	req.PostOnly = true
	_, err := e.PlaceOrder(context.Background(), req)
	wantKind(t, err, exchange.ErrInvalidOrder, "post-only order would take liquidity")
	noOrders(t, e)
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000"), decimal.Zero}})

	req.Price = decimal.NewNullDecimal(q.Bid)
	o := place(t, e, req)
	if o.Status != trade.StatusOpen || !o.PostOnly {
		t.Errorf("post-only at the bid: %s post_only=%v, want open", o.Status, o.PostOnly)
	}
}

func TestRefusals(t *testing.T) {
	e, c := newTest(t, nil)
	q := path(t, e, btc).Quote(c.Now())
	tests := []struct {
		name      string
		req       trade.OrderRequest
		kind      error
		fragments []string
	}{
		{"buy beyond the balance", market(btc, trade.Buy, "5"), exchange.ErrInsufficientFunds, []string{"USD", "100000 USD available"}},
		{"limit buy reserving beyond the balance", limit(btc, trade.Buy, "2", q.Bid.Sub(dec("1000")), trade.GTC), exchange.ErrInsufficientFunds,
			[]string{fmt.Sprintf("needs %s USD", dec("2").Mul(q.Bid.Sub(dec("1000"))).Mul(one.Add(fee)))}},
		{"sell without the asset", market(btc, trade.Sell, "0.01"), exchange.ErrInsufficientFunds, []string{"needs 0.01 BTC, 0 BTC available"}},
		{"unknown symbol", market(trade.Symbol{Base: "BTC", Quote: "EUR"}, trade.Buy, "1"), exchange.ErrNotFound, []string{"BTC-EUR"}},
		{"quantity off the step", market(btc, trade.Buy, "0.000015"), exchange.ErrInvalidOrder, []string{"step size"}},
		{"price off the tick", limit(btc, trade.Buy, "0.01", dec("50000.005"), trade.GTC), exchange.ErrInvalidOrder, []string{"tick size"}},
		{"below the minimum order value", limit(trade.Symbol{Base: "DOGE", Quote: "USD"}, trade.Buy, "1", dec("0.1"), trade.GTC), exchange.ErrInvalidOrder, []string{"minimum"}},
		{"limit without a price", trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, Qty: dec("1")}, exchange.ErrInvalidOrder, []string{"price"}},
		{"day market order", trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.Day, Qty: dec("1")}, exchange.ErrInvalidOrder, []string{"day"}},
		{"bad client id", trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, Qty: dec("0.01"), ClientID: "no spaces"}, exchange.ErrInvalidOrder, []string{"client_id"}},
		{"fractional shares", market(aapl, trade.Buy, "0.5"), exchange.ErrInvalidOrder, []string{"step size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verr := e.ValidateOrder(context.Background(), tt.req)
			wantKind(t, verr, tt.kind, tt.fragments...)
			_, err := e.PlaceOrder(context.Background(), tt.req)
			wantKind(t, err, tt.kind, tt.fragments...)
			if err.Error() != verr.Error() {
				t.Errorf("ValidateOrder said %q, PlaceOrder %q", verr, err)
			}
			noOrders(t, e)
			wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000"), decimal.Zero}})
		})
	}
}

func TestValidateOrderChangesNothing(t *testing.T) {
	e, c := newTest(t, nil)
	p := path(t, e, btc)
	// A resting order that fills by the time of the dry run: the dry run
	// sees the filled state but must not keep it.
	price := trade.FloorTo(p.Quote(c.Now()).Bid.Mul(dec("0.998")), dec("0.01"))
	at := crossAfter(t, p, sim.AskAtOrBelow, price, c.Now())
	o := place(t, e, limit(btc, trade.Buy, "0.5", price, trade.GTC))
	c.Set(at.Add(time.Second))
	if err := e.ValidateOrder(context.Background(), market(btc, trade.Sell, "0.5")); err != nil {
		t.Fatalf("selling what the filled order bought: %v", err)
	}
	var status string
	if err := e.db.QueryRow("SELECT status FROM orders WHERE id = ?", o.ID).Scan(&status); err != nil || status != "open" {
		t.Errorf("stored status after a dry run: %q, %v; want still open", status, err)
	}
	var n int
	if err := e.db.QueryRow("SELECT COUNT(*) FROM fills").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d fills stored after a dry run, want 0 (%v)", n, err)
	}
	if err := e.ValidateOrder(context.Background(), market(btc, trade.Sell, "0.6")); err == nil {
		t.Error("selling more than the account will hold passed validation")
	}
	if got := get(t, e, o.ID); got.Status != trade.StatusFilled || !got.UpdatedAt.Equal(at) {
		t.Errorf("the real catch-up: %s at %v, want filled at %v", got.Status, got.UpdatedAt, at)
	}
}

func TestDuplicateClientID(t *testing.T) {
	e, c := newTest(t, nil)
	low := trade.FloorTo(path(t, e, btc).Quote(c.Now()).Bid.Mul(dec("0.5")), dec("0.01"))
	req := limit(btc, trade.Buy, "0.01", low, trade.GTC)
	req.ClientID = "my-order-1"
	first := place(t, e, req)
	if first.ClientID != "my-order-1" {
		t.Errorf("client id %q, want my-order-1", first.ClientID)
	}
	err := e.ValidateOrder(context.Background(), req)
	wantKind(t, err, exchange.ErrDuplicateClientID, "my-order-1", "order 1")
	_, err = e.PlaceOrder(context.Background(), req)
	wantKind(t, err, exchange.ErrDuplicateClientID, "my-order-1", "order 1")
	all, _ := e.ListOrders(context.Background(), exchange.ListFilter{Scope: exchange.ListAll})
	if len(all) != 1 {
		t.Errorf("%d orders after a duplicate, want 1", len(all))
	}

	byClient, err := e.GetOrder(context.Background(), exchange.OrderRef{ClientID: "my-order-1"})
	if err != nil || byClient.ID != first.ID {
		t.Errorf("GetOrder by client id = %+v, %v", byClient, err)
	}
	if _, err := e.GetOrder(context.Background(), exchange.OrderRef{ID: first.ID, ClientID: "other"}); err == nil {
		t.Error("GetOrder matched an id with someone else's client id")
	}
	canceled, err := e.CancelOrder(context.Background(), exchange.OrderRef{ClientID: "my-order-1"})
	if err != nil || canceled.Status != trade.StatusCanceled {
		t.Errorf("CancelOrder by client id = %s, %v", canceled.Status, err)
	}
	// Generated ids are unique too.
	a, b := place(t, e, market(btc, trade.Buy, "0.001")), place(t, e, market(btc, trade.Buy, "0.001"))
	if a.ClientID == b.ClientID || a.ClientID == "" {
		t.Errorf("generated client ids %q and %q", a.ClientID, b.ClientID)
	}
}

func TestDayOrdersExpire(t *testing.T) {
	tests := []struct {
		name       string
		sym        trade.Symbol
		placed     time.Time
		wantExpiry time.Time
	}{
		{"crypto at midnight UTC", btc, t0, time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)},
		{"stock at 21:00 UTC the same day", aapl, t0, time.Date(2026, 3, 2, 21, 0, 0, 0, time.UTC)},
		{"stock placed after the cut-off lasts to the next day's", aapl, time.Date(2026, 3, 2, 21, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 21, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock(tt.placed)
			e := open(t, testParams(t, c, nil))
			far := trade.FloorTo(path(t, e, tt.sym).Quote(c.Now()).Bid.Mul(dec("0.6")), dec("0.01"))
			qty := "0.01"
			if !tt.sym.IsPair() {
				qty = "3"
			}
			o := place(t, e, limit(tt.sym, trade.Buy, qty, far, trade.Day))
			c.Set(tt.wantExpiry.Add(-time.Millisecond))
			if got := get(t, e, o.ID); got.Status != trade.StatusOpen {
				t.Fatalf("just before the cut-off: %s", got.Status)
			}
			c.Set(tt.wantExpiry.Add(36 * time.Hour))
			got := get(t, e, o.ID)
			if got.Status != trade.StatusExpired || !got.UpdatedAt.Equal(tt.wantExpiry) {
				t.Errorf("got %s at %v, want expired at %v", got.Status, got.UpdatedAt, tt.wantExpiry)
			}
			wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000"), decimal.Zero}})
			checkBooks(t, e)
		})
	}
}

// A crossing at the cut-off second itself is too late: the order is gone.
func TestDayOrderCrossingAtTheCutOffExpires(t *testing.T) {
	p, _ := sim.NewDefault(DefaultSeed).Path(btc)
	var cutoff time.Time
	for d := 1; d < 400; d++ {
		at := time.Date(2026, 3, 2+d, 0, 0, 0, 0, time.UTC)
		placed := at.Add(-1500 * time.Millisecond)
		x := p.Quote(at).Ask
		if p.Quote(at.Add(-time.Second)).Ask.GreaterThan(x) && p.Quote(placed).Ask.GreaterThan(x) {
			cutoff = at
			break
		}
	}
	if cutoff.IsZero() {
		t.Fatal("test setup: no midnight whose ask dips exactly at the cut-off")
	}
	price := p.Quote(cutoff).Ask
	c := newClock(cutoff.Add(-1500 * time.Millisecond))
	e := open(t, testParams(t, c, nil))
	o := place(t, e, limit(btc, trade.Buy, "0.01", price, trade.Day))
	if o.Status != trade.StatusOpen {
		t.Fatalf("placed %s, want open", o.Status)
	}
	c.Set(cutoff.Add(time.Hour))
	if got := get(t, e, o.ID); got.Status != trade.StatusExpired || !got.UpdatedAt.Equal(cutoff) {
		t.Errorf("got %s at %v, want expired at %v", got.Status, got.UpdatedAt, cutoff)
	}
}

func TestCatchUpInALaterProcess(t *testing.T) {
	c := newClock(t0)
	params := testParams(t, c, map[string]any{KeyStartingBalances: map[string]any{"USD": 100000, "BTC": 1}})
	first := open(t, params)
	p := path(t, first, btc)
	q := p.Quote(t0)
	// Two resting sells; the one placed second crosses first.
	lateP := trade.FloorTo(q.Ask.Mul(dec("1.01")), dec("0.01"))
	earlyP := trade.FloorTo(q.Ask.Mul(dec("1.002")), dec("0.01"))
	late := place(t, first, limit(btc, trade.Sell, "0.2", lateP, trade.GTC))
	early := place(t, first, limit(btc, trade.Sell, "0.3", earlyP, trade.GTC))
	lateAt := crossAfter(t, p, sim.BidAtOrAbove, lateP, t0)
	earlyAt := crossAfter(t, p, sim.BidAtOrAbove, earlyP, t0)
	if !earlyAt.Before(lateAt) {
		t.Fatalf("test setup: %v is not before %v", earlyAt, lateAt)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	// A later process, days on.
	c.Set(lateAt.Add(72 * time.Hour))
	second := open(t, params)
	fs := fills(t, second, exchange.FillFilter{})
	lateV, earlyV := dec("0.2").Mul(lateP), dec("0.3").Mul(earlyP)
	want := []trade.Fill{
		{ID: "2", OrderID: late.ID, Symbol: btc, Side: trade.Sell, Qty: dec("0.2"), Price: lateP, Fee: lateV.Mul(fee), FeeAsset: "USD", Liquidity: trade.Maker, Time: lateAt},
		{ID: "1", OrderID: early.ID, Symbol: btc, Side: trade.Sell, Qty: dec("0.3"), Price: earlyP, Fee: earlyV.Mul(fee), FeeAsset: "USD", Liquidity: trade.Maker, Time: earlyAt},
	}
	if diff := cmp.Diff(want, fs, decimalEqual); diff != "" {
		t.Errorf("fills after catch-up (-want +got):\n%s", diff)
	}
	if got := get(t, second, late.ID); got.Status != trade.StatusFilled || !got.UpdatedAt.Equal(lateAt) {
		t.Errorf("order %s: %s at %v", late.ID, got.Status, got.UpdatedAt)
	}
	usd := dec("100000").Add(lateV).Add(earlyV).Sub(lateV.Add(earlyV).Mul(fee))
	wantBalances(t, second, map[string][2]decimal.Decimal{"USD": {usd, decimal.Zero}, "BTC": {dec("0.5"), decimal.Zero}})
	checkBooks(t, second)
}

func TestCatchUpIsCappedAtThirtyDays(t *testing.T) {
	c := newClock(t0)
	e := open(t, testParams(t, c, map[string]any{KeyStartingBalances: map[string]any{"BTC": 1}}))
	p := path(t, e, btc)
	price := trade.FloorTo(p.Quote(t0).Ask.Mul(dec("1.002")), dec("0.01"))
	early := crossAfter(t, p, sim.BidAtOrAbove, price, t0)
	o := place(t, e, limit(btc, trade.Sell, "0.1", price, trade.GTC))
	// Long after the first crossing only the last 30 days are searched, so
	// the fill is the first crossing inside them, never the early one.
	now := early.Add(sim.MaxScan + 10*24*time.Hour)
	want, ok := p.FirstCross(sim.BidAtOrAbove, price, now.Add(-sim.MaxScan), now)
	if !ok {
		t.Fatalf("test setup: no crossing of bid>=%s in the 30 days before %v", price, now)
	}
	c.Set(now)
	got := get(t, e, o.ID)
	if got.Status != trade.StatusFilled || !got.UpdatedAt.Equal(want) {
		t.Errorf("got %s at %v; want filled at the window's first crossing %v (the first ever was %v)", got.Status, got.UpdatedAt, want, early)
	}
	checkBooks(t, e)
}

func TestPositions(t *testing.T) {
	e, c := newTest(t, nil)
	b1 := place(t, e, market(btc, trade.Buy, "0.1"))
	c.Add(time.Hour)
	b2 := place(t, e, market(btc, trade.Buy, "0.3"))
	c.Add(time.Hour)
	place(t, e, market(btc, trade.Sell, "0.2"))
	place(t, e, market(aapl, trade.Buy, "2"))
	place(t, e, market(aapl, trade.Sell, "2"))
	got, err := e.Positions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	avg := b1.AvgFillPrice.Decimal.Mul(dec("0.1")).Add(b2.AvgFillPrice.Decimal.Mul(dec("0.3"))).DivRound(dec("0.4"), avgPriceDigits)
	want := []trade.Position{{Symbol: btc, Qty: dec("0.2"), AvgCost: avg}}
	if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
}

func TestPositionsAverageCost(t *testing.T) {
	f := func(side trade.Side, qty, price string) trade.Fill {
		return trade.Fill{Symbol: btc, Side: side, Qty: dec(qty), Price: dec(price)}
	}
	tests := []struct {
		name  string
		fills []trade.Fill
		want  []trade.Position
	}{
		{"none", nil, []trade.Position{}},
		{"buys average by size", []trade.Fill{f(trade.Buy, "1", "100"), f(trade.Buy, "3", "200")},
			[]trade.Position{{Symbol: btc, Qty: dec("4"), AvgCost: dec("175")}}},
		{"sells keep the average", []trade.Fill{f(trade.Buy, "2", "100"), f(trade.Sell, "1", "500")},
			[]trade.Position{{Symbol: btc, Qty: dec("1"), AvgCost: dec("100")}}},
		{"flat is no position", []trade.Fill{f(trade.Buy, "2", "100"), f(trade.Sell, "2", "150")}, []trade.Position{}},
		{"through zero starts the short at the fill", []trade.Fill{f(trade.Buy, "1", "100"), f(trade.Sell, "3", "120")},
			[]trade.Position{{Symbol: btc, Qty: dec("-2"), AvgCost: dec("120")}}},
		{"adding to a short re-averages", []trade.Fill{f(trade.Sell, "1", "100"), f(trade.Sell, "1", "110")},
			[]trade.Position{{Symbol: btc, Qty: dec("-2"), AvgCost: dec("105")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, positions(tt.fills), decimalEqual); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestListOrders(t *testing.T) {
	e, c := newTest(t, nil)
	low := trade.FloorTo(path(t, e, btc).Quote(c.Now()).Bid.Mul(dec("0.5")), dec("0.01"))
	place(t, e, market(eth, trade.Buy, "0.1"))                 // 1 filled
	c.Add(time.Minute)                                         //
	place(t, e, limit(btc, trade.Buy, "0.01", low, trade.GTC)) // 2 open
	c.Add(time.Minute)                                         //
	place(t, e, market(btc, trade.Buy, "0.001"))               // 3 filled
	ids := func(os []trade.Order) []string {
		out := []string{}
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    exchange.ListFilter
		want []string
	}{
		{"open", exchange.ListFilter{}, []string{"2"}},
		{"all newest first", exchange.ListFilter{Scope: exchange.ListAll}, []string{"3", "2", "1"}},
		{"by symbol", exchange.ListFilter{Scope: exchange.ListAll, Symbol: btc}, []string{"3", "2"}},
		{"by status", exchange.ListFilter{Scope: exchange.ListAll, Statuses: []trade.OrderStatus{trade.StatusFilled}}, []string{"3", "1"}},
		{"since", exchange.ListFilter{Scope: exchange.ListAll, Since: t0.Add(time.Minute)}, []string{"3", "2"}},
		{"limit", exchange.ListFilter{Scope: exchange.ListAll, Limit: 1}, []string{"3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.ListOrders(context.Background(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
	fs := fills(t, e, exchange.FillFilter{Symbol: eth})
	if len(fs) != 1 || fs[0].OrderID != "1" {
		t.Errorf("ETH fills: %+v", fs)
	}
	if fs := fills(t, e, exchange.FillFilter{Limit: 1}); len(fs) != 1 || fs[0].OrderID != "3" {
		t.Errorf("latest fill: %+v", fs)
	}
}

// TestOrderKeepsItsFee: an order read again later — as an idempotent
// re-run reads it by client id — shows the fee it was first reported with.
func TestOrderKeepsItsFee(t *testing.T) {
	e, c := newTest(t, nil)
	req := market(btc, trade.Buy, "0.5")
	req.ClientID = "keep-fee-1"
	first := place(t, e, req)
	if !first.Fee.IsPositive() {
		t.Fatalf("a taker fill reported fee %s", first.Fee)
	}
	c.Add(36 * time.Hour)
	again, err := e.GetOrder(context.Background(), exchange.OrderRef{ClientID: req.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again, orderOpts...); diff != "" {
		t.Errorf("order read again (-first +again):\n%s", diff)
	}
	_, err = e.PlaceOrder(context.Background(), req)
	wantKind(t, err, exchange.ErrDuplicateClientID)
}
