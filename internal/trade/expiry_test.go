package trade

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestExpiryAfter(t *testing.T) {
	at := func(s string) time.Time {
		return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).Add(mustDuration(t, s))
	}
	tests := []struct {
		now  time.Time
		d    time.Duration
		want time.Time
	}{
		{at("0s"), 10 * time.Minute, at("10m")},
		{at("1ms"), 10 * time.Minute, at("10m1s")},
		{at("999ms"), time.Second, at("2s")},
		{at("0s").In(time.FixedZone("CET", 3600)), time.Hour, at("1h")},
	}
	for _, tt := range tests {
		got := ExpiryAfter(tt.now, tt.d)
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ExpiryAfter(%s, %s) = %s, want %s in UTC", FormatTime(tt.now), tt.d, got, FormatTime(tt.want))
		}
	}
}

func mustDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestValidateExpiry(t *testing.T) {
	expires := time.Date(2026, 11, 27, 12, 10, 0, 0, time.UTC)
	limit := OrderRequest{Symbol: MustSymbol("BTC-USD"), Side: Buy, Type: Limit, Qty: Dec("1"), Price: OptDec("1000")}
	with := func(f func(*OrderRequest)) OrderRequest { r := limit; f(&r); return r }
	tests := []struct {
		name    string
		req     OrderRequest
		wantErr string // "" for valid
	}{
		{"limit", limit.WithExpiry(expires), ""},
		{"limit gtc", with(func(r *OrderRequest) { r.TimeInForce = GTC }).WithExpiry(expires), ""},
		{"stop", OrderRequest{Symbol: limit.Symbol, Side: Sell, Type: Stop, Qty: Dec("1"), StopPrice: OptDec("900")}.WithExpiry(expires), ""},
		{"market", OrderRequest{Symbol: limit.Symbol, Side: Buy, Type: Market, Qty: Dec("1")}.WithExpiry(expires), "expires_at: is not allowed on market orders"},
		{"ioc", with(func(r *OrderRequest) { r.TimeInForce = IOC }).WithExpiry(expires), "expires_at: cannot be combined with time in force ioc"},
		{"fok", with(func(r *OrderRequest) { r.TimeInForce = FOK }).WithExpiry(expires), "cannot be combined with time in force fok"},
		{"day", with(func(r *OrderRequest) { r.TimeInForce = Day }).WithExpiry(expires), "cannot be combined with time in force day"},
		{"fraction of a second", limit.WithExpiry(expires.Add(time.Millisecond)), "expires_at: must be a whole second"},
		{"before 1970", limit.WithExpiry(time.Unix(0, 0)), "expires_at: must be a time after 1970"},
	}
	for _, tt := range tests {
		err := tt.req.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if tt.wantErr == "" && got != "" || tt.wantErr != "" && !strings.Contains(got, tt.wantErr) {
			t.Errorf("%s: Validate() = %q, want %q", tt.name, got, tt.wantErr)
		}
	}
	// The request carries its expiry in JSON as every time is written.
	b, err := json.Marshal(limit.WithExpiry(expires))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"expires_at":"2026-11-27T12:10:00.000Z"`) {
		t.Errorf("request JSON %s lacks expires_at in TimeLayout", b)
	}
	if b, _ := json.Marshal(limit); strings.Contains(string(b), "expires_at") {
		t.Errorf("request JSON without an expiry has expires_at: %s", b)
	}
}
