package trade

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestJSONTimes(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	at := time.Date(2026, 11, 27, 13, 0, 5, 123456789, paris)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"order keeps its field order", Order{ID: "1", Qty: decimal.RequireFromString("0.5"), CreatedAt: at, UpdatedAt: at.Add(time.Second)},
			`{"id":"1","client_id":"","symbol":"","side":"","type":"","time_in_force":"","post_only":false,"status":"","qty":"0.5","filled_qty":"0","price":null,"stop_price":null,"avg_fill_price":null,"fee":"0","fee_asset":"","created_at":"2026-11-27T12:00:05.123Z","updated_at":"2026-11-27T12:00:06.123Z","exchange":"","profile":""}`},
		{"fill", Fill{ID: "f", Time: at},
			`{"id":"f","order_id":"","symbol":"","side":"","qty":"0","price":"0","fee":"0","fee_asset":"","liquidity":"","time":"2026-11-27T12:00:05.123Z"}`},
		{"quote on a whole second", Quote{Symbol: Symbol{Base: "BTC", Quote: "USD"}, Time: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)},
			`{"symbol":"BTC-USD","bid":"0","ask":"0","last":"0","time":"2026-11-27T12:00:00.000Z"}`},
		{"book", Book{Time: at}, `{"symbol":"","time":"2026-11-27T12:00:05.123Z","bids":null,"asks":null}`},
		{"pointer", &Quote{Time: at}, `{"symbol":"","bid":"0","ask":"0","last":"0","time":"2026-11-27T12:00:05.123Z"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(b)); diff != "" {
				t.Errorf("JSON (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSONTimeRoundTrip(t *testing.T) {
	in := Order{ID: "7", CreatedAt: time.Date(2026, 11, 27, 12, 0, 0, 5e6, time.UTC)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Order
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out.CreatedAt.Equal(in.CreatedAt) {
		t.Errorf("created_at = %v after a round trip, want %v", out.CreatedAt, in.CreatedAt)
	}
}

func TestAppendJSONField(t *testing.T) {
	tests := []struct{ obj, want string }{
		{`{"a":1}`, `{"a":1,"existing":true}`},
		{`{}`, `{"existing":true}`},
		{"{ }\n", "{ \"existing\":true}\n"},
	}
	for _, tc := range tests {
		got, err := AppendJSONField([]byte(tc.obj), "existing", true)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, string(got)); diff != "" {
			t.Errorf("AppendJSONField(%s) (-want +got):\n%s", tc.obj, diff)
		}
	}
	if _, err := AppendJSONField([]byte(`[1]`), "k", 1); err == nil {
		t.Error("appending to an array should fail")
	}
}

// TestWireTypesMatch: a field added to a domain type must be added to its
// wire form too, or its JSON would silently lose it.
func TestWireTypesMatch(t *testing.T) {
	tags := func(t reflect.Type) []string {
		var out []string
		for i := range t.NumField() {
			out = append(out, t.Field(i).Name+" "+t.Field(i).Tag.Get("json"))
		}
		return out
	}
	for _, pair := range [][2]any{{Order{}, orderWire{}}, {Fill{}, fillWire{}}, {Quote{}, quoteWire{}}, {Book{}, bookWire{}}, {Candle{}, candleWire{}}} {
		domain, wire := reflect.TypeOf(pair[0]), reflect.TypeOf(pair[1])
		if diff := cmp.Diff(tags(domain), tags(wire)); diff != "" {
			t.Errorf("%s and %s differ (-domain +wire):\n%s", domain.Name(), wire.Name(), diff)
		}
	}
}
