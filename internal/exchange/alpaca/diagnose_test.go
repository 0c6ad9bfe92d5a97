package alpaca

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// accountDoc is GET /v2/account in Alpaca's wire format, with the fields
// Diagnose grades replaced by set.
func accountDoc(t *testing.T, set map[string]any) string {
	t.Helper()
	doc := map[string]any{
		"id": "904837e3-3b76-47ec-b432-046db621571b", "account_number": "PA3FAKE00001", "status": "ACTIVE",
		"crypto_status": "ACTIVE", "currency": "USD", "cash": "100000", "buying_power": "100000",
		"non_marginable_buying_power": "100000", "portfolio_value": "100000", "pattern_day_trader": false,
		"trading_blocked": false, "transfers_blocked": false, "account_blocked": false,
		"trade_suspended_by_user": false, "created_at": "2024-01-02T15:04:05.123456Z",
	}
	for k, v := range set {
		doc[k] = v
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDiagnoseAccount(t *testing.T) {
	tests := []struct {
		name    string
		account map[string]any // fields of the injected answer; nil: the fake's own
		secret  string         // replaces the right secret when set
		want    exchange.Check
	}{
		{name: "active account", want: exchange.Check{Name: CheckAccount, Status: exchange.CheckOK, Detail: "active: trading allowed"}},
		{name: "blocked account", account: map[string]any{"account_blocked": true},
			want: exchange.Check{Name: CheckAccount, Status: exchange.CheckFail, Detail: "the account is blocked (account_blocked): contact Alpaca support"}},
		{name: "trading blocked and suspended", account: map[string]any{"trading_blocked": true, "trade_suspended_by_user": true},
			want: exchange.Check{Name: CheckAccount, Status: exchange.CheckFail,
				Detail: "trading is blocked on the account (trading_blocked): contact Alpaca support; trading is suspended by the account holder (trade_suspended_by_user): resume it in Alpaca's dashboard"}},
		{name: "account not yet approved", account: map[string]any{"status": "APPROVAL_PENDING"},
			want: exchange.Check{Name: CheckAccount, Status: exchange.CheckFail,
				Detail: "the account's status is APPROVAL_PENDING, not ACTIVE: Alpaca refuses orders until it is active"}},
		{name: "crypto not enabled", account: map[string]any{"crypto_status": "INACTIVE"},
			want: exchange.Check{Name: CheckAccount, Status: exchange.CheckWarn,
				Detail: "active, but crypto trading is INACTIVE (crypto_status): crypto orders are refused; stocks trade"}},
		{name: "wrong secret", secret: "not-the-secret",
			want: exchange.Check{Name: CheckAccount, Status: exchange.CheckFail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			if tt.account != nil {
				f.Srv.Inject(fakeAccountAnswer(accountDoc(t, tt.account)))
			}
			p := f.Params(nil)
			if tt.secret != "" {
				p.Secret = venuetest.Secrets(f.Creds.Key, tt.secret)
			}
			e, err := New(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			checks := e.Diagnose(ctxT(t))
			if len(checks) != 2 || checks[0].Name != CheckEndpoint {
				t.Fatalf("checks %+v: want the endpoint, then the account", checks)
			}
			got := checks[1]
			if tt.secret != "" {
				// The venue's refusal is quoted; the secret never is.
				if !strings.HasPrefix(got.Detail, "GET /v2/account: ") || strings.Contains(got.Detail, tt.secret) || strings.Contains(got.Detail, f.Creds.Key) {
					t.Errorf("detail %q", got.Detail)
				}
				got.Detail = ""
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("account check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiagnoseEndpoint(t *testing.T) {
	tests := []struct {
		name    string
		options map[string]any
		want    exchange.Check
	}{
		{name: "paper by default", want: exchange.Check{Name: CheckEndpoint, Status: exchange.CheckOK,
			Detail: "paper trading (paper-api.alpaca.markets): no real money; paper keys work only here"}},
		{name: "live", options: map[string]any{KeyPaper: false}, want: exchange.Check{Name: CheckEndpoint, Status: exchange.CheckOK,
			Detail: "live trading (api.alpaca.markets): orders trade real money; set paper: true for the paper account"}},
		{name: "another base_url", options: map[string]any{KeyBaseURL: "http://127.0.0.1:8080/v2"}, want: exchange.Check{Name: CheckEndpoint, Status: exchange.CheckOK,
			Detail: "base_url 127.0.0.1:8080: neither Alpaca's paper nor its live endpoint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(context.Background(), exchange.Params{Profile: "test", Exchange: "alpaca", Options: tt.options})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, e.checkEndpoint()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// fakeAccountAnswer makes the fake answer the next GET /v2/account with
// body, as Alpaca would for an account in that state.
func fakeAccountAnswer(body string) fakealpaca.Failure {
	return fakealpaca.Failure{Method: http.MethodGet, Path: "/v2/account", Status: http.StatusOK, Body: body}
}
