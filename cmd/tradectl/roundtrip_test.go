package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// commandStep is one command whose requests are counted, run on every
// venue it names, in the order of the table (later steps use the orders
// earlier ones placed).
type commandStep struct {
	name string
	// args is the command line; {sym}, {qty}, {price} are the venue's
	// order (venueHome), {id} the order the "limit order" step placed.
	args string
	// exit is the exit code the command must end with.
	exit int
	// want lists, per venue, the requests the command sends, as "METHOD
	// /path", once the instrument rules are cached. A venue missing from
	// the map does not run the step.
	want map[string][]string
}

// Requests the venues answer with, by name.
const (
	binanceOrder      = "POST /api/v3/order"
	binanceGet        = "GET /api/v3/order"
	binanceCancel     = "DELETE /api/v3/order"
	krakenAdd         = "POST /0/private/AddOrder"
	krakenQuery       = "POST /0/private/QueryOrders"
	krakenCancel      = "POST /0/private/CancelOrder"
	krakenOpen        = "POST /0/private/OpenOrders"
	krakenClosed      = "POST /0/private/ClosedOrders"
	coinbaseCreate    = "POST /api/v3/brokerage/orders"
	coinbaseGet       = "GET /api/v3/brokerage/orders/historical/{id}"
	coinbaseList      = "GET /api/v3/brokerage/orders/historical/batch"
	coinbaseCancel    = "POST /api/v3/brokerage/orders/batch_cancel"
	coinbaseFills     = "GET /api/v3/brokerage/orders/historical/fills"
	alpacaOrder       = "POST /v2/orders"
	alpacaGet         = "GET /v2/orders/{id}"
	alpacaByClientID  = "GET /v2/orders:by_client_order_id"
	alpacaCancel      = "DELETE /v2/orders/{id}"
	paperPrice        = "GET /api/v3/ticker/price"
	paperBook         = "GET /api/v3/ticker/bookTicker"
	coinbaseBook      = "GET /api/v3/brokerage/best_bid_ask"
	coinbaseProducts  = "GET /api/v3/brokerage/products"
	alpacaQuotes      = "GET /v2/stocks/quotes/latest"
	alpacaTrades      = "GET /v2/stocks/trades/latest"
	alpacaPositions   = "GET /v2/positions"
	binanceMyTrades   = "GET /api/v3/myTrades"
	krakenTrades      = "POST /0/private/TradesHistory"
	krakenBalance     = "POST /0/private/BalanceEx"
	krakenTicker      = "GET /0/public/Ticker"
	coinbaseAccounts  = "GET /api/v3/brokerage/accounts"
	alpacaAccount     = "GET /v2/account"
	alpacaOpenOrders  = "GET /v2/orders"
	binanceAccount    = "GET /api/v3/account"
	binanceOpenOrders = "GET /api/v3/openOrders"
)

// paperQuote is what a live-priced paper account asks its price source
// at each call while it has working orders: the book and the last price
// of their symbols, sent together (one round trip), so resting orders
// fill at the prices of now before the call reads or changes anything.
var paperQuote = []string{paperBook, paperPrice}

// paperDepth is the price source's order book, which an order that takes
// liquidity on a live-priced paper account fills against.
const paperDepth = "GET /api/v3/depth"

// commandSteps is the cost of each command at each venue, and why a
// command costs more than one request where it does:
//
//   - Kraken and Coinbase answer a placement and a cancel with the
//     order's id only (AddOrder: txid and a description; create: order_id,
//     product, side; CancelOrder: a count; batch_cancel: success per id).
//     A limit or stop order is reported from that answer and the request:
//     one request. A market order is read back, since it fills at once and
//     the trader is owed its fill; a cancel is read back, since the caller
//     is owed what filled before it (a script re-places the rest from
//     filled_qty). Reporting either from the answer alone would show a
//     filled order as open, or a partial fill as none. Alpaca answers a
//     cancel with 204 and no body, and the order is read back likewise.
//   - A --client-id the journal has never seen may be at the venue from
//     another machine, so it is looked up before the order is sent
//     (Binance, Alpaca: one request; Kraken: open, then closed orders, one
//     signed call at a time for the nonce; Coinbase: open orders, then
//     recent history — it cannot filter by client id). An idempotency key
//     derives its client id from the profile, so the journal settles it
//     and the order goes straight out. A client id or key the journal
//     holds as placed is reported with one read of the order.
//   - Alpaca's balances are its cash (/v2/account) and its holdings
//     (/v2/positions): two requests, sent together.
//   - The dashboard reads balances, open orders, quotes and fills (its
//     positions come from fills wherever the venue lists them, Alpaca and
//     Coinbase included); requests that do not depend on each other are
//     sent together — Kraken's signed ones only when the key has a nonce
//     window (nonce_window, set on the "kraken" home; see
//     TestRoundTripsPerCommand).
//   - A live-priced paper account asks its price source for a quote of the
//     symbols it has working orders in at each call (paperQuote) and sends
//     nothing else, except for an order that takes liquidity (a market
//     order, a limit at or through the touch): that one fills against the
//     source's order book, read after the quote (paperDepth).
var commandSteps = []commandStep{
	{name: "market order", args: "order create --yes {sym} --side buy --qty {qty}", want: map[string][]string{
		"binance":  {binanceOrder},
		"kraken":   {krakenAdd, krakenQuery},
		"coinbase": {coinbaseCreate, coinbaseGet},
		"alpaca":   {alpacaOrder},
		"paper":    {paperBook, paperPrice, paperDepth},
	}},
	{name: "limit order", args: "order create --yes {sym} --side buy --qty {qty} --price {price}", want: map[string][]string{
		"binance":  {binanceOrder},
		"kraken":   {krakenAdd},
		"coinbase": {coinbaseCreate},
		"alpaca":   {alpacaOrder},
		"paper":    paperQuote,
	}},
	{name: "get", args: "order get {id}", want: map[string][]string{
		"binance":  {binanceGet},
		"kraken":   {krakenQuery},
		"coinbase": {coinbaseGet},
		"alpaca":   {alpacaGet},
		"paper":    paperQuote,
	}},
	{name: "cancel", args: "order cancel {id}", want: map[string][]string{
		"binance":  {binanceCancel},
		"kraken":   {krakenCancel, krakenQuery},
		"coinbase": {coinbaseCancel, coinbaseGet},
		"alpaca":   {alpacaCancel, alpacaGet},
		"paper":    paperQuote,
	}},
	{name: "client id new to the journal", args: "order create --yes {sym} --side buy --qty {qty} --price {price} --client-id rt-cid-1", want: map[string][]string{
		"binance":  {binanceGet, binanceOrder},
		"kraken":   {krakenOpen, krakenClosed, krakenAdd},
		"coinbase": {coinbaseList, coinbaseList, coinbaseCreate},
		"alpaca":   {alpacaByClientID, alpacaOrder},
		// Each call on a live-priced paper account settles its working
		// orders at the prices of now: the look-up and the placement ask
		// for a quote each.
		"paper": {paperBook, paperPrice, paperBook, paperPrice},
	}},
	{name: "client id placed (journal)", args: "order create --yes {sym} --side buy --qty {qty} --price {price} --client-id rt-cid-1", want: map[string][]string{
		"binance":  {binanceGet},
		"kraken":   {krakenQuery},
		"coinbase": {coinbaseGet},
		"alpaca":   {alpacaGet},
		"paper":    paperQuote,
	}},
	{name: "idempotency key new to the journal", args: "order create --yes {sym} --side buy --qty {qty} --price {price} --idempotency-key rt-key-1", want: map[string][]string{
		"binance":  {binanceOrder},
		"kraken":   {krakenAdd},
		"coinbase": {coinbaseCreate},
		"alpaca":   {alpacaOrder},
		"paper":    paperQuote,
	}},
	{name: "idempotency key placed (journal)", args: "order create --yes {sym} --side buy --qty {qty} --price {price} --idempotency-key rt-key-1", want: map[string][]string{
		"binance":  {binanceGet},
		"kraken":   {krakenQuery},
		"coinbase": {coinbaseGet},
		"alpaca":   {alpacaGet},
		"paper":    paperQuote,
	}},
	// Binance finds an order by client id only within its symbol: the
	// journal knows the symbol of an order placed from this machine.
	{name: "get by client id", args: "order get --client-id rt-cid-1", want: map[string][]string{
		"binance": {binanceGet},
	}},
	{name: "cancel by client id", args: "order cancel --client-id rt-cid-1", want: map[string][]string{
		"binance": {binanceCancel},
	}},
	// … and without one, the command says so before any request.
	{name: "cancel by a client id the journal does not know", args: "order cancel --client-id rt-elsewhere-1", exit: 2, want: map[string][]string{
		"binance": nil,
	}},
	{name: "cancel by a bare id", args: "order cancel 12", exit: 2, want: map[string][]string{
		"binance": nil,
	}},
	{name: "balance", args: "balance", want: map[string][]string{
		"binance":  {binanceAccount},
		"kraken":   {krakenBalance},
		"coinbase": {coinbaseAccounts},
		"alpaca":   {alpacaAccount, alpacaPositions},
		"paper":    paperQuote,
	}},
	{name: "dashboard", args: "dashboard", want: map[string][]string{
		"binance":  {binanceAccount, binanceOpenOrders, paperBook, paperPrice, binanceMyTrades, binanceMyTrades, binanceMyTrades},
		"kraken":   {krakenBalance, krakenOpen, krakenTicker, krakenTrades},
		"coinbase": {coinbaseAccounts, coinbaseList, coinbaseBook, coinbaseProducts, coinbaseFills},
		"alpaca":   {alpacaAccount, alpacaPositions, alpacaPositions, alpacaOpenOrders, alpacaQuotes, alpacaTrades},
		"paper":    {paperBook, paperPrice, paperBook, paperPrice, paperBook, paperPrice, paperBook, paperPrice},
	}},
}

// TestRequestsPerCommand counts what each command sends to each venue
// once the instrument rules are cached, as they are after any earlier
// command: see commandSteps for the table and the reasons. Requests sent
// together arrive in any order, so the order within a command is not
// compared; BenchmarkRequestsPerCommand times the round trips.
func TestRequestsPerCommand(t *testing.T) {
	for _, venue := range venueNames {
		t.Run(venue, func(t *testing.T) {
			t.Parallel()
			h := newVenueHome(t, venue, 0)
			h.warm(t)
			id := ""
			for _, st := range commandSteps {
				want, ok := st.want[venue]
				if !ok {
					continue
				}
				r := h.run(t, h.expand(st.args, id))
				if r.exit != st.exit {
					t.Fatalf("%s: exit %d, want %d\n%s", st.name, r.exit, st.exit, r.stderr)
				}
				if st.name == "limit order" {
					id = orderID(t, r)
				}
				if diff := cmp.Diff(want, genericPaths(r.requests), cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s: requests (-want +got):\n%s", st.name, diff)
				}
			}
		})
	}
}

// warm runs what an earlier day's commands would have: the instrument
// rules are downloaded and cached, the journal exists, and the dashboard
// has learned which quotes value the account.
func (h *venueHome) warm(tb testing.TB) {
	tb.Helper()
	h.mustRun(tb, h.expand("order create --yes {sym} --side buy --qty {qty} --price {price}", ""))
	h.mustRun(tb, "dashboard")
}

// expand fills in a step's placeholders.
func (h *venueHome) expand(args, id string) string {
	return strings.NewReplacer("{sym}", h.symbol, "{qty}", h.qty, "{price}", h.price, "{id}", id).Replace(args)
}

// genericPaths replaces the order id in a path with {id}, so one table
// serves every run.
func genericPaths(requests []string) []string {
	out := make([]string, len(requests))
	for i, r := range requests {
		method, path, _ := strings.Cut(r, " ")
		for _, prefix := range []string{"/v2/orders/", "/api/v3/brokerage/orders/historical/"} {
			if rest, ok := strings.CutPrefix(path, prefix); ok && rest != "batch" && rest != "fills" && !strings.Contains(rest, "/") {
				path = prefix + "{id}"
			}
		}
		out[i] = method + " " + path
	}
	return out
}

// TestBinanceClientIDFromElsewhere: Binance finds an order by client id
// only within its symbol. For an order this machine's journal does not
// know, get searches the open orders, which answer with the order itself
// (one request); cancel refuses before any request until --symbol names
// it.
func TestBinanceClientIDFromElsewhere(t *testing.T) {
	h := newVenueHome(t, "binance", 0)
	h.warm(t)
	h.elsewhere(t).mustRun(t, h.expand("order create --yes {sym} --side buy --qty {qty} --price {price} --client-id from-elsewhere-1", ""))
	steps := []struct {
		args   string
		exit   int
		want   []string
		stdout string
		stderr string
	}{
		{args: "order get --client-id from-elsewhere-1", want: []string{binanceOpenOrders}, stdout: `"client_id": "from-elsewhere-1"`},
		{args: "order cancel --client-id from-elsewhere-1", exit: 2, stderr: "pass --symbol"},
		{args: "order cancel --client-id from-elsewhere-1 --symbol BTC-USDT", want: []string{binanceCancel}, stdout: `"status": "canceled"`},
	}
	for _, st := range steps {
		r := h.run(t, st.args)
		if r.exit != st.exit {
			t.Fatalf("%s: exit %d, want %d\n%s", st.args, r.exit, st.exit, r.stderr)
		}
		if diff := cmp.Diff(st.want, r.requests, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: requests (-want +got):\n%s", st.args, diff)
		}
		if !strings.Contains(r.stdout, st.stdout) || !strings.Contains(r.stderr, st.stderr) {
			t.Errorf("%s: stdout %q, stderr %q; want %q and %q in them", st.args, r.stdout, r.stderr, st.stdout, st.stderr)
		}
	}
}

// TestRoundTripsPerCommand checks that requests which do not depend on
// each other are sent together: behind a latency, it counts the round
// trips (result.rounds) of the commands that send more than one request
// at once. Kraken's signed calls go together only when the key has a
// nonce window and the profile says so (nonce_window): without one
// (kraken-serial) each nonce is answered before the next is sent, and
// the dashboard's balances, open orders and fills take three (the public
// ticker goes with the first).
func TestRoundTripsPerCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a latency per round trip")
	}
	// Long enough that requests sent together are grouped even when a
	// loaded machine starts their goroutines far apart.
	const latency = 250 * time.Millisecond
	want := map[string]map[string]int{
		"balance":   {"binance": 1, "kraken": 1, krakenSerial: 1, "coinbase": 1, "alpaca": 1, "paper": 1},
		"dashboard": {"binance": 1, "kraken": 1, krakenSerial: 3, "coinbase": 1, "alpaca": 1, "paper": 1},
	}
	for _, venue := range append(slices.Clone(venueNames), krakenSerial) {
		t.Run(venue, func(t *testing.T) {
			t.Parallel()
			h := newVenueHome(t, venue, latency)
			h.warm(t)
			for _, args := range []string{"balance", "dashboard"} {
				r := h.mustRun(t, args)
				if got := r.rounds; got != want[args][venue] {
					t.Errorf("%s: %d round trips for %v, want %d", args, got, r.requests, want[args][venue])
				}
			}
		})
	}
}
