package kraken

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

const pathCancelAllOrdersAfter = "/0/private/CancelAllOrdersAfter"

// maxCancelAllAfter is the longest timeout CancelAllOrdersAfter takes:
// Kraken's spec says it "should be less than 86400 seconds".
const maxCancelAllAfter = 86399 * time.Second

var _ exchange.CancelAllAfterer = (*Exchange)(nil)

// CancelAllAfterLimits implements exchange.CancelAllAfterer. Kraken takes
// whole seconds below a day and documents no minimum; tradectl's is the
// one whose refreshes the key's REST call counter absorbs on its own. A
// switch is refreshed every third of its timeout and each refresh costs 1
// on the counter, which decays by a rate that depends on the account's
// tier (rate_tier): starter 0.33/s gives 12s, intermediate 0.5/s 6s, pro
// 1/s 3s. A shorter timeout would fill the counter, the limiter would
// hold the refreshes back, and the switch would fire on a healthy bot.
func (e *Exchange) CancelAllAfterLimits() exchange.CancelAllAfterLimits {
	return exchange.CancelAllAfterLimits{Min: minCancelAllAfter(e.tier), Max: maxCancelAllAfter, Step: time.Second}
}

func minCancelAllAfter(t rateTier) time.Duration {
	perCall := math.Ceil(1 / tierLimits[t].decay) // seconds for the counter to shed one call
	return 3 * time.Duration(perCall) * time.Second
}

// cancelAfterResult is CancelAllOrdersAfter's result: RFC 3339 times, the
// trigger "0" once the timer is disarmed (as Kraken's WebSocket API
// documents for the same switch).
type cancelAfterResult struct {
	CurrentTime string `json:"currentTime"`
	TriggerTime string `json:"triggerTime"`
}

// CancelAllAfter implements exchange.CancelAllAfterer with
// CancelAllOrdersAfter: the timeout in whole seconds, 0 to disarm.
func (e *Exchange) CancelAllAfter(ctx context.Context, timeout time.Duration) (time.Time, error) {
	if lim := e.CancelAllAfterLimits(); !lim.Check(timeout) {
		return time.Time{}, fmt.Errorf("cancel all after %s: kraken takes whole seconds from %s to %s, or 0 to disarm", timeout, lim.Min, lim.Max)
	}
	c := call{path: pathCancelAllOrdersAfter, params: newForm().add("timeout", strconv.FormatInt(int64(timeout/time.Second), 10)), private: true, cost: costQuery}
	var res cancelAfterResult
	if err := e.do(ctx, c, &res); err != nil {
		return time.Time{}, fmt.Errorf("cancel all after %s: %w", timeout, err)
	}
	trigger, err := readCancelAfter(res, timeout > 0)
	if err != nil {
		return time.Time{}, fmt.Errorf("cancel all after %s: %w", timeout, decodeFailure(c, err))
	}
	return trigger, nil
}

// readCancelAfter checks Kraken's answer: an armed timer must name a
// trigger after the request's time; a disarmed one has none ("0", or a
// time not after the request's).
func readCancelAfter(res cancelAfterResult, armed bool) (time.Time, error) {
	now, err := time.Parse(time.RFC3339, res.CurrentTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("currentTime %q is not an RFC 3339 time", res.CurrentTime)
	}
	var trigger time.Time
	if res.TriggerTime != "0" && res.TriggerTime != "" {
		if trigger, err = time.Parse(time.RFC3339, res.TriggerTime); err != nil {
			return time.Time{}, fmt.Errorf("triggerTime %q is not an RFC 3339 time", res.TriggerTime)
		}
	}
	if !trigger.After(now) {
		trigger = time.Time{}
	}
	switch {
	case armed && trigger.IsZero():
		return time.Time{}, errors.New("the timer was armed but the answer names no trigger time")
	case !armed && !trigger.IsZero():
		return time.Time{}, fmt.Errorf("the timer was disarmed but the answer still names a trigger time, %s", res.TriggerTime)
	}
	return trigger.UTC(), nil
}
