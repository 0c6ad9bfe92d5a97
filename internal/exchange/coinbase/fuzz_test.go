package coinbase

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/trade"
)

// The decoders read whatever the network hands them: they must never
// panic, and what they accept must make sense.

func FuzzDecodeHTTPError(f *testing.F) {
	for _, s := range []string{
		`{"error":"INVALID_ARGUMENT","code":3,"message":"bad","details":[]}`,
		`{"error":"NOT_FOUND","error_details":"x","message":"x"}`,
		`{"error_details":{"a":[1,2]},"message":""}`,
		"Unauthorized\n", "", "\xff\xfe", `{"error":`, `[]`, `null`,
	} {
		f.Add(429, s, "7")
		f.Add(400, s, "")
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, body, retry string) {
		h := http.Header{}
		h.Set("Retry-After", retry)
		h.Set("X-Ratelimit-Reset", retry)
		e := decodeHTTPError(status, h, []byte(body), now)
		if e.RetryAfter < 0 {
			t.Errorf("negative RetryAfter %s", e.RetryAfter)
		}
		if e.Message == "" {
			t.Errorf("no message for %q", body)
		}
		xe := toError(e, status%2 == 0, "cid")
		if xe.Kind == nil {
			t.Error("no kind")
		}
		if xe.Kind == exchange.ErrUnknownOutcome && xe.ClientID != "cid" {
			t.Error("unknown outcome without the client id")
		}
	})
}

func FuzzMapOrder(f *testing.F) {
	for _, s := range []string{
		`{"order_id":"a","product_id":"BTC-USD","side":"BUY","status":"OPEN","filled_size":"0.1","order_configuration":{"limit_limit_gtc":{"base_size":"1","limit_price":"2"}}}`,
		`{"order_id":"a","product_id":"ETH-BTC","side":"SELL","status":"FILLED","average_filled_price":"0.05","order_configuration":{"market_market_ioc":{"quote_size":"1"}}}`,
		`{"order_configuration":{"stop_limit_stop_limit_gtd":{"stop_price":"-1"}}}`,
		`{"created_time":"not a time","status":"CANCEL_QUEUED","side":"BUY","product_id":"A-B","order_configuration":{"trigger_bracket_gtd":{}}}`,
		`{"order_id":"b","product_id":"BTC-USD","side":"SELL","status":"FILLED","filled_size":"0.1","average_filled_price":"54990","trigger_status":"STOP_TRIGGERED","order_configuration":{"trigger_bracket_gtc":{"base_size":"0.1","limit_price":"70000","stop_trigger_price":"55000"}}}`,
		`{"order_id":"c","product_id":"BTC-USD","side":"BUY","status":"OPEN","order_configuration":{"trigger_bracket_gtd":{"base_size":"1","limit_price":"1","stop_trigger_price":"x","end_time":"2030-01-01T00:00:00Z"}}}`,
		`{"order_id":"d","product_id":"BTC-USD","side":"BUY","status":"OPEN","order_configuration":{"limit_limit_gtc":{"base_size":"0.01","limit_price":"50000"}},"attached_order_id":"e","attached_order_configuration":{"trigger_bracket_gtc":{"limit_price":"65000","stop_trigger_price":"45000"}}}`,
		`{"order_id":"d","product_id":"BTC-USD","side":"SELL","status":"CANCELLED","order_configuration":{"market_market_ioc":{"base_size":"0.01"}},"attached_order_id":"","attached_order_configuration":{}}`,
		`{"order_id":"e","product_id":"BTC-USD","side":"SELL","status":"OPEN","originating_order_id":"d","order_configuration":{"trigger_bracket_gtc":{"base_size":"0.01","limit_price":"65000","stop_trigger_price":"45000"}},"attached_order_configuration":null}`,
	} {
		f.Add(s)
	}
	e := &Exchange{Base: venuebase.Base{Profile: "p"}}
	f.Fuzz(func(t *testing.T, s string) {
		var w orderWire
		if json.Unmarshal([]byte(s), &w) != nil {
			return
		}
		o, err := e.mapOrder(w)
		if err != nil {
			return
		}
		if o.Symbol.IsZero() || (o.Side != "buy" && o.Side != "sell") || o.Status == "" || o.Type == "" {
			t.Errorf("accepted an incomplete order: %+v", o)
		}
		if o.Status.Working() != (w.Status != "FILLED" && w.Status != "CANCELLED" && w.Status != "EXPIRED" && w.Status != "FAILED") {
			t.Errorf("status %s read as %s", w.Status, o.Status)
		}
		if o.AvgFillPrice.Valid && !o.FilledQty.IsPositive() {
			t.Errorf("average price without a fill: %+v", o)
		}
		if o.Leg == trade.LegEntry {
			// An entry's exits: the attached bracket's two legs, on the
			// other side, in the entry's list, waiting or done with it.
			if len(o.Legs) != 2 || o.ListID != o.ID || o.Legs[0].Leg != trade.LegTakeProfit || o.Legs[1].Leg != trade.LegStopLoss {
				t.Fatalf("entry %+v: want its take-profit and stop-loss", o)
			}
			for _, l := range o.Legs {
				if l.ListID != o.ID || l.ParentID != o.ID || l.Side == o.Side || l.ID != w.AttachedOrderID ||
					l.Status.Working() != (o.Status.Working() || o.Status == trade.StatusFilled) {
					t.Errorf("exit %+v of entry %+v", l, o)
				}
			}
			return
		}
		// A trigger bracket is one order: its stop-loss leg is that order.
		for _, l := range o.Legs {
			if l.ID != o.ID || l.ListID != o.ListID || o.Leg != trade.LegTakeProfit || l.Leg != trade.LegStopLoss {
				t.Errorf("bracket leg %+v of %+v", l, o)
			}
		}
		if len(o.Legs) > 0 && w.OriginatingOrderID != "" && (o.ListID != w.OriginatingOrderID || o.ParentID != w.OriginatingOrderID) {
			t.Errorf("attached bracket %+v: want its entry %s as list and parent", o, w.OriginatingOrderID)
		}
	})
}

func FuzzParseProducts(f *testing.F) {
	f.Add(`{"products":[{"product_id":"BTC-USD","base_increment":"0.00000001","quote_increment":"0.01","base_min_size":"0.00000001","base_max_size":"3400","quote_min_size":"1","status":"online"}]}`)
	f.Add(`{"products":[{"product_id":"X-Y","price_increment":"1e5"}]}`)
	f.Add(`{"products":null}`)
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := parseProducts([]byte(s))
		if err != nil {
			return
		}
		for _, p := range rs.Products {
			for _, d := range []string{p.TickSize.String(), p.StepSize.String(), p.MinQty.String(), p.MaxQty.String(), p.MinNotional.String()} {
				if strings.HasPrefix(d, "-") {
					t.Errorf("%s: negative rule %s", p.ProductID, d)
				}
			}
			if p.symbol().String() != p.ProductID {
				t.Errorf("product %q reads as %s", p.ProductID, p.symbol())
			}
		}
	})
}

func FuzzCreateResponse(f *testing.F) {
	f.Add(`{"success":true,"success_response":{"order_id":"x"}}`)
	f.Add(`{"success":false,"error_response":{"error":"INSUFFICIENT_FUND","preview_failure_reason":"PREVIEW_INSUFFICIENT_FUND"}}`)
	f.Add(`{"success":false,"failure_reason":"UNKNOWN_FAILURE_REASON","error_response":null}`)
	f.Add(`{"errs":["PREVIEW_INVALID_SIZE_PRECISION",{"preview_failure_reason":"X"},3]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var r createResponse
		if json.Unmarshal([]byte(s), &r) == nil {
			id, err := r.createdID()
			if (id == "") == (err == nil) {
				t.Errorf("createdID = %q, %v", id, err)
			}
		}
		var p previewResponse
		if json.Unmarshal([]byte(s), &p) == nil {
			for _, reason := range reasons(p.Errs) {
				if reason == "" {
					t.Error("empty preview reason")
				}
			}
		}
	})
}

func FuzzParsePrivateKey(f *testing.F) {
	k := newKey(f)
	f.Add(k.pem)
	f.Add(strings.ReplaceAll(k.pem, "\n", `\n`))
	f.Add("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := parsePrivateKey(s)
		if err != nil {
			// The messages name what a key should look like; beyond that
			// they must not repeat what they were given.
			msg := strings.ReplaceAll(err.Error(), "-----BEGIN EC PRIVATE KEY-----", "")
			if len(s) > 24 && strings.Contains(msg, s) {
				t.Errorf("error %q quotes the input", err)
			}
			return
		}
		if key.Curve.Params().Name != "P-256" {
			t.Errorf("accepted a %s key", key.Curve.Params().Name)
		}
	})
}
