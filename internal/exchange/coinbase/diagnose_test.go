package coinbase

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
)

func TestDiagnose(t *testing.T) {
	type graded struct {
		Name   string
		Status exchange.CheckStatus
	}
	perms := func(view, trade, transfer bool) string {
		b, err := json.Marshal(fakecoinbase.KeyPermissions(view, trade, transfer))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name     string
		venueAt  time.Duration // the venue's clock ahead of ours
		noCreds  bool
		wrongKey bool
		answer   string // injected answer to key_permissions; "" is the fake's own
		want     []graded
		detail   map[string]string // check name → text its detail contains
	}{
		{name: "trading key without transfer", want: []graded{{CheckClock, exchange.CheckOK}, {CheckKey, exchange.CheckOK}},
			detail: map[string]string{CheckClock: "round trip", CheckKey: "can view and trade, cannot transfer (portfolio type DEFAULT)"}},
		{name: "key that can transfer", answer: perms(true, true, true),
			want:   []graded{{CheckClock, exchange.CheckOK}, {CheckKey, exchange.CheckWarn}},
			detail: map[string]string{CheckKey: "a trading key that can transfer funds (can_transfer true): create one without the transfer permission"}},
		{name: "view-only key", answer: perms(true, false, false),
			want:   []graded{{CheckClock, exchange.CheckOK}, {CheckKey, exchange.CheckFail}},
			detail: map[string]string{CheckKey: "the key cannot trade (can_trade false)"}},
		{name: "key that cannot view", answer: perms(false, true, false),
			want:   []graded{{CheckClock, exchange.CheckOK}, {CheckKey, exchange.CheckFail}},
			detail: map[string]string{CheckKey: "the key cannot view (can_view false)"}},
		{name: "a key the venue does not know", wrongKey: true,
			want:   []graded{{CheckClock, exchange.CheckOK}, {CheckKey, exchange.CheckFail}},
			detail: map[string]string{CheckKey: "GET /api/v3/brokerage/key_permissions: coinbase: authentication failed"}},
		{name: "venue 45s ahead", venueAt: 45 * time.Second,
			want:   []graded{{CheckClock, exchange.CheckWarn}, {CheckKey, exchange.CheckOK}},
			detail: map[string]string{CheckClock: "behind the venue's"}},
		{name: "venue 3 minutes behind", venueAt: -3 * time.Minute,
			want:   []graded{{CheckClock, exchange.CheckFail}, {CheckKey, exchange.CheckFail}},
			detail: map[string]string{CheckClock: "ahead of the venue's (round trip"}},
		{name: "no credentials: the clock only", noCreds: true, want: []graded{{CheckClock, exchange.CheckOK}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			venueAt := tt.venueAt
			f := adapter.Fixture(t, fakecoinbase.WithClock(func() time.Time { return time.Now().Add(venueAt) }))
			if tt.answer != "" {
				f.Srv.Inject(fakecoinbase.Failure{Method: http.MethodGet, Path: fakecoinbase.Prefix + "/key_permissions", Status: http.StatusOK, Body: tt.answer})
			}
			p := f.Params(nil)
			switch {
			case tt.noCreds:
				p.Secret = func(context.Context, string) (string, error) { return "", nil }
			case tt.wrongKey:
				p.Secret = newKey(t).creds().Secrets()
			}
			e, err := New(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			fastBuckets(e)
			var got []graded
			for _, c := range e.Diagnose(ctxT(t)) {
				got = append(got, graded{c.Name, c.Status})
				if want, ok := tt.detail[c.Name]; ok && !strings.Contains(c.Detail, want) {
					t.Errorf("%s: detail %q, want it to contain %q", c.Name, c.Detail, want)
				}
				if strings.Contains(c.Detail, "PRIVATE KEY") || strings.Contains(c.Detail, "Bearer") {
					t.Errorf("%s: the detail quotes a credential: %q", c.Name, c.Detail)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}
			if tt.noCreds && f.Srv.Count(http.MethodGet, fakecoinbase.Prefix+"/key_permissions") != 0 {
				t.Error("without credentials Diagnose still asked for the key's permissions")
			}
		})
	}
}
