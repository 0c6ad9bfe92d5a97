package dashboard

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/livescreen"
	"github.com/tradectl/tradectl/internal/trade"
)

var decEq = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// binanceFake starts a fake Binance and returns an opener for it.
func binanceFake(t *testing.T, opts ...fakebinance.Option) (*fakebinance.Server, func(ctx context.Context, profile string) (exchange.Exchange, error)) {
	t.Helper()
	key, secret := "test-key-dashboard", "test-secret-dashboard"
	srv := fakebinance.New(key, secret, opts...)
	t.Cleanup(srv.Close)
	cache := t.TempDir()
	return srv, func(ctx context.Context, profile string) (exchange.Exchange, error) {
		return binance.New(ctx, exchange.Params{
			Profile: profile, Exchange: "binance", CacheDir: cache, HTTPClient: srv.Client(),
			Options: map[string]any{binance.KeyBaseURL: srv.URL(), binance.KeyWSURL: srv.WSURL()},
			Secret: func(_ context.Context, name string) (string, error) {
				if name == "api_key" {
					return key, nil
				}
				return secret, nil
			},
		})
	}
}

// withUSDTUSD is the fake's default symbols plus a USDT-USD pair, as a
// venue that converts its stablecoin would list.
func withUSDTUSD() fakebinance.Option {
	return fakebinance.WithSymbols(append(fakebinance.DefaultSymbols(), fakebinance.SymbolSpec{
		Symbol: "USDTUSD", Base: "USDT", Quote: "USD", MinPrice: "0.0001", MaxPrice: "10", TickSize: "0.0001",
		MinQty: "1", MaxQty: "1000000", StepSize: "1", MinNotional: "1", Bid: "0.9990", Ask: "0.9992", Last: "0.9990",
	})...)
}

// TestCollectValuesEachAccountWithItsOwnVenue: a paper account and two
// Binance accounts in one snapshot. Binance's BTC is priced at Binance's
// BTCUSDT, never at paper's BTC-USD; the account of a venue without a USD
// pair stays in USDT and is summed apart; the one whose venue lists
// USDT-USD is converted at that quote, and says so.
func TestCollectValuesEachAccountWithItsOwnVenue(t *testing.T) {
	ctx := context.Background()
	openPaperAt := openPaper(t, t.TempDir())
	_, openUSDT := binanceFake(t)
	_, openUSD := binanceFake(t, withUSDTUSD())

	bn, err := openUSDT(ctx, "bn")
	if err != nil {
		t.Fatal(err)
	}
	buy := trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USDT"), Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01")}
	if _, err := bn.PlaceOrder(ctx, buy); err != nil {
		t.Fatal(err)
	}
	pp, err := openPaperAt(ctx, "paper")
	if err != nil {
		t.Fatal(err)
	}
	paperBuy := trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USD"), Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.1")}
	if _, err := pp.PlaceOrder(ctx, paperBuy); err != nil {
		t.Fatal(err)
	}
	pp.Close()

	col := &Collector{
		Profiles: []Profile{{"paper", "paper"}, {"bn", "binance"}, {"bnusd", "binance"}},
		Currency: "USD", TargetTimeout: 10 * time.Second, Now: func() time.Time { return pinned },
		Open: func(ctx context.Context, name string) (exchange.Exchange, error) {
			switch name {
			case "bn":
				return openUSDT(ctx, name)
			case "bnusd":
				return openUSD(ctx, name)
			}
			return openPaperAt(ctx, name)
		},
	}
	snap := col.Collect(ctx)
	if snap.Failed != 0 {
		t.Fatalf("failed accounts: %+v", snap.Accounts)
	}
	byName := map[string]Account{}
	for _, a := range snap.Accounts {
		byName[a.Profile] = a
	}

	// Each account's currency and conversion.
	type how struct {
		Currency   string
		Conversion *Conversion
	}
	got := map[string]how{}
	for name, a := range byName {
		got[name] = how{a.Currency, a.Conversion}
	}
	want := map[string]how{
		"paper": {"USD", nil},
		"bn":    {"USDT", nil},
		"bnusd": {"USD", &Conversion{From: "USDT", To: "USD", Symbol: trade.MustSymbol("USDT-USD"), Rate: trade.Dec("0.999")}},
	}
	if diff := cmp.Diff(want, got, decEq); diff != "" {
		t.Errorf("currencies (-want +got):\n%s", diff)
	}

	// Binance's BTC at Binance's own mark: the last trade, 60000.01 after
	// the buy at the ask; on the other fake, untouched, 60000.00 converted
	// to USD at its USDT-USD 0.999. Paper's BTC-USD is nowhere.
	btcPrice := func(a Account) decimal.NullDecimal {
		for _, b := range a.Balances {
			if b.Asset == "BTC" {
				return b.Price
			}
		}
		return decimal.NullDecimal{}
	}
	prices := map[string]decimal.NullDecimal{"bn": btcPrice(byName["bn"]), "bnusd": btcPrice(byName["bnusd"])}
	wantPrices := map[string]decimal.NullDecimal{"bn": trade.OptDec("60000.01"), "bnusd": trade.OptDec("59940")}
	if diff := cmp.Diff(wantPrices, prices, decEq); diff != "" {
		t.Errorf("BTC prices on Binance (-want +got):\n%s", diff)
	}

	// Every row's equity is the exact sum of its balance values (nothing
	// is unvalued here), and every total the exact sum of its rows.
	for name, a := range byName {
		sum := decimal.Zero
		for _, b := range a.Balances {
			if !b.Value.Valid {
				t.Errorf("%s: %s has no value", name, b.Asset)
				continue
			}
			sum = sum.Add(b.Value.Decimal)
		}
		if !sum.Equal(a.Totals.Equity) {
			t.Errorf("%s: balances sum to %s, equity is %s", name, sum, a.Totals.Equity)
		}
	}
	wantUSD := byName["paper"].Totals.Equity.Add(byName["bnusd"].Totals.Equity)
	if !snap.Totals.Equity.Equal(wantUSD) {
		t.Errorf("USD total %s, rows in USD sum to %s", snap.Totals.Equity, wantUSD)
	}
	wantOther := []CurrencyTotals{{Currency: "USDT", Accounts: []string{"bn"}, Totals: byName["bn"].Totals}}
	if diff := cmp.Diff(wantOther, snap.OtherTotals, decEq); diff != "" {
		t.Errorf("other totals (-want +got):\n%s", diff)
	}

	// Binance's positions come from its fills, per symbol.
	var pos []string
	for _, p := range byName["bn"].Positions {
		pos = append(pos, p.Symbol.String()+" "+p.Qty.String())
	}
	if diff := cmp.Diff([]string{"BTC-USDT 0.01"}, pos); diff != "" {
		t.Errorf("bn positions (-want +got):\n%s", diff)
	}
}

// TestCollectListsUnvaluedAssets: an asset its venue cannot price is in
// the row's and the total's unvalued list, with a null value — not 0,
// and not another venue's price.
func TestCollectListsUnvaluedAssets(t *testing.T) {
	ctx := context.Background()
	srv, open := binanceFake(t)
	srv.SetBalance("XYZ", trade.Dec("5")) // listed by no instrument
	col := &Collector{Profiles: []Profile{{"bn", "binance"}}, Currency: "USDT", TargetTimeout: 10 * time.Second,
		Now: func() time.Time { return pinned }, Open: open}
	snap := col.Collect(ctx)
	if snap.Failed != 0 {
		t.Fatalf("failed: %+v", snap.Accounts[0].Error)
	}
	a := snap.Accounts[0]
	for _, b := range a.Balances {
		if b.Asset == "XYZ" && (b.Value.Valid || b.Price.Valid) {
			t.Errorf("XYZ valued at %v", b.Value)
		}
	}
	if diff := cmp.Diff([]string{"XYZ"}, a.Totals.Unvalued); diff != "" {
		t.Errorf("row unvalued (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"XYZ"}, snap.Totals.Unvalued); diff != "" {
		t.Errorf("total unvalued (-want +got):\n%s", diff)
	}
	if !snap.Totals.Equity.Equal(a.Totals.Equity) {
		t.Errorf("total %s != the only row %s", snap.Totals.Equity, a.Totals.Equity)
	}
}

func TestSumAccounts(t *testing.T) {
	tot := func(eq string, unvalued ...string) Totals {
		return Totals{Equity: trade.Dec(eq), Cash: trade.Dec(eq), Unvalued: append([]string{}, unvalued...)}
	}
	accounts := []Account{
		{Profile: "a", OK: true, Currency: "USD", Totals: tot("100.10", "XYZ")},
		{Profile: "b", OK: true, Currency: "USDT", Totals: tot("50")},
		{Profile: "c", OK: true, Currency: "USD", Totals: tot("0.005", "ABC", "XYZ")},
		{Profile: "d", OK: false, Currency: "", Totals: tot("999")},
		{Profile: "e", OK: true, Currency: "EUR", Totals: tot("1")},
		{Profile: "f", OK: true, Currency: "USDT", Totals: tot("0.5")},
	}
	main, other := sumAccounts("USD", accounts)
	if diff := cmp.Diff(tot("100.105", "ABC", "XYZ"), main, decEq); diff != "" {
		t.Errorf("USD total (-want +got):\n%s", diff)
	}
	want := []CurrencyTotals{
		{Currency: "EUR", Accounts: []string{"e"}, Totals: tot("1")},
		{Currency: "USDT", Accounts: []string{"b", "f"}, Totals: tot("50.5")},
	}
	if diff := cmp.Diff(want, other, decEq); diff != "" {
		t.Errorf("other totals (-want +got):\n%s", diff)
	}
}

func TestPlanFor(t *testing.T) {
	in := func(base, quote string) trade.Instrument {
		return trade.Instrument{Symbol: trade.MustSymbol(base + "-" + quote), BaseAsset: base, QuoteAsset: quote}
	}
	bal := func(assets ...string) []trade.Balance {
		var out []trade.Balance
		for _, a := range assets {
			out = append(out, trade.Balance{Asset: a, Total: trade.Dec("1")})
		}
		return out
	}
	sym := trade.MustSymbol
	tests := []struct {
		name string
		want string
		d    accountData
		plan plan
	}{
		{"venue quotes the view's currency", "USD",
			accountData{balances: bal("USD", "BTC"), instruments: []trade.Instrument{in("BTC", "USD"), in("BTC", "USDT")}},
			plan{Base: "USD", Symbols: []trade.Symbol{sym("BTC-USD")}, FillSymbols: []trade.Symbol{sym("BTC-USD")}}},
		{"stablecoin venue without conversion", "USD",
			accountData{balances: bal("USDT", "BTC", "ETH"), instruments: []trade.Instrument{in("BTC", "USDT"), in("ETH", "USDT"), in("ETH", "BTC")}},
			plan{Base: "USDT", Symbols: []trade.Symbol{sym("BTC-USDT"), sym("ETH-USDT")}, FillSymbols: []trade.Symbol{sym("BTC-USDT"), sym("ETH-USDT")}}},
		{"stablecoin venue with its own USDT-USD", "USD",
			accountData{balances: bal("USDT", "BTC"), instruments: []trade.Instrument{in("BTC", "USDT"), in("USDT", "USD")}},
			plan{Base: "USDT", Convert: sym("USDT-USD"), Symbols: []trade.Symbol{sym("BTC-USDT"), sym("USDT-USD")}, FillSymbols: []trade.Symbol{sym("BTC-USDT")}}},
		{"conversion quoted the other way", "EUR",
			accountData{balances: bal("USDT", "BTC"), instruments: []trade.Instrument{in("BTC", "USDT"), in("EUR", "USDT")}},
			plan{Base: "USDT", Convert: sym("EUR-USDT"), Symbols: []trade.Symbol{sym("BTC-USDT"), sym("EUR-USDT")}, FillSymbols: []trade.Symbol{sym("BTC-USDT")}}},
		{"cash only", "USD", accountData{balances: bal("USD")}, plan{Base: "USD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.plan, planFor(tt.want, tt.d)); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLiveKeys: in the live view q quits with exit 0 and Ctrl-C with the
// interrupted error (exit 130), read from the keyboard stream; the screen
// is left (alternate screen off, cursor back) either way.
func TestLiveKeys(t *testing.T) {
	tests := []struct {
		name, keys string
		want       error
	}{
		{"q", "q", nil},
		{"ctrl-c", "\x03", cmdutil.ErrInterrupted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			ios.In = strings.NewReader(tt.keys)
			now := func() time.Time { return pinned }
			col := &Collector{Profiles: []Profile{{"a", "paper"}}, Currency: "USD", TargetTimeout: time.Second,
				Now: now, Open: openPaper(t, t.TempDir())}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := runLive(ctx, ios, now, col, time.Hour)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("runLive after %q = %v, want %v", tt.keys, err, tt.want)
			}
			if out := ios.Out.(*bytes.Buffer).String(); !strings.HasSuffix(out, "\x1b[?25h\x1b[?1049l") {
				t.Errorf("the terminal is not given back at the end; output ends %q", out[max(0, len(out)-40):])
			}
		})
	}
}

func TestLiveExit(t *testing.T) {
	errBoom := errors.New("boom")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want error
	}{
		{"q", context.Background(), livescreen.ErrQuit, nil},
		{"ctrl-c key", context.Background(), livescreen.ErrInterrupted, cmdutil.ErrInterrupted},
		{"SIGINT seen by the process", canceled, context.Canceled, cmdutil.ErrInterrupted},
		{"--timeout ran out", expired, context.DeadlineExceeded, nil},
		{"another error", context.Background(), errBoom, errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := liveExit(tt.ctx, tt.err); !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
				t.Errorf("liveExit = %v, want %v", got, tt.want)
			}
		})
	}
}
