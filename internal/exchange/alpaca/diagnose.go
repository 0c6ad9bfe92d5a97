package alpaca

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
)

// Names of the checks Diagnose reports.
const (
	CheckEndpoint = "endpoint"
	CheckAccount  = "account status"
)

// accountStatusActive is the one account status in which Alpaca accepts
// orders.
const accountStatusActive = "ACTIVE"

var _ exchange.Diagnoser = (*Exchange)(nil)

// Diagnose implements exchange.Diagnoser: which of Alpaca's trading
// environments the profile talks to (paper or live money), and whether the
// account may trade (GET /v2/account: status, account_blocked,
// trading_blocked, trade_suspended_by_user, crypto_status). Alpaca keys are
// not signed and carry no permissions of their own, so a key that answers
// is a key that works.
func (e *Exchange) Diagnose(ctx context.Context) []exchange.Check {
	return []exchange.Check{e.checkEndpoint(), e.checkAccount(ctx)}
}

func (e *Exchange) checkEndpoint() exchange.Check {
	c := exchange.Check{Name: CheckEndpoint, Status: exchange.CheckOK}
	switch e.baseURL {
	case PaperURL:
		c.Detail = "paper trading (" + hostOf(PaperURL) + "): no real money; paper keys work only here"
	case ProductionURL:
		c.Detail = "live trading (" + hostOf(ProductionURL) + "): orders trade real money; set paper: true for the paper account"
	default:
		c.Detail = "base_url " + hostOf(e.baseURL) + ": neither Alpaca's paper nor its live endpoint"
	}
	return c
}

// hostOf is the host of a base URL, or the URL itself when it has none;
// base URLs hold no credentials, but a host is all a trader needs here.
func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}

// accountState is the part of GET /v2/account Diagnose reads.
type accountState struct {
	Status               string `json:"status"`
	CryptoStatus         string `json:"crypto_status"`
	AccountBlocked       bool   `json:"account_blocked"`
	TradingBlocked       bool   `json:"trading_blocked"`
	TradeSuspendedByUser bool   `json:"trade_suspended_by_user"`
}

func (e *Exchange) checkAccount(ctx context.Context) exchange.Check {
	var a accountState
	if err := e.do(ctx, call{method: http.MethodGet, path: "/v2/account"}, &a); err != nil {
		return exchange.Check{Name: CheckAccount, Status: exchange.CheckFail, Detail: fmt.Sprintf("GET /v2/account: %v", err)}
	}
	var fails []string
	if a.AccountBlocked {
		fails = append(fails, "the account is blocked (account_blocked): contact Alpaca support")
	}
	if a.TradingBlocked {
		fails = append(fails, "trading is blocked on the account (trading_blocked): contact Alpaca support")
	}
	if a.TradeSuspendedByUser {
		fails = append(fails, "trading is suspended by the account holder (trade_suspended_by_user): resume it in Alpaca's dashboard")
	}
	if !strings.EqualFold(a.Status, accountStatusActive) {
		fails = append(fails, fmt.Sprintf("the account's status is %s, not ACTIVE: Alpaca refuses orders until it is active", orUnknown(a.Status)))
	}
	if len(fails) > 0 {
		return exchange.Check{Name: CheckAccount, Status: exchange.CheckFail, Detail: strings.Join(fails, "; ")}
	}
	if a.CryptoStatus != "" && !strings.EqualFold(a.CryptoStatus, accountStatusActive) {
		return exchange.Check{Name: CheckAccount, Status: exchange.CheckWarn,
			Detail: fmt.Sprintf("active, but crypto trading is %s (crypto_status): crypto orders are refused; stocks trade", a.CryptoStatus)}
	}
	return exchange.Check{Name: CheckAccount, Status: exchange.CheckOK, Detail: "active: trading allowed"}
}

func orUnknown(s string) string {
	if s == "" {
		return "not given"
	}
	return s
}
