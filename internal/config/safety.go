package config

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// The safety keys, as written in a profile and as named by
// --override-limit.
const (
	SafetyConfirm          = "confirm"
	SafetyMaxOrderNotional = "max_order_notional"
	SafetyMaxOrderQty      = "max_order_qty"
	SafetyMaxOpenOrders    = "max_open_orders"
	SafetyAllowedSymbols   = "allowed_symbols"
	SafetyPriceBandPct     = "price_band_pct"
	SafetyMaxDailyLoss     = "max_daily_loss"
	SafetyMaxSlippagePct   = "max_slippage_pct"
)

// Safety is a profile's pre-trade safety settings, typed. A zero decimal
// or int means the limit is not set; a nil Confirm means the default
// (confirm live orders).
type Safety struct {
	// Confirm is whether live orders need confirmation (a prompt on a
	// terminal, --yes elsewhere).
	Confirm *bool
	// MaxOrderNotional bounds one order's value in its quote currency.
	MaxOrderNotional decimal.Decimal
	// MaxOrderQty bounds one order's quantity in the base asset.
	MaxOrderQty decimal.Decimal
	// MaxOpenOrders bounds the working orders the account may have.
	MaxOpenOrders int
	// AllowedSymbols, when not empty, are the only symbols that may be
	// traded.
	AllowedSymbols []trade.Symbol
	// PriceBandPct bounds how far (percent) a limit price may be from the
	// current mid.
	PriceBandPct decimal.Decimal
	// MaxDailyLoss stops new orders once today's realised loss (UTC) has
	// reached it, in the order's quote currency.
	MaxDailyLoss decimal.Decimal
	// MaxSlippagePct is the default --max-slippage of market orders.
	MaxSlippagePct decimal.Decimal
}

// ConfirmLive reports whether live orders need confirmation: yes unless
// the profile says confirm: false.
func (s Safety) ConfirmLive() bool { return s.Confirm == nil || *s.Confirm }

// SymbolAllowed reports whether sym may be traded under allowed_symbols.
func (s Safety) SymbolAllowed(sym trade.Symbol) bool {
	return len(s.AllowedSymbols) == 0 || slices.Contains(s.AllowedSymbols, sym)
}

// Limits lists the limits that are set, as "name value" lines for a
// confirmation screen or a log, in a fixed order.
func (s Safety) Limits() []string {
	var out []string
	add := func(name string, set bool, v string) {
		if set {
			out = append(out, name+" "+v)
		}
	}
	add(SafetyMaxOrderNotional, s.MaxOrderNotional.IsPositive(), s.MaxOrderNotional.String())
	add(SafetyMaxOrderQty, s.MaxOrderQty.IsPositive(), s.MaxOrderQty.String())
	add(SafetyMaxOpenOrders, s.MaxOpenOrders > 0, strconv.Itoa(s.MaxOpenOrders))
	if len(s.AllowedSymbols) > 0 {
		names := make([]string, len(s.AllowedSymbols))
		for i, sym := range s.AllowedSymbols {
			names[i] = sym.String()
		}
		out = append(out, SafetyAllowedSymbols+" "+strings.Join(names, ","))
	}
	add(SafetyPriceBandPct, s.PriceBandPct.IsPositive(), s.PriceBandPct.String()+"%")
	add(SafetyMaxDailyLoss, s.MaxDailyLoss.IsPositive(), s.MaxDailyLoss.String())
	add(SafetyMaxSlippagePct, s.MaxSlippagePct.IsPositive(), s.MaxSlippagePct.String()+"%")
	return out
}

// Safety parses the safety keys of the profile called name. Errors are
// *Error naming the file, the profile and the key, so the CLI reports
// them as usage errors (exit 2).
func (c *Config) Safety(name string) (Safety, error) {
	p, err := c.Lookup(name)
	if err != nil {
		return Safety{}, err
	}
	s, err := p.ParseSafety()
	if e, ok := err.(*Error); ok && c.FileExists && p.Line > 0 {
		// The profile came from the file: point at it. Safety values are
		// kept without their own line, so the profile's line is the best
		// place to send the reader.
		e.Path, e.Line = c.Path, p.Line
	}
	return s, err
}

// ParseSafety types the profile's raw safety keys. Numbers may be written
// as YAML numbers or strings ("1000", 0.5); percentages may end in "%".
// A limit of zero or less is an error rather than "no limit": to lift a
// limit, remove the key (or use --override-limit for one command).
func (p Profile) ParseSafety() (Safety, error) {
	var s Safety
	keys := make([]string, 0, len(p.Safety))
	for k := range p.Safety {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report the first bad key deterministically
	for _, key := range keys {
		v := p.Safety[key]
		fail := func(format string, args ...any) (Safety, error) {
			return Safety{}, &Error{Msg: fmt.Sprintf("profile %q: %s: ", p.Name, key) + fmt.Sprintf(format, args...)}
		}
		if v == nil {
			return fail("has no value; remove the key to leave the limit unset")
		}
		var err error
		switch key {
		case SafetyConfirm:
			b, ok := safetyBool(v)
			if !ok {
				return fail("must be true or false, got %s", describeValue(v))
			}
			s.Confirm = &b
		case SafetyMaxOrderNotional:
			s.MaxOrderNotional, err = safetyDecimal(v, false)
		case SafetyMaxOrderQty:
			s.MaxOrderQty, err = safetyDecimal(v, false)
		case SafetyMaxDailyLoss:
			s.MaxDailyLoss, err = safetyDecimal(v, false)
		case SafetyPriceBandPct:
			s.PriceBandPct, err = safetyDecimal(v, true)
		case SafetyMaxSlippagePct:
			s.MaxSlippagePct, err = safetyDecimal(v, true)
			if err == nil && s.MaxSlippagePct.GreaterThanOrEqual(decimal.NewFromInt(100)) {
				// A sell bounded at mid·(1 − 100 %) would accept any price.
				return fail("must be below 100 (percent), got %s", s.MaxSlippagePct)
			}
		case SafetyMaxOpenOrders:
			n, ok := safetyInt(v)
			if !ok {
				return fail("must be a whole number above 0, got %s", describeValue(v))
			}
			if n < 1 {
				return fail("must be at least 1, got %d; remove the key to leave the limit unset", n)
			}
			s.MaxOpenOrders = n
		case SafetyAllowedSymbols:
			if s.AllowedSymbols, err = safetySymbols(v); err != nil {
				return fail("%v", err)
			}
		default:
			return fail("is not a safety key (known: %s)", strings.Join(SafetyKeys(), ", "))
		}
		if err != nil {
			return fail("%v", err)
		}
	}
	return s, nil
}

func safetyBool(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true", "yes", "on":
			return true, true
		case "false", "no", "off":
			return false, true
		}
	}
	return false, false
}

// safetyDecimal reads a positive decimal. YAML numbers arrive as int or
// float64; a float is read back through its shortest text form, so 0.1
// is 0.1 and not 0.1000000000000000055….
func safetyDecimal(v any, pct bool) (decimal.Decimal, error) {
	var text string
	switch t := v.(type) {
	case string:
		text = strings.TrimSpace(t)
		if pct {
			text = strings.TrimSpace(strings.TrimSuffix(text, "%"))
		}
	case int:
		text = strconv.Itoa(t)
	case int64:
		text = strconv.FormatInt(t, 10)
	case uint64:
		text = strconv.FormatUint(t, 10)
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return decimal.Decimal{}, fmt.Errorf("must be a number, got %v", t)
		}
		text = strconv.FormatFloat(t, 'f', -1, 64)
	default:
		return decimal.Decimal{}, fmt.Errorf("must be a number, got %s", describeValue(v))
	}
	d, err := trade.ParseDecimal(text)
	if err != nil {
		return decimal.Decimal{}, err
	}
	if !d.IsPositive() {
		return decimal.Decimal{}, fmt.Errorf("must be greater than 0, got %s; remove the key to leave the limit unset", d)
	}
	return d, nil
}

func safetyInt(v any) (int, bool) {
	switch t := v.(type) {
	case int:
		return t, true
	case int64:
		return int(t), true
	case uint64:
		if t <= math.MaxInt32 {
			return int(t), true
		}
	case float64:
		if t == math.Trunc(t) && math.Abs(t) <= math.MaxInt32 {
			return int(t), true
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(t)); err == nil {
			return n, true
		}
	}
	return 0, false
}

// safetySymbols reads a list of symbols, or one comma-separated string.
func safetySymbols(v any) ([]trade.Symbol, error) {
	var items []string
	switch t := v.(type) {
	case string:
		for _, part := range strings.Split(t, ",") {
			if part = strings.TrimSpace(part); part != "" {
				items = append(items, part)
			}
		}
	case []any:
		for _, x := range t {
			str, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("must list symbols such as BTC-USD, got %s in the list", describeValue(x))
			}
			items = append(items, str)
		}
	case []string:
		items = t
	default:
		return nil, fmt.Errorf("must be a list of symbols such as [BTC-USD, ETH-USD], got %s", describeValue(v))
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("lists no symbol, which would refuse every order; remove the key to allow every symbol")
	}
	out := make([]trade.Symbol, 0, len(items))
	for _, it := range items {
		sym, err := trade.ParseSymbol(it)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, sym) {
			out = append(out, sym)
		}
	}
	return out, nil
}

func describeValue(v any) string {
	switch t := v.(type) {
	case string:
		return strconv.Quote(t)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%v", v)
}
