package kraken

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

func TestDiagnose(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fixture, p *exchange.Params)
		want  []exchange.Check
	}{
		{
			name: "key that can withdraw",
			want: []exchange.Check{
				{Name: CheckCredentials, Status: exchange.CheckOK, Detail: "the key signs, its nonce is accepted and it may query funds"},
				{Name: CheckKey, Status: exchange.CheckWarn, Detail: "a trading key that can withdraw (WithdrawMethods answered): create one without the Withdraw Funds permission"},
			},
		},
		{
			name:  "key without Withdraw Funds",
			setup: func(f *fixture, _ *exchange.Params) { f.Srv.ErrorNext(pathWithdrawMethods, errPermission) },
			want: []exchange.Check{
				{Name: CheckCredentials, Status: exchange.CheckOK, Detail: "the key signs, its nonce is accepted and it may query funds"},
				{Name: CheckKey, Status: exchange.CheckOK, Detail: "cannot withdraw (WithdrawMethods refused: permission denied)"},
			},
		},
		{
			name: "wrong secret",
			setup: func(f *fixture, p *exchange.Params) {
				p.Secret = venuetest.Secrets(f.Creds.Key, adapter.NewCreds(t).Secret)
			},
			want: []exchange.Check{{Name: CheckCredentials, Status: exchange.CheckFail,
				Detail: "POST /0/private/BalanceEx: kraken: authentication failed: EAPI:Invalid signature (check api_secret: it is the key's base64 private key)"}},
		},
		{
			name: "nonce refused twice",
			setup: func(f *fixture, _ *exchange.Params) {
				f.Srv.ErrorNext(pathBalanceEx, errInvalidNonce)
				f.Srv.ErrorNext(pathBalanceEx, errInvalidNonce)
			},
			want: []exchange.Check{{Name: CheckCredentials, Status: exchange.CheckFail,
				Detail: "POST /0/private/BalanceEx: kraken: authentication failed: EAPI:Invalid nonce (another client may be using this key with larger nonces; give tradectl its own key or raise the key's nonce window)"}},
		},
		{
			name:  "key without Query Funds",
			setup: func(f *fixture, _ *exchange.Params) { f.Srv.ErrorNext(pathBalanceEx, errPermission) },
			want: []exchange.Check{{Name: CheckCredentials, Status: exchange.CheckFail,
				Detail: "POST /0/private/BalanceEx: kraken: authentication failed: EGeneral:Permission denied (the key lacks the permission this call needs)"}},
		},
		{
			name:  "no credentials: nothing to check",
			setup: func(_ *fixture, p *exchange.Params) { p.Secret = nil },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			p := f.Params(nil)
			if tt.setup != nil {
				tt.setup(f, &p)
			}
			e, err := New(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			got := e.Diagnose(ctxT(t))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}
			for _, c := range got {
				if strings.Contains(c.Detail, f.Creds.Secret) || strings.Contains(c.Detail, f.Creds.Key) {
					t.Errorf("%s: the detail quotes a credential", c.Name)
				}
			}
		})
	}
}
