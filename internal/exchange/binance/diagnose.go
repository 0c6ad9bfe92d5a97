package binance

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
)

// Names of the checks Diagnose reports.
const (
	CheckClock = "clock skew"
	CheckKey   = "key permissions"
)

// Binance refuses a signed request whose timestamp is 1 s or more ahead of
// its clock, or further behind than recvWindow.
const (
	aheadLimit = time.Second
	// skewWarn is where a skew starts to deserve attention: half the
	// margin Binance allows ahead.
	skewWarn = 500 * time.Millisecond
)

var _ exchange.Diagnoser = (*Exchange)(nil)

// Diagnose implements exchange.Diagnoser: this machine's clock against
// Binance's (GET /api/v3/time), and what the API key may do (GET
// /api/v3/account: canTrade, canWithdraw). The key check signs with the
// venue's measured time, so a skewed clock does not hide the key's
// permissions; it is left out when the profile has no key, which the
// caller reports on its own.
func (e *Exchange) Diagnose(ctx context.Context) []exchange.Check {
	var checks []exchange.Check
	skew, rtt, err := e.measureSkew(ctx)
	if err != nil {
		checks = append(checks, exchange.Check{Name: CheckClock, Status: exchange.CheckFail,
			Detail: fmt.Sprintf("GET /api/v3/time: %v", err)})
	} else {
		checks = append(checks, e.judgeSkew(skew, rtt))
		// Sign the key check with the venue's time, as sync_clock would.
		e.offsetMS.Store(skew.Milliseconds())
		e.synced.Store(true)
	}
	if !e.HasKeyPair(ctx) {
		return checks
	}
	return append(checks, e.checkKey(ctx))
}

// measureSkew returns the venue's clock minus ours, against the midpoint of
// the round trip, and the round trip itself.
func (e *Exchange) measureSkew(ctx context.Context) (skew, rtt time.Duration, err error) {
	var body struct {
		ServerTime int64 `json:"serverTime"`
	}
	start := e.Now()
	if err := e.do(ctx, call{method: http.MethodGet, path: "/api/v3/time", weight: 1}, &body); err != nil {
		return 0, 0, err
	}
	end := e.Now()
	if body.ServerTime <= 0 {
		return 0, 0, fmt.Errorf("the answer has no serverTime")
	}
	skew, rtt = venuehttp.ClockSkew(start, end, time.UnixMilli(body.ServerTime))
	return skew, rtt, nil
}

// judgeSkew grades a skew (> 0: the venue is ahead, this machine behind)
// against the limits Binance applies to signed requests.
func (e *Exchange) judgeSkew(skew, rtt time.Duration) exchange.Check {
	behind := time.Duration(e.recvWindow) * time.Millisecond
	desc := venuehttp.DescribeSkew(skew, rtt)
	bad := -skew >= aheadLimit || skew > behind
	c := exchange.Check{Name: CheckClock}
	switch {
	case bad && e.syncClock:
		c.Status, c.Detail = exchange.CheckWarn, desc+"; sync_clock corrects it, but fix the machine's clock (NTP)"
	case bad:
		c.Status, c.Detail = exchange.CheckFail, fmt.Sprintf("%s; Binance refuses signed requests 1s ahead or more than recv_window (%dms) behind: fix the clock (NTP) or set sync_clock: true", desc, e.recvWindow)
	case skew.Abs() >= skewWarn:
		c.Status, c.Detail = exchange.CheckWarn, fmt.Sprintf("%s; close to Binance's limits (1s ahead, %dms behind)", desc, e.recvWindow)
	default:
		c.Status, c.Detail = exchange.CheckOK, desc
	}
	return c
}

// checkKey reads the key's permissions. A trading key that can also
// withdraw turns a leaked key into lost funds, so it is a warning.
func (e *Exchange) checkKey(ctx context.Context) exchange.Check {
	var perms struct {
		CanTrade    bool `json:"canTrade"`
		CanWithdraw bool `json:"canWithdraw"`
	}
	c := call{method: http.MethodGet, path: "/api/v3/account", params: newQuery().add("omitZeroBalances", "true"), signed: true, weight: 20}
	if err := e.do(ctx, c, &perms); err != nil {
		return exchange.Check{Name: CheckKey, Status: exchange.CheckFail, Detail: fmt.Sprintf("GET /api/v3/account: %v", err)}
	}
	switch {
	case !perms.CanTrade:
		return exchange.Check{Name: CheckKey, Status: exchange.CheckFail, Detail: "the key cannot trade (canTrade false): enable spot trading for it"}
	case perms.CanWithdraw:
		return exchange.Check{Name: CheckKey, Status: exchange.CheckWarn, Detail: "a trading key that can withdraw: create one without withdrawal permission"}
	}
	return exchange.Check{Name: CheckKey, Status: exchange.CheckOK, Detail: "can trade, cannot withdraw"}
}
