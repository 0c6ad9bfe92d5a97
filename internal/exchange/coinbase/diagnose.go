package coinbase

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// Names of the checks Diagnose reports.
const (
	CheckClock = "clock skew"
	CheckKey   = "key permissions"
)

// A CDP JWT is valid from its nbf for jwtLifetime, and tradectl stamps
// both from the local clock: a clock that far off makes every token
// expired or not yet valid at the venue, and one well inside that still
// eats into the margin.
const clockSkewWarn = 30 * time.Second

var _ exchange.Diagnoser = (*Exchange)(nil)

// Diagnose implements exchange.Diagnoser: this machine's clock against
// Coinbase's (GET /time), and what the CDP key may do (GET
// /key_permissions: can_view, can_trade, can_transfer). The key check is
// left out when the profile has no key, which the caller reports on its
// own, and in sandbox mode, whose static mock has no such endpoint.
func (e *Exchange) Diagnose(ctx context.Context) []exchange.Check {
	checks := []exchange.Check{e.checkClock(ctx)}
	if e.sandbox || !e.HasKeyPair(ctx) {
		return checks
	}
	return append(checks, e.checkKey(ctx))
}

func (e *Exchange) checkClock(ctx context.Context) exchange.Check {
	var body struct {
		EpochMillis string `json:"epochMillis"`
	}
	start := e.Now()
	if err := e.do(ctx, call{method: http.MethodGet, path: "/time"}, &body); err != nil {
		return exchange.Check{Name: CheckClock, Status: exchange.CheckFail, Detail: fmt.Sprintf("GET %s/time: %v", apiPrefix, err)}
	}
	end := e.Now()
	ms, err := strconv.ParseInt(body.EpochMillis, 10, 64)
	if err != nil || ms <= 0 {
		return exchange.Check{Name: CheckClock, Status: exchange.CheckFail, Detail: fmt.Sprintf("GET %s/time: the answer has no epochMillis", apiPrefix)}
	}
	skew, rtt := venuehttp.ClockSkew(start, end, time.UnixMilli(ms)) // > 0: this machine is behind
	desc := venuehttp.DescribeSkew(skew, rtt)
	switch {
	case skew.Abs() >= jwtLifetime:
		return exchange.Check{Name: CheckClock, Status: exchange.CheckFail,
			Detail: desc + "; the API tokens tradectl signs are valid for 2 minutes from this machine's time, so Coinbase refuses them: fix the clock (NTP)"}
	case skew.Abs() >= clockSkewWarn:
		return exchange.Check{Name: CheckClock, Status: exchange.CheckWarn,
			Detail: desc + "; close to the 2-minute life of an API token: fix the clock (NTP)"}
	}
	return exchange.Check{Name: CheckClock, Status: exchange.CheckOK, Detail: desc}
}

// keyPermissions is GET /api/v3/brokerage/key_permissions.
type keyPermissions struct {
	CanView       bool   `json:"can_view"`
	CanTrade      bool   `json:"can_trade"`
	CanTransfer   bool   `json:"can_transfer"`
	PortfolioUUID string `json:"portfolio_uuid"`
	PortfolioType string `json:"portfolio_type"`
}

// checkKey reads the key's permissions. A trading key that can also
// transfer turns a leaked key into lost funds, so it is a warning; one
// that cannot trade or view fails the commands tradectl exists for.
func (e *Exchange) checkKey(ctx context.Context) exchange.Check {
	var p keyPermissions
	if err := e.do(ctx, call{method: http.MethodGet, path: "/key_permissions", private: true}, &p); err != nil {
		return exchange.Check{Name: CheckKey, Status: exchange.CheckFail, Detail: fmt.Sprintf("GET %s/key_permissions: %v", apiPrefix, err)}
	}
	portfolio := ""
	if p.PortfolioType != "" {
		portfolio = fmt.Sprintf(" (portfolio type %s)", p.PortfolioType)
	}
	switch {
	case !p.CanTrade:
		return exchange.Check{Name: CheckKey, Status: exchange.CheckFail,
			Detail: "the key cannot trade (can_trade false): create a CDP key with the trade permission" + portfolio}
	case !p.CanView:
		return exchange.Check{Name: CheckKey, Status: exchange.CheckFail,
			Detail: "the key cannot view (can_view false), so balances and order lookups are refused: add the view permission" + portfolio}
	case p.CanTransfer:
		return exchange.Check{Name: CheckKey, Status: exchange.CheckWarn,
			Detail: "a trading key that can transfer funds (can_transfer true): create one without the transfer permission" + portfolio}
	}
	return exchange.Check{Name: CheckKey, Status: exchange.CheckOK, Detail: "can view and trade, cannot transfer" + portfolio}
}
