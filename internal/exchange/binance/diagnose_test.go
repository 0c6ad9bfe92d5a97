package binance

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// accountBody is GET /api/v3/account as Binance answers it, with the
// permission flags under test.
func accountBody(canTrade, canWithdraw bool) string {
	b := func(v bool) string {
		if v {
			return "true"
		}
		return "false"
	}
	return `{"makerCommission":10,"takerCommission":10,"buyerCommission":0,"sellerCommission":0,` +
		`"canTrade":` + b(canTrade) + `,"canWithdraw":` + b(canWithdraw) + `,"canDeposit":true,"brokered":false,` +
		`"requireSelfTradePrevention":false,"preventSor":false,"updateTime":1700000000000,"accountType":"SPOT",` +
		`"balances":[],"permissions":["SPOT"],"uid":354937868}`
}

func TestDiagnose(t *testing.T) {
	type graded struct {
		Name   string
		Status exchange.CheckStatus
	}
	tests := []struct {
		name    string
		offset  time.Duration // the venue's clock ahead of ours
		extra   map[string]any
		noCreds bool
		account string // injected answer to GET /api/v3/account; "" is the fake's own
		secret  string // replaces the right secret when set
		want    []graded
		detail  map[string]string // check name → text its detail contains
	}{
		{name: "trading key that can withdraw", want: []graded{{CheckClock, exchange.CheckOK}, {CheckKey, exchange.CheckWarn}},
			detail: map[string]string{CheckClock: "round trip", CheckKey: "a trading key that can withdraw: create one without withdrawal permission"}},
		{name: "trading key without withdrawal", account: accountBody(true, false),
			want:   []graded{{CheckClock, exchange.CheckOK}, {CheckKey, exchange.CheckOK}},
			detail: map[string]string{CheckKey: "can trade, cannot withdraw"}},
		{name: "key that cannot trade", account: accountBody(false, false),
			want:   []graded{{CheckClock, exchange.CheckOK}, {CheckKey, exchange.CheckFail}},
			detail: map[string]string{CheckKey: "the key cannot trade (canTrade false)"}},
		{name: "wrong secret", secret: "not-the-secret",
			want:   []graded{{CheckClock, exchange.CheckOK}, {CheckKey, exchange.CheckFail}},
			detail: map[string]string{CheckKey: "GET /api/v3/account: binance: authentication failed: Signature for this request is not valid. (check api_secret and key_type) (code -1022)"}},
		{name: "venue 3s ahead: within recv_window", offset: 3 * time.Second,
			want:   []graded{{CheckClock, exchange.CheckWarn}, {CheckKey, exchange.CheckWarn}},
			detail: map[string]string{CheckClock: "behind the venue's"}},
		{name: "venue 8s ahead: the key check still signs", offset: 8 * time.Second,
			want:   []graded{{CheckClock, exchange.CheckFail}, {CheckKey, exchange.CheckWarn}},
			detail: map[string]string{CheckClock: "Binance refuses signed requests 1s ahead or more than recv_window (5000ms) behind"}},
		{name: "a larger recv_window allows it", offset: 8 * time.Second, extra: map[string]any{KeyRecvWindow: 10000},
			want:   []graded{{CheckClock, exchange.CheckWarn}, {CheckKey, exchange.CheckWarn}},
			detail: map[string]string{CheckClock: "close to Binance's limits (1s ahead, 10000ms behind)"}},
		{name: "this machine 2s ahead, sync_clock on", offset: -2 * time.Second, extra: map[string]any{KeySyncClock: true},
			want:   []graded{{CheckClock, exchange.CheckWarn}, {CheckKey, exchange.CheckWarn}},
			detail: map[string]string{CheckClock: "ahead of the venue's"}},
		{name: "no credentials: the clock only", noCreds: true, want: []graded{{CheckClock, exchange.CheckOK}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			f.Srv.SetClockOffset(tt.offset)
			if tt.account != "" {
				f.Srv.Inject(fakebinance.Failure{Method: http.MethodGet, Path: "/api/v3/account", Status: http.StatusOK, Body: tt.account})
			}
			p := f.Params(tt.extra)
			switch {
			case tt.noCreds:
				p.Secret = func(context.Context, string) (string, error) { return "", nil }
			case tt.secret != "":
				p.Secret = venuetest.Secrets(f.Creds.Key, tt.secret)
			}
			e, err := New(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			checks := e.Diagnose(ctxT(t))
			var got []graded
			for _, c := range checks {
				got = append(got, graded{c.Name, c.Status})
				if want, ok := tt.detail[c.Name]; ok && !strings.Contains(c.Detail, want) {
					t.Errorf("%s: detail %q, want it to contain %q", c.Name, c.Detail, want)
				}
				for _, secret := range []string{f.Creds.Key, f.Creds.Secret, tt.secret} {
					if secret != "" && strings.Contains(c.Detail, secret) {
						t.Errorf("%s: the detail quotes a credential", c.Name)
					}
				}
				for _, req := range f.Srv.Requests() {
					for _, part := range strings.Split(req.Query, "&") {
						if sig, ok := strings.CutPrefix(part, "signature="); ok && strings.Contains(c.Detail, sig) {
							t.Errorf("%s: the detail quotes a signature", c.Name)
						}
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}
			if tt.noCreds && f.Srv.Count(http.MethodGet, "/api/v3/account") != 0 {
				t.Error("without credentials Diagnose still called GET /api/v3/account")
			}
		})
	}
}
