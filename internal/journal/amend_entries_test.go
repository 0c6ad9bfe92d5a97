package journal

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestEntriesShowAmendments(t *testing.T) {
	ctx := context.Background()
	j := newJournal(t)
	if _, err := j.Begin(ctx, NewIntent{Profile: "live", Exchange: "alpaca", ClientID: "a", Request: marketBuy("1")}); err != nil { // t0+1s
		t.Fatal(err)
	}
	before := trade.Order{ID: "41", Symbol: trade.MustSymbol("AAPL-USD"), Side: trade.Buy, Type: trade.Limit,
		Status: trade.StatusOpen, Qty: decimal.NewFromInt(5), Price: decimal.NewNullDecimal(decimal.NewFromInt(150))}
	replaced, err := j.BeginAmend(ctx, NewAmend{Profile: "live", Exchange: "alpaca", Before: before, NewClientID: "tc-amend-1", // +2s
		Request: trade.AmendRequest{Price: decimal.NewNullDecimal(decimal.NewFromInt(149)), Qty: decimal.NewNullDecimal(decimal.NewFromInt(4))}})
	if err != nil {
		t.Fatal(err)
	}
	after := before
	after.ID, after.Price, after.Qty = "42", decimal.NewNullDecimal(decimal.NewFromInt(149)), decimal.NewFromInt(4)
	if err := j.RecordAmended(ctx, replaced, after); err != nil { // +3s
		t.Fatal(err)
	}
	refused, err := j.BeginAmend(ctx, NewAmend{Profile: "paper", Exchange: "paper", Before: before, // +4s
		Request: trade.AmendRequest{StopPrice: decimal.NewNullDecimal(decimal.NewFromInt(140))}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RecordAmendFailed(ctx, refused, "invalid_order", "not a stop order"); err != nil {
		t.Fatal(err)
	}

	type row struct{ Profile, Kind, Result, OrderID, NewOrderID, ErrorCode, Message string }
	rows := func(es []Entry) []row {
		var out []row
		for _, e := range es {
			out = append(out, row{e.Profile, string(e.Kind), e.Result, e.OrderID, e.NewOrderID, e.ErrorCode, e.Message})
		}
		return out
	}
	amended := row{"live", "amend", "amended", "41", "42", "", "qty 5 → 4, price 150 → 149; now order 42"}
	failed := row{"paper", "amend", "failed", "41", "", "invalid_order", "not a stop order"}
	intent := row{Profile: "live", Kind: "intent", Message: "buy 1 BTC-USD market"}
	tests := []struct {
		name string
		q    Query
		want []row
	}{
		{"all, oldest first", Query{}, []row{intent, amended, failed}},
		{"profile", Query{Profile: "paper"}, []row{failed}},
		{"since", Query{Since: t0.Add(2 * time.Second)}, []row{amended, failed}},
		{"by intent status: no amendments", Query{Status: Pending}, []row{intent}},
		{"limit keeps the newest of both", Query{Limit: 2}, []row{amended, failed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := j.Entries(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rows(got)); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
	all, err := j.Entries(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if a := all[1].Amend; a == nil || !a.Price.Decimal.Equal(decimal.NewFromInt(149)) || all[1].ClientID != "tc-amend-1" {
		t.Errorf("amend entry = %+v, want the request and the new client id", all[1])
	}

}
