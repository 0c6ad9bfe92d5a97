package kraken

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestOrderFormAndWire(t *testing.T) {
	base := trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Qty: trade.Dec("0.5")}
	with := func(f func(*trade.OrderRequest)) trade.OrderRequest { r := base; f(&r); return r }
	tests := []struct {
		name     string
		req      trade.OrderRequest
		clientID string
		validate bool
		want     string // the form sent
		wantErr  string
	}{
		{name: "market", req: with(func(r *trade.OrderRequest) { r.Type = trade.Market }), clientID: "tctl-1",
			want: "pair=XXBTZUSD&type=buy&ordertype=market&volume=0.5&cl_ord_id=tctl-1"},
		{name: "market ioc adds nothing", req: with(func(r *trade.OrderRequest) { r.Type = trade.Market; r.TimeInForce = trade.IOC }), clientID: "c",
			want: "pair=XXBTZUSD&type=buy&ordertype=market&volume=0.5&cl_ord_id=c"},
		{name: "limit gtc", req: with(func(r *trade.OrderRequest) { r.Type = trade.Limit; r.Price = trade.OptDec("60000.5") }), clientID: "c",
			want: "pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.5&price=60000.5&cl_ord_id=c"},
		{name: "limit ioc", req: with(func(r *trade.OrderRequest) {
			r.Type, r.Price, r.TimeInForce, r.Side = trade.Limit, trade.OptDec("1"), trade.IOC, trade.Sell
		}), clientID: "c", want: "pair=XXBTZUSD&type=sell&ordertype=limit&volume=0.5&price=1&timeinforce=IOC&cl_ord_id=c"},
		{name: "post-only", req: with(func(r *trade.OrderRequest) { r.Type, r.Price, r.PostOnly = trade.Limit, trade.OptDec("1"), true }), clientID: "c",
			want: "pair=XXBTZUSD&type=buy&ordertype=limit&volume=0.5&price=1&oflags=post&cl_ord_id=c"},
		{name: "stop is stop-loss with the trigger as price", req: with(func(r *trade.OrderRequest) {
			r.Type, r.StopPrice, r.Side = trade.Stop, trade.OptDec("55000"), trade.Sell
		}), clientID: "c", want: "pair=XXBTZUSD&type=sell&ordertype=stop-loss&volume=0.5&price=55000&cl_ord_id=c"},
		{name: "stop-limit: price trigger, price2 limit", req: with(func(r *trade.OrderRequest) {
			r.Type, r.StopPrice, r.Price, r.Side = trade.StopLimit, trade.OptDec("55000"), trade.OptDec("54900"), trade.Sell
		}), clientID: "c", want: "pair=XXBTZUSD&type=sell&ordertype=stop-loss-limit&volume=0.5&price=55000&price2=54900&cl_ord_id=c"},
		{name: "long client id is derived", req: with(func(r *trade.OrderRequest) { r.Type = trade.Market }), clientID: "a-client-id-of-30-characters-x",
			want: "pair=XXBTZUSD&type=buy&ordertype=market&volume=0.5&cl_ord_id=" + wireClientID("a-client-id-of-30-characters-x")},
		{name: "validate", req: with(func(r *trade.OrderRequest) { r.Type = trade.Market }), validate: true,
			want: "pair=XXBTZUSD&type=buy&ordertype=market&volume=0.5&validate=true"},
		{name: "fok refused", req: with(func(r *trade.OrderRequest) {
			r.Type, r.Price, r.TimeInForce = trade.Limit, trade.OptDec("1"), trade.FOK
		}),
			wantErr: "does not support time in force fok"},
		{name: "day refused", req: with(func(r *trade.OrderRequest) {
			r.Type, r.Price, r.TimeInForce = trade.Limit, trade.OptDec("1"), trade.Day
		}),
			wantErr: "no day orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := toWire(tt.req)
			if !venuetest.WantError(t, err, exchange.ErrInvalidOrder, tt.wantErr) {
				return
			}
			got := orderForm(tt.req, "XXBTZUSD", w, tt.clientID, tt.validate).String()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("form (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatusOf(t *testing.T) {
	d := trade.Dec
	tests := []struct {
		status, vol, exec, reason string
		want                      trade.OrderStatus
	}{
		{"pending", "1", "0", "", trade.StatusOpen},
		{"open", "1", "0", "", trade.StatusOpen},
		{"open", "1", "0.4", "", trade.StatusPartiallyFilled},
		{"closed", "1", "1", "", trade.StatusFilled},
		{"closed", "1.00000000", "1.0", "", trade.StatusFilled},
		{"closed", "1", "0.4", "", trade.StatusCanceled}, // IOC or market that ran out of book
		{"closed", "1", "0", "", trade.StatusCanceled},
		{"canceled", "1", "0", "User requested", trade.StatusCanceled},
		{"canceled", "1", "0.4", "User requested", trade.StatusCanceled},
		{"canceled", "1", "0", "Post only order", trade.StatusRejected},
		{"expired", "1", "0", "", trade.StatusExpired},
	}
	for _, tt := range tests {
		got, err := statusOf(tt.status, d(tt.vol), d(tt.exec), tt.reason)
		if err != nil || got != tt.want {
			t.Errorf("statusOf(%s, vol %s, exec %s, %q) = %s, %v; want %s", tt.status, tt.vol, tt.exec, tt.reason, got, err, tt.want)
		}
	}
	if _, err := statusOf("frozen", d("1"), d("0"), ""); err == nil {
		t.Error("statusOf(frozen) = nil error, want one")
	}
}

func TestClassifyErrors(t *testing.T) {
	tests := []struct {
		errs      []string
		status    int
		placement bool
		want      error
	}{
		{errs: []string{"EAPI:Invalid key"}, want: exchange.ErrAuth},
		{errs: []string{"EAPI:Invalid signature"}, want: exchange.ErrAuth},
		{errs: []string{"EAPI:Invalid nonce"}, want: exchange.ErrAuth},
		{errs: []string{"EGeneral:Permission denied"}, want: exchange.ErrAuth},
		{errs: []string{"EOrder:Insufficient funds"}, placement: true, want: exchange.ErrInsufficientFunds},
		{errs: []string{"EOrder:Unknown order"}, want: exchange.ErrNotFound},
		{errs: []string{"EQuery:Unknown asset pair"}, want: exchange.ErrNotFound},
		{errs: []string{"EOrder:Invalid price:XXBTZUSD price can only be specified up to 1 decimals."}, placement: true, want: exchange.ErrInvalidOrder},
		{errs: []string{"EGeneral:Invalid arguments:volume"}, placement: true, want: exchange.ErrInvalidOrder},
		{errs: []string{"EOrder:Order minimum not met"}, placement: true, want: exchange.ErrInvalidOrder},
		{errs: []string{"EOrder:Cost minimum not met"}, placement: true, want: exchange.ErrInvalidOrder},
		{errs: []string{"EOrder:Tick size check failed"}, placement: true, want: exchange.ErrInvalidOrder},
		{errs: []string{"EOrder:Orders limit exceeded"}, placement: true, want: exchange.ErrInvalidOrder},
		{errs: []string{"EAPI:Rate limit exceeded"}, want: exchange.ErrRateLimited},
		{errs: []string{"EOrder:Rate limit exceeded"}, placement: true, want: exchange.ErrRateLimited},
		{errs: []string{"EGeneral:Too many requests"}, want: exchange.ErrRateLimited},
		{errs: []string{"EGeneral:Temporary lockout"}, want: exchange.ErrRateLimited},
		{errs: []string{"EService:Throttled: 1700000000"}, want: exchange.ErrRateLimited},
		{errs: []string{"EService:Unavailable"}, placement: true, want: exchange.ErrUnavailable},
		{errs: []string{"EService:Busy"}, want: exchange.ErrUnavailable},
		{errs: []string{"EService:Market in cancel_only mode"}, placement: true, want: exchange.ErrUnavailable},
		{errs: []string{"EService:Deadline elapsed"}, placement: true, want: exchange.ErrUnavailable},
		{errs: []string{"EGeneral:Internal error"}, placement: true, want: exchange.ErrUnknownOutcome},
		{errs: []string{"EGeneral:Internal error"}, want: exchange.ErrUnavailable},
		{errs: []string{"EOrder:Duplicate order"}, placement: true, want: exchange.ErrDuplicateClientID},
		{errs: []string{"EOrder:Duplicate cl_ord_id"}, placement: true, want: exchange.ErrDuplicateClientID},
		{errs: []string{"EGeneral:Something new"}, want: exchange.ErrInvalidOrder},
		{status: http.StatusBadGateway, placement: true, want: exchange.ErrUnknownOutcome},
		{status: http.StatusBadGateway, want: exchange.ErrUnavailable},
		{status: http.StatusTooManyRequests, want: exchange.ErrRateLimited},
		{status: http.StatusForbidden, placement: true, want: exchange.ErrUnavailable},
		{status: http.StatusNotFound, want: exchange.ErrUnavailable},
	}
	for _, tt := range tests {
		status := tt.status
		if status == 0 {
			status = http.StatusOK
		}
		got := classify(apiError{Status: status, Errors: tt.errs}, tt.placement)
		if got != tt.want {
			t.Errorf("classify(%d %v, placement %v) = %v, want %v", status, tt.errs, tt.placement, got, tt.want)
		}
	}
}

func TestToErrorRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	e := &Exchange{Base: venuebase.Base{Now: func() time.Time { return now }}, limiter: newCounterLimiter(func() time.Time { return now }, tierStarter)}
	tests := []struct {
		name string
		a    apiError
		want time.Duration
	}{
		{"throttled names a time", apiError{Status: 200, Errors: []string{"EService:Throttled: " + itoa(now.Add(7*time.Second).Unix())}}, 7 * time.Second},
		{"counter exceeded: one unit on starter", apiError{Status: 200, Errors: []string{"EAPI:Rate limit exceeded"}}, 3 * time.Second},
		{"lockout", apiError{Status: 200, Errors: []string{"EGeneral:Temporary lockout"}}, lockoutWait},
		{"trading limiter", apiError{Status: 200, Errors: []string{"EOrder:Rate limit exceeded"}}, orderRateLimitWait},
		{"HTTP 429 Retry-After", httpError(429, http.Header{"Retry-After": {"12"}}, nil, now), 12 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.toError(tt.a, call{path: pathBalanceEx, private: true, cost: 1})
			if !errors.Is(err, exchange.ErrRateLimited) {
				t.Fatalf("toError = %v, want ErrRateLimited", err)
			}
			if d, _ := exchange.RetryAfter(err); d != tt.want {
				t.Errorf("RetryAfter = %s, want %s", d, tt.want)
			}
		})
	}
}

func TestInvalidOrderOnLookupIsNotFound(t *testing.T) {
	e := &Exchange{Base: venuebase.Base{Now: time.Now}}
	a := apiError{Status: 200, Errors: []string{"EOrder:Invalid order"}}
	for path, want := range map[string]error{
		pathQueryOrders: exchange.ErrNotFound, pathCancelOrder: exchange.ErrNotFound, pathAddOrder: exchange.ErrInvalidOrder,
	} {
		if err := e.toError(a, call{path: path, private: true}); !errors.Is(err, want) {
			t.Errorf("%s answering EOrder:Invalid order = %v, want %v", path, err, want)
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestParseTxID(t *testing.T) {
	for _, ok := range []string{"OU22CG-KLAF2-FWUDD7", "ou22cg-klaf2-fwudd7", " OU22CG-KLAF2-FWUDD7 "} {
		if got, err := parseTxID(ok); err != nil || got != "OU22CG-KLAF2-FWUDD7" {
			t.Errorf("parseTxID(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []string{"", "28", "BTCUSDT:28", "OU22CG-KLAF2-FWUDD", "OU22CG_KLAF2_FWUDD7", "OU22CG-KLAF2-FWUDD7-X", "ÖU22CG-KLAF2-FWUDD7"} {
		if _, err := parseTxID(bad); !errors.Is(err, exchange.ErrInvalidOrder) {
			t.Errorf("parseTxID(%q) = %v, want ErrInvalidOrder", bad, err)
		}
	}
}

func TestWireClientID(t *testing.T) {
	long := "strategy-a.2026-11-27:order-0001" // 32 characters, not hex
	tests := []struct {
		in   string
		same bool // sent unchanged
	}{
		{"tctl-0123456789abc", true}, // 18: the free-text maximum
		{"a", true},
		{"6d1b345e-2821-40e2-ad83-4ecb18a06876", true}, // long UUID
		{"DA8E4AD59B78481C93E589746B0CF91F", true},     // short UUID
		{"xt0123abcd-abcdef-12", false},                // 20 characters
		{long, false},
		{"", true},
	}
	for _, tt := range tests {
		got := wireClientID(tt.in)
		if (got == tt.in) != tt.same {
			t.Errorf("wireClientID(%q) = %q, sent unchanged %v, want %v", tt.in, got, got == tt.in, tt.same)
		}
		if tt.in != "" && !isKrakenClientID(got) {
			t.Errorf("wireClientID(%q) = %q, which Kraken would refuse", tt.in, got)
		}
		if wireClientID(tt.in) != got {
			t.Errorf("wireClientID(%q) is not deterministic", tt.in)
		}
	}
	if wireClientID(long) == wireClientID(long+"x") {
		t.Error("different ids derive the same wire id")
	}
	if id := newClientID(); len(id) != 18 || !isKrakenClientID(id) || trade.ValidateClientID(id) != nil {
		t.Errorf("newClientID() = %q: want 18 characters valid for Kraken and tradectl", id)
	}
}

func TestClientIDMapPersists(t *testing.T) {
	path := t.TempDir() + "/ids.jsonl"
	long := "strategy-a.2026-11-27:order-0001"
	newClientIDMap(path).remember(long)
	newClientIDMap(path).remember("short-id") // sent as is: not stored
	m := newClientIDMap(path)
	if got := m.original(wireClientID(long)); got != long {
		t.Errorf("original(derived) in another map = %q, want %q", got, long)
	}
	if got := m.original(strings.ToUpper(wireClientID(long))); got != long {
		t.Errorf("original(upper-case derived) = %q, want %q", got, long)
	}
	if got := m.original("short-id"); got != "short-id" {
		t.Errorf("original(short-id) = %q", got)
	}
	other := "0123456789abcdef0123456789abcdef"
	if got := m.original(other); got != other {
		t.Errorf("original(unknown) = %q, want it unchanged", got)
	}
	// A forged line cannot rename an order.
	if err := appendLine(path, `{"wire":"`+other+`","client_id":"forged"}`); err != nil {
		t.Fatal(err)
	}
	if got := newClientIDMap(path).original(other); got != other {
		t.Errorf("original after a forged line = %q, want %q", got, other)
	}
}

func appendLine(path, line string) error {
	f, err := openAppend(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(line + "\n")
	return err
}

func TestMapOrder(t *testing.T) {
	e := &Exchange{Base: venuebase.Base{Profile: "p"}}
	long := "strategy-a.2026-11-27:order-0001"
	ids := newClientIDMap("")
	ids.remember(long)
	tests := []struct {
		name string
		wire string
		sym  trade.Symbol
		hint orderHint
		want trade.Order
	}{
		{
			name: "resting limit, Kraken's example shape",
			wire: `{"refid":null,"userref":0,"cl_ord_id":"tctl-1","status":"open","opentm":1688666559.8974,"starttm":0,"expiretm":0,
				"descr":{"pair":"XBTUSD","type":"buy","ordertype":"limit","price":"30010.0","price2":"0","leverage":"none","order":"buy 1.25000000 XBTUSD @ limit 30010.0","close":""},
				"vol":"1.25000000","vol_exec":"0.37500000","cost":"11253.75000","fee":"18.00600","price":"30010.0","stopprice":"0.00000","limitprice":"0.00000","misc":"partial","oflags":"post,fciq"}`,
			sym: btcusd,
			want: trade.Order{ID: "OU22CG-KLAF2-FWUDD7", ClientID: "tctl-1", Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
				PostOnly: true, Status: trade.StatusPartiallyFilled, Qty: trade.Dec("1.25"), FilledQty: trade.Dec("0.375"),
				Price: trade.OptDec("30010"), AvgFillPrice: trade.OptDec("30010"), Fee: trade.Dec("18.006"), FeeAsset: "USD",
				CreatedAt: time.Unix(1688666559, 897400000).UTC(), UpdatedAt: time.Unix(1688666559, 897400000).UTC(), Exchange: "kraken", Profile: "p"},
		},
		{
			name: "filled market sell, fee in base, derived client id mapped back",
			wire: `{"cl_ord_id":"` + wireClientID(long) + `","status":"closed","reason":null,"opentm":1700000000,"closetm":1700000001.5,
				"descr":{"pair":"XETHZUSD","type":"sell","ordertype":"market","price":"0","price2":"0"},
				"vol":"2.00000000","vol_exec":"2.00000000","cost":"6000.00","fee":"0.00520000","price":"0","oflags":"fcib"}`,
			sym: ethusd,
			want: trade.Order{ID: "OU22CG-KLAF2-FWUDD7", ClientID: long, Symbol: ethusd, Side: trade.Sell, Type: trade.Market, TimeInForce: trade.GTC,
				Status: trade.StatusFilled, Qty: trade.Dec("2"), FilledQty: trade.Dec("2"), AvgFillPrice: trade.OptDec("3000"),
				Fee: trade.Dec("0.0052"), FeeAsset: "ETH", CreatedAt: time.Unix(1700000000, 0).UTC(), UpdatedAt: time.Unix(1700000001, 5e8).UTC(),
				Exchange: "kraken", Profile: "p"},
		},
		{
			name: "stop-loss-limit: price trigger, price2 limit; hint supplies tif and client id",
			wire: `{"cl_ord_id":"` + wireClientID(long) + `","status":"canceled","reason":"User requested","opentm":"1700000000.25","closetm":1700000100,
				"descr":{"pair":"XBTUSD","type":"sell","ordertype":"stop-loss-limit","price":"55000.0","price2":"54900.0"},
				"vol":"0.10000000","vol_exec":"0.00000000","cost":"0","fee":"0","price":"0","oflags":"fciq"}`,
			sym:  btcusd,
			hint: orderHint{clientID: long, tif: trade.IOC},
			want: trade.Order{ID: "OU22CG-KLAF2-FWUDD7", ClientID: long, Symbol: btcusd, Side: trade.Sell, Type: trade.StopLimit, TimeInForce: trade.IOC,
				Status: trade.StatusCanceled, Qty: trade.Dec("0.1"), FilledQty: decimal.Zero, Price: trade.OptDec("54900"), StopPrice: trade.OptDec("55000"),
				Fee: decimal.Zero, FeeAsset: "USD", CreatedAt: time.Unix(1700000000, 25e7).UTC(), UpdatedAt: time.Unix(1700000100, 0).UTC(),
				Exchange: "kraken", Profile: "p"},
		},
		{
			name: "post-only canceled for taking is rejected; trailing stop reads back its relative price as its trail",
			wire: `{"status":"canceled","reason":"Post only order","opentm":1700000000,"closetm":1700000000,
				"descr":{"pair":"XBTUSD","type":"buy","ordertype":"trailing-stop","price":"+5.0%","price2":"0"},
				"vol":"1","vol_exec":"0","cost":"0","fee":"0","price":"0","oflags":"fciq"}`,
			sym: btcusd,
			want: trade.Order{ID: "OU22CG-KLAF2-FWUDD7", Symbol: btcusd, Side: trade.Buy, Type: trade.TrailingStop, TimeInForce: trade.GTC,
				TrailPct: trade.OptDec("5"), Status: trade.StatusRejected, RejectReason: "Post only order", Qty: trade.Dec("1"), FilledQty: decimal.Zero, Fee: decimal.Zero, FeeAsset: "USD",
				CreatedAt: time.Unix(1700000000, 0).UTC(), UpdatedAt: time.Unix(1700000000, 0).UTC(), Exchange: "kraken", Profile: "p"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w orderWire
			if err := json.Unmarshal([]byte(tt.wire), &w); err != nil {
				t.Fatal(err)
			}
			got, err := e.mapOrder("OU22CG-KLAF2-FWUDD7", w, tt.sym, ids, tt.hint)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, venuetest.DecEqual); diff != "" {
				t.Errorf("mapOrder (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMapOrderRefusesGarbage(t *testing.T) {
	e := &Exchange{}
	for _, wire := range []string{
		`{"status":"open","descr":{"type":"buy","ordertype":"teleport"},"vol":"1"}`,
		`{"status":"open","descr":{"type":"hold","ordertype":"limit"},"vol":"1"}`,
		`{"status":"open","descr":{"type":"buy","ordertype":"limit"},"vol":"1e3"}`,
		`{"status":"frozen","descr":{"type":"buy","ordertype":"limit"},"vol":"1"}`,
		`{"status":"open","descr":{"type":"buy","ordertype":"limit"},"vol":"1","opentm":-5}`,
		`{"status":"open","descr":{"type":"buy","ordertype":"limit"},"vol":"1","opentm":1e300}`,
	} {
		var w orderWire
		if err := json.Unmarshal([]byte(wire), &w); err != nil {
			t.Fatalf("%s: %v", wire, err)
		}
		if _, err := e.mapOrder("X", w, btcusd, nil, orderHint{}); err == nil {
			t.Errorf("mapOrder(%s) = nil error, want one", wire)
		}
	}
}

func TestMapBalances(t *testing.T) {
	res := map[string]balanceExWire{
		"ZUSD":  {Balance: "171288.6158", HoldTrade: "1200.5"},
		"XXBT":  {Balance: "1.0119087790", HoldTrade: "0"},
		"XBT.M": {Balance: "0.5", HoldTrade: ""},
		"XETH":  {Balance: "0", HoldTrade: "0"},
		"SOL":   {Balance: "3", HoldTrade: "3"},
	}
	got, err := mapBalances(res)
	if err != nil {
		t.Fatal(err)
	}
	d := trade.Dec
	want := []trade.Balance{
		trade.NewBalance("BTC", d("1.011908779"), d("0")),
		trade.NewBalance("BTC.M", d("0.5"), d("0")),
		trade.NewBalance("SOL", d("0"), d("3")),
		trade.NewBalance("USD", d("170088.1158"), d("1200.5")),
	}
	if diff := cmp.Diff(want, got, venuetest.DecEqual); diff != "" {
		t.Errorf("mapBalances (-want +got):\n%s", diff)
	}
	if _, err := mapBalances(map[string]balanceExWire{"ZUSD": {Balance: "lots"}}); err == nil {
		t.Error("mapBalances with a malformed amount = nil error")
	}
}
