package venueorder

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestDecimalReaders(t *testing.T) {
	tests := []struct {
		in          string
		wantDec     string // "" means a zero decimal
		wantOpt     string // "" means null
		wantErr     bool
		wantPosNull bool // PositiveOrNull of the decimal is null
	}{
		{in: "", wantDec: "0", wantOpt: "", wantPosNull: true},
		{in: "0", wantDec: "0", wantOpt: "0", wantPosNull: true},
		{in: "0.00000000", wantDec: "0", wantOpt: "0", wantPosNull: true},
		{in: "1.50", wantDec: "1.5", wantOpt: "1.5"},
		{in: "-2", wantDec: "-2", wantOpt: "-2", wantPosNull: true},
		{in: "1,5", wantErr: true},
	}
	for _, tt := range tests {
		d, err := Decimal("qty", tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("Decimal(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
		}
		opt, optErr := OptionalDecimal("qty", tt.in)
		if (optErr != nil) != tt.wantErr {
			t.Fatalf("OptionalDecimal(%q) error = %v, want error %v", tt.in, optErr, tt.wantErr)
		}
		if tt.wantErr {
			if got := err.Error(); !regexp.MustCompile(`^qty: `).MatchString(got) {
				t.Errorf("Decimal(%q) error = %q, want it to name the field", tt.in, got)
			}
			continue
		}
		if !d.Equal(decimal.RequireFromString(tt.wantDec)) {
			t.Errorf("Decimal(%q) = %s, want %s", tt.in, d, tt.wantDec)
		}
		if got := opt.Valid; got != (tt.wantOpt != "") {
			t.Errorf("OptionalDecimal(%q).Valid = %v, want %v", tt.in, got, tt.wantOpt != "")
		} else if opt.Valid && !opt.Decimal.Equal(decimal.RequireFromString(tt.wantOpt)) {
			t.Errorf("OptionalDecimal(%q) = %s, want %s", tt.in, opt.Decimal, tt.wantOpt)
		}
		if got := PositiveOrNull(d); got.Valid == tt.wantPosNull {
			t.Errorf("PositiveOrNull(%s).Valid = %v, want %v", d, got.Valid, !tt.wantPosNull)
		}
	}
}

func TestTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "", want: time.Time{}},
		{in: "2024-05-01T10:00:00.123456Z", want: time.Date(2024, 5, 1, 10, 0, 0, 123456000, time.UTC)},
		{in: "2024-05-01T12:00:00+02:00", want: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{in: "yesterday", wantErr: true},
	}
	for _, tt := range tests {
		got, err := Time("created_at", tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("Time(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("Time(%q) = %v, want %v in UTC", tt.in, got, tt.want)
		}
	}
}

func TestFromWire(t *testing.T) {
	sides := map[string]trade.Side{"BUY": trade.Buy, "SELL": trade.Sell}
	if got, err := FromWire(sides, "side", "SELL"); err != nil || got != trade.Sell {
		t.Errorf(`FromWire(sides, "SELL") = %q, %v; want sell`, got, err)
	}
	got, err := FromWire(sides, "side", "buy")
	if err == nil || err.Error() != `unknown side "buy"` || got != "" {
		t.Errorf(`FromWire(sides, "buy") = %q, %v; want "" and unknown side "buy"`, got, err)
	}
}

func TestInvalidAndRefusef(t *testing.T) {
	ve := &trade.ValidationError{Field: "qty", Message: "must be positive"}
	tests := []struct {
		name string
		err  error
		want *exchange.Error // nil: the error passes through
	}{
		{"validation error", ve, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: "kraken", Message: ve.Error(), Err: ve}},
		{"other error", errors.New("boom"), nil},
		{"refusal", Refusef("kraken", "%s has no day orders", "kraken spot"),
			&exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: "kraken", Message: "kraken spot has no day orders"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.err
			if tt.name != "refusal" {
				got = Invalid("kraken", tt.err)
			}
			if tt.want == nil {
				if got != tt.err {
					t.Errorf("Invalid(%v) = %v, want it unchanged", tt.err, got)
				}
				return
			}
			var xe *exchange.Error
			if !errors.As(got, &xe) {
				t.Fatalf("got %T %v, want *exchange.Error", got, got)
			}
			if diff := cmp.Diff(*tt.want, *xe, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !errors.Is(got, exchange.ErrInvalidOrder) {
				t.Errorf("errors.Is(%v, ErrInvalidOrder) = false", got)
			}
		})
	}
}

func TestNewestFirst(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	orders := []trade.Order{
		{ID: "a", CreatedAt: t0},
		{ID: "c", CreatedAt: t0.Add(-time.Minute)},
		{ID: "b", CreatedAt: t0},
		{ID: "d", CreatedAt: t0.Add(time.Minute)},
	}
	NewestFirst(orders)
	var ids []string
	for _, o := range orders {
		ids = append(ids, o.ID)
	}
	if diff := cmp.Diff([]string{"d", "b", "a", "c"}, ids); diff != "" {
		t.Errorf("order ids (-want +got):\n%s", diff)
	}
}

func TestNewClientID(t *testing.T) {
	for _, digits := range []int{13, 16, 24} {
		id := NewClientID(digits)
		if !regexp.MustCompile(fmt.Sprintf(`^tctl-[0-9a-f]{%d}$`, digits)).MatchString(id) {
			t.Errorf("NewClientID(%d) = %q, want tctl- and %d hex digits", digits, id, digits)
		}
		if err := trade.ValidateClientID(id); err != nil {
			t.Errorf("NewClientID(%d) = %q, not a valid client id: %v", digits, id, err)
		}
		if other := NewClientID(digits); other == id {
			t.Errorf("NewClientID(%d) returned %q twice", digits, id)
		}
	}
}

func TestCheckRequestAndRules(t *testing.T) {
	btc := trade.Symbol{Base: "BTC", Quote: "USD"}
	in := trade.Instrument{Symbol: btc, BaseAsset: "BTC", QuoteAsset: "USD",
		TickSize: decimal.RequireFromString("0.01"), StepSize: decimal.RequireFromString("0.001"),
		MinQty: decimal.RequireFromString("0.001"), MinNotional: decimal.RequireFromString("10")}
	limit := func(qty, price string) trade.OrderRequest {
		return trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
			Qty: decimal.RequireFromString(qty), Price: decimal.NewNullDecimal(decimal.RequireFromString(price))}
	}
	market := trade.OrderRequest{Symbol: btc, Side: trade.Sell, Type: trade.Market, Qty: decimal.RequireFromString("0.002")}
	tests := []struct {
		name        string
		req         trade.OrderRequest
		wantRequest bool // CheckRequest refuses
		wantRules   bool // CheckRules refuses
	}{
		{"valid limit", limit("0.002", "30000.00"), false, false},
		{"off-tick price", limit("0.002", "30000.005"), false, true},
		{"off-step quantity", limit("0.0025", "30000"), false, true},
		{"below minimum notional", limit("0.001", "100"), false, true},
		{"zero quantity", limit("0", "30000"), true, true},
		{"market order is not valued", market, false, false},
		{"quote-sized market order", trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market,
			QuoteQty: decimal.NewNullDecimal(decimal.RequireFromString("10"))}, false, false},
		{"quote-sized below minimum notional", trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market,
			QuoteQty: decimal.NewNullDecimal(decimal.RequireFromString("9.99"))}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				err  error
				want bool
			}{
				{"CheckRequest", CheckRequest("coinbase", tt.req), tt.wantRequest},
				{"CheckRules", CheckRules("coinbase", tt.req, in), tt.wantRules},
			} {
				if (c.err != nil) != c.want {
					t.Fatalf("%s = %v, want refusal %v", c.name, c.err, c.want)
				}
				var xe *exchange.Error
				if c.err != nil && (!errors.As(c.err, &xe) || xe.Kind != exchange.ErrInvalidOrder || xe.Venue != "coinbase") {
					t.Errorf("%s = %#v, want a coinbase ErrInvalidOrder", c.name, c.err)
				}
			}
		})
	}
}

func TestLookup(t *testing.T) {
	btc := trade.Symbol{Base: "BTC", Quote: "USD"}
	byID := func(_ context.Context, id string) (trade.Order, error) {
		return trade.Order{ID: id}, nil
	}
	byClientID := func(_ context.Context, clientID string, sym trade.Symbol) (trade.Order, error) {
		return trade.Order{ID: "by-client", ClientID: clientID, Symbol: sym}, nil
	}
	tests := []struct {
		name    string
		ref     exchange.OrderRef
		want    trade.Order
		wantErr bool
	}{
		{"id wins over client id", exchange.OrderRef{ID: "42", ClientID: "tctl-1"}, trade.Order{ID: "42"}, false},
		{"client id with its symbol", exchange.OrderRef{ClientID: "tctl-1", Symbol: btc},
			trade.Order{ID: "by-client", ClientID: "tctl-1", Symbol: btc}, false},
		{"neither", exchange.OrderRef{Symbol: btc}, trade.Order{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Lookup(context.Background(), "coinbase", tt.ref, byID, byClientID)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Lookup error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, exchange.ErrInvalidOrder) {
				t.Errorf("Lookup error = %v, want ErrInvalidOrder", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Lookup (-want +got):\n%s", diff)
			}
		})
	}
}
