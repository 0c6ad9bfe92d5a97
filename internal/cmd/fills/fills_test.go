package fills

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestFlags(t *testing.T) {
	btc := trade.Symbol{Base: "BTC", Quote: "USD"}
	tests := []struct {
		name    string
		args    []string
		want    exchange.FillFilter
		wantErr string
	}{
		{"none", nil, exchange.FillFilter{}, ""},
		{"dates and symbol", []string{"--since", "2026-01-01", "--until", "2026-02-01T10:00:00Z", "--symbol", "btc/usd"},
			exchange.FillFilter{Symbol: btc, Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)}, ""},
		{"durations are ago", []string{"--since", "30d", "--until", "24h"},
			exchange.FillFilter{Since: now.Add(-30 * 24 * time.Hour), Until: now.Add(-24 * time.Hour)}, ""},
		{"bad since", []string{"--since", "last week"}, exchange.FillFilter{}, `invalid --since "last week"`},
		{"bad until", []string{"--until", "soon"}, exchange.FillFilter{}, `invalid --until "soon"`},
		{"until before since", []string{"--since", "2026-02-01", "--until", "2026-01-01"}, exchange.FillFilter{}, "is not after --since"},
		{"until equal to since", []string{"--since", "2026-02-01", "--until", "2026-02-01"}, exchange.FillFilter{}, "is not after --since"},
		{"bad symbol", []string{"--symbol", "BTC USD"}, exchange.FillFilter{}, "--symbol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *FillsOptions
			f := &cmdutil.Factory{Globals: &cmdutil.GlobalOptions{}, Now: func() time.Time { return now }}
			cmd := NewCmdFills(f, func(o *FillsOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *cmdutil.UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a usage error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Filter); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
		})
	}
}

// venue is enough of an exchange for the command: a name and the
// instrument rules the table's precision and the CSV's assets come from.
type venue struct {
	exchange.Exchange
	name string
}

func (v venue) Name() string { return v.name }
func (v venue) Close() error { return nil }
func (v venue) Instruments(context.Context) ([]trade.Instrument, error) {
	return []trade.Instrument{{Symbol: trade.Symbol{Base: "BTC", Quote: "USDT"}, BaseAsset: "BTC", QuoteAsset: "USDT",
		TickSize: trade.Dec("0.01"), StepSize: trade.Dec("0.00001")}}, nil
}

func fill(id string, at time.Time, side trade.Side, qty, price, fee, feeAsset string) trade.Fill {
	return trade.Fill{ID: id, OrderID: "o" + id, Symbol: trade.Symbol{Base: "BTC", Quote: "USDT"}, Side: side,
		Qty: trade.Dec(qty), Price: trade.Dec(price), Fee: trade.Dec(fee), FeeAsset: feeAsset, Liquidity: trade.Maker, Time: at}
}

// run runs `fills` over two accounts held in memory ("a" and "b"; any
// other profile fails) and returns stdout, stderr and the error.
func run(t *testing.T, format string, profiles ...string) (string, string, error) {
	t.Helper()
	history := map[string][]trade.Fill{
		"a": {fill("11", now.Add(-2*time.Hour), trade.Buy, "0.00150", "97000.10", "0.0000015", "BTC"),
			fill("12", now.Add(-time.Hour), trade.Sell, "0.001", "98000", "0.098", "USDT")},
		"b": {fill("7", now.Add(-90*time.Minute), trade.Buy, "2", "96500.5", "0.1930010", "USDT")},
	}
	ios, _, out, errOut := iostreams.Test()
	o := &FillsOptions{
		IO: ios,
		OpenExchange: func(_ context.Context, name string) (exchange.Exchange, config.Profile, error) {
			if name == "" {
				name = "a"
			}
			if _, ok := history[name]; !ok {
				return nil, config.Profile{}, &exchange.Error{Kind: exchange.ErrUnavailable, Message: "connection refused"}
			}
			return venue{name: "binance"}, config.Profile{Name: name, Exchange: "binance"}, nil
		},
		FillHistory: func(_ context.Context, _ exchange.Exchange, profile string, _ exchange.FillFilter) ([]trade.Fill, error) {
			return history[profile], nil
		},
		Printer: func() (*render.Printer, error) {
			return render.NewPrinter(ios, format, "", func() time.Time { return now })
		},
		Profiles: profiles,
	}
	err := fillsRun(context.Background(), o)
	return out.String(), errOut.String(), err
}

func TestOutput(t *testing.T) {
	tests := []struct {
		name, format string
		profiles     []string
		want         string
	}{
		{"csv: the export columns, exact values", "csv", nil, "" +
			"time_utc,venue,profile,symbol,base_asset,quote_asset,side,qty,price,quote_amount,fee,fee_asset,liquidity,order_id,client_id,fill_id\n" +
			"2026-11-27T10:00:00.000Z,binance,a,BTC-USDT,BTC,USDT,buy,0.0015,97000.1,145.50015,0.0000015,BTC,maker,o11,,11\n" +
			"2026-11-27T11:00:00.000Z,binance,a,BTC-USDT,BTC,USDT,sell,0.001,98000,98,0.098,USDT,maker,o12,,12\n"},
		{"csv: two accounts in one history", "csv", []string{"a", "b"}, "" +
			"time_utc,venue,profile,symbol,base_asset,quote_asset,side,qty,price,quote_amount,fee,fee_asset,liquidity,order_id,client_id,fill_id\n" +
			"2026-11-27T10:00:00.000Z,binance,a,BTC-USDT,BTC,USDT,buy,0.0015,97000.1,145.50015,0.0000015,BTC,maker,o11,,11\n" +
			"2026-11-27T10:30:00.000Z,binance,b,BTC-USDT,BTC,USDT,buy,2,96500.5,193001,0.193001,USDT,maker,o7,,7\n" +
			"2026-11-27T11:00:00.000Z,binance,a,BTC-USDT,BTC,USDT,sell,0.001,98000,98,0.098,USDT,maker,o12,,12\n"},
		{"table at the instrument's precision", "table", nil, "" +
			"TIME                      SYMBOL    SIDE      QTY     PRICE           VALUE             FEE  LIQUIDITY  ORDER\n" +
			"2026-11-27T10:00:00.000Z  BTC-USDT  buy   0.00150  97000.10  145.50015 USDT   0.0000015 BTC  maker      o11\n" +
			"2026-11-27T11:00:00.000Z  BTC-USDT  sell  0.00100  98000.00   98.00    USDT  0.098     USDT  maker      o12\n"},
		{"json carries quote_qty, profile and venue", "ndjson", []string{"b"},
			`{"id":"7","order_id":"o7","symbol":"BTC-USDT","side":"buy","qty":"2","price":"96500.5","quote_qty":"193001",` +
				`"fee":"0.193001","fee_asset":"USDT","liquidity":"maker","time":"2026-11-27T10:30:00.000Z","profile":"b","venue":"binance"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := run(t, tt.format, tt.profiles...)
			if err != nil || errOut != "" {
				t.Fatalf("error %v, stderr %q", err, errOut)
			}
			if diff := cmp.Diff(tt.want, out); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPartialFailure: an account that fails is named on stderr, the
// others print, and the run ends as a partial failure (exit 8); when the
// only account fails, its own error is the result.
func TestPartialFailure(t *testing.T) {
	out, errOut, err := run(t, "csv", "a", "down")
	var pe *cmdutil.PartialError
	if !errors.As(err, &pe) || pe.Failed != 1 || pe.Total != 2 {
		t.Errorf("error = %v, want 1 of 2 failed", err)
	}
	if !strings.Contains(errOut, "down: ") || strings.Count(out, "\n") != 3 {
		t.Errorf("stdout %q stderr %q: want a's two fills and down's error", out, errOut)
	}
	_, _, err = run(t, "csv", "down")
	if !errors.Is(err, exchange.ErrUnavailable) {
		t.Errorf("the only account failing: error = %v, want its own", err)
	}
}
