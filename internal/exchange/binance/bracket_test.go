package binance

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func sellOCO(clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btcusdt, Side: trade.Sell, Type: trade.Limit, Qty: trade.Dec("0.5"), Price: trade.OptDec("66000"),
		Exits: &trade.Exits{StopLoss: trade.OptDec("55000"), StopLossLimit: trade.OptDec("54900"), OCO: true}, ClientID: clientID}
}

func buyBracket(clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.1"), Price: trade.OptDec("59000"),
		Exits: &trade.Exits{TakeProfit: trade.OptDec("65000"), StopLoss: trade.OptDec("56000")}, ClientID: clientID}
}

// The order-list requests carry the documented parameters of "New Order
// list - OCO" and "New Order list - OTOCO", in a fixed order: a sell
// pair's take-profit is the above leg (LIMIT_MAKER), a buy pair's the
// below leg.
func TestListParams(t *testing.T) {
	buyOCO := sellOCO("b-1")
	buyOCO.Side, buyOCO.Price = trade.Buy, trade.OptDec("55000")
	buyOCO.Exits = &trade.Exits{StopLoss: trade.OptDec("66000"), OCO: true}
	tests := []struct {
		name     string
		req      trade.OrderRequest
		wantPath string
		want     string
	}{
		{"sell OCO, stop-limit loss", sellOCO("o-1"), "/api/v3/orderList/oco",
			"symbol=BTCUSDT&listClientOrderId=o-1&side=SELL&quantity=0.5" +
				"&aboveType=LIMIT_MAKER&abovePrice=66000&aboveClientOrderId=o-1" +
				"&belowType=STOP_LOSS_LIMIT&belowPrice=54900&belowStopPrice=55000&belowTimeInForce=GTC&belowClientOrderId=o-1-sl" +
				"&newOrderRespType=FULL"},
		{"buy OCO, stop loss", buyOCO, "/api/v3/orderList/oco",
			"symbol=BTCUSDT&listClientOrderId=b-1&side=BUY&quantity=0.5" +
				"&aboveType=STOP_LOSS&aboveStopPrice=66000&aboveClientOrderId=b-1-sl" +
				"&belowType=LIMIT_MAKER&belowPrice=55000&belowClientOrderId=b-1" +
				"&newOrderRespType=FULL"},
		{"buy bracket", buyBracket("br-1"), "/api/v3/orderList/otoco",
			"symbol=BTCUSDT&listClientOrderId=br-1&workingType=LIMIT&workingSide=BUY&workingClientOrderId=br-1" +
				"&workingPrice=59000&workingQuantity=0.1&workingTimeInForce=GTC&pendingSide=SELL&pendingQuantity=0.1" +
				"&pendingAboveType=LIMIT_MAKER&pendingAbovePrice=65000&pendingAboveClientOrderId=br-1-tp" +
				"&pendingBelowType=STOP_LOSS&pendingBelowStopPrice=56000&pendingBelowClientOrderId=br-1-sl" +
				"&newOrderRespType=FULL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, q, err := listParams(tt.req, "BTCUSDT", tt.req.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantPath+"?"+tt.want, path+"?"+q.String()); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

// An OCO rests both legs at the fake, linked in one list; the book
// reaching the take-profit fills it and expires the stop-loss.
func TestOCOAgainstTheFake(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	o, err := e.PlaceOrder(ctxT(t), sellOCO("oco-1"))
	if err != nil {
		t.Fatal(err)
	}
	if r := f.Srv.LastRequest(); r.Path != "/api/v3/orderList/oco" {
		t.Errorf("sent %s, want /api/v3/orderList/oco", r.Path)
	}
	if o.Leg != trade.LegTakeProfit || o.ClientID != "oco-1" || len(o.Legs) != 1 || o.Legs[0].Leg != trade.LegStopLoss || o.Legs[0].ListID != o.ListID {
		t.Fatalf("placed %+v, want the take-profit with its stop-loss leg in one list", o)
	}
	if _, locked := f.Srv.Balance("BTC"); !locked.Equal(trade.Dec("0.5")) {
		t.Errorf("BTC locked %s, want 0.5: the pair holds one amount", locked)
	}
	f.Srv.SetBook("BTCUSDT", trade.Dec("66000"), trade.Dec("66000.01"))
	got, err := e.GetOrder(ctxT(t), exchange.OrderRef{ClientID: "oco-1", Symbol: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[trade.LegRole]trade.OrderStatus{got.Leg: got.Status}
	for _, l := range got.Legs {
		statuses[l.Leg] = l.Status
	}
	want := map[trade.LegRole]trade.OrderStatus{trade.LegTakeProfit: trade.StatusFilled, trade.LegStopLoss: trade.StatusExpired}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("legs after the bid reached the take-profit (-want +got):\n%s", diff)
	}
}

// A limit entry's exits wait (PENDING_NEW) until it fills; canceling the
// entry cancels them, as Binance cancels a whole list.
func TestBracketAgainstTheFake(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	o, err := e.PlaceOrder(ctxT(t), buyBracket("br-1"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Leg != trade.LegEntry || len(o.Legs) != 2 {
		t.Fatalf("placed %+v, want the entry with two exits", o)
	}
	for _, l := range o.Legs {
		if l.ParentID != o.ID || l.Side != trade.Sell {
			t.Errorf("exit %+v, want a sell with parent %s", l, o.ID)
		}
	}
	canceled, err := e.CancelOrder(ctxT(t), exchange.OrderRef{ID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	venuetest.CheckLegStatus(t, canceled, trade.StatusCanceled, "after canceling the entry")
	lists := f.Srv.Lists()
	if len(lists) != 1 || lists[0].Contingency != "OTO" || len(lists[0].Orders) != 3 {
		t.Fatalf("fake holds %+v, want one OTOCO of three orders", lists)
	}
	// Filled entry: the exits go on the book.
	if _, err := e.PlaceOrder(ctxT(t), buyBracket("br-2")); err != nil {
		t.Fatal(err)
	}
	f.Srv.SetBook("BTCUSDT", trade.Dec("58990"), trade.Dec("58999"))
	got, err := e.GetOrder(ctxT(t), exchange.OrderRef{ClientID: "br-2", Symbol: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != trade.StatusFilled {
		t.Fatalf("entry %s, want filled", got.Status)
	}
	venuetest.CheckLegStatus(t, got, trade.StatusOpen, "after the entry filled")
}

// A market entry takes no exits on Binance (an OTOCO's working order is
// LIMIT or LIMIT_MAKER): refused locally, nothing sent.
func TestBracketMarketEntryRefused(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	req := buyBracket("br-m")
	req.Type, req.Price = trade.Market, trade.OptDec("")
	if exchange.CanLink(e, req) {
		t.Error("binance claims brackets on market entries")
	}
	if _, err := e.PlaceOrder(ctxT(t), req); !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("PlaceOrder: %v, want ErrInvalidOrder", err)
	}
	if f.Srv.OrdersPlaced() != 0 {
		t.Error("a refused bracket reached the venue")
	}
}

// An OCO whose answer is lost is found again by the list's client id,
// which its take-profit carries, with its legs.
func TestOCOUnknownOutcomeLookedUp(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	f.Srv.FailNextAfterAccept("POST /api/v3/orderList/oco", http.StatusInternalServerError,
		`{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}`, nil)
	_, err := e.PlaceOrder(ctxT(t), sellOCO("oco-u"))
	var xe *exchange.Error
	if !errors.Is(err, exchange.ErrUnknownOutcome) || !errors.As(err, &xe) || xe.ClientID != "oco-u" {
		t.Fatalf("PlaceOrder: %v, want ErrUnknownOutcome naming client id oco-u", err)
	}
	got, err := e.GetOrder(ctxT(t), exchange.OrderRef{ClientID: "oco-u", Symbol: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	if got.Leg != trade.LegTakeProfit || len(got.Legs) != 1 {
		t.Errorf("looked up %+v, want the take-profit with its stop-loss", got)
	}
	if lists := f.Srv.Lists(); len(lists) != 1 || lists[0].ClientID != "oco-u" {
		t.Errorf("fake holds %+v, want the one list oco-u", lists)
	}
}
