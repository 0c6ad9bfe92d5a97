package fakealpaca

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// Fill is one FILL activity as the fake keeps and reports it.
type Fill struct {
	// ID is Alpaca's activity id, "<time to the millisecond>::<uuid>",
	// which sorts as the fills happened.
	ID       string
	OrderID  string
	Symbol   string // as the activity names it: "AAPL", "BTC/USD"
	Side     string // buy, sell or sell_short
	Type     string // fill or partial_fill
	Price    decimal.Decimal
	Qty      decimal.Decimal
	CumQty   decimal.Decimal
	LeaveQty decimal.Decimal
	Time     time.Time
}

// activityID is Alpaca's id form for an activity at t.
func activityID(t time.Time, uuid string) string {
	return t.UTC().Format("20060102150405") + fmt.Sprintf("%03d", t.Nanosecond()/int(time.Millisecond)) + "::" + uuid
}

func (f Fill) json() map[string]any {
	return map[string]any{
		"id": f.ID, "activity_type": "FILL", "transaction_time": stamp(f.Time), "type": f.Type,
		"price": f.Price.String(), "qty": f.Qty.String(), "side": f.Side, "symbol": f.Symbol,
		"leaves_qty": f.LeaveQty.String(), "order_id": f.OrderID, "cum_qty": f.CumQty.String(), "order_status": "filled",
	}
}

// WithCompactFillSymbols names crypto in FILL activities without the
// slash (BTCUSD), as positions do; by default they carry the order's
// symbol (BTC/USD).
func WithCompactFillSymbols() Option { return func(s *Server) { s.compactFill = true } }

// fillSymbol is the activity's name for a fill in a.
func (s *Server) fillSymbol(a *asset) string {
	if s.compactFill {
		return a.positionSymbol()
	}
	return a.spec.Symbol
}

// seedAssets are the symbols seeded fills rotate through, with a base
// price and a quantity step each.
var seedAssets = []struct {
	symbol      string
	price, size decimal.Decimal
}{
	{"AAPL", decimal.RequireFromString("190"), decimal.NewFromInt(1)},
	{"MSFT", decimal.RequireFromString("415.5"), decimal.RequireFromString("0.5")},
	{"BTC/USD", decimal.RequireFromString("60000"), decimal.RequireFromString("0.001")},
}

// SeedFills adds n deterministic FILL activities, one every `every` from
// start: AAPL, MSFT and BTC/USD in turn, buys and sells alternating per
// symbol, prices and quantities varying with the index, each order filled
// in two parts (partial_fill, then fill). Ids are fixed by the index, so
// two fakes seeded alike answer alike. It returns them oldest first.
func (s *Server) SeedFills(n int, start time.Time, every time.Duration) []Fill {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fill, 0, n)
	for i := range n {
		a := seedAssets[i%len(seedAssets)]
		side := "buy"
		if (i/len(seedAssets))%2 == 1 {
			side = "sell"
		}
		qty := a.size.Mul(decimal.NewFromInt(int64(1 + i%4)))
		typ, cum, leaves := "fill", qty.Mul(decimal.NewFromInt(2)), decimal.Zero
		if i%2 == 0 {
			typ, cum, leaves = "partial_fill", qty, qty
		}
		sym := a.symbol
		if s.compactFill {
			sym = strings.ReplaceAll(sym, "/", "")
		}
		t := start.Add(time.Duration(i) * every).UTC()
		f := Fill{
			ID:       activityID(t, fmt.Sprintf("00000000-0000-4000-8000-%012d", i)),
			OrderID:  fmt.Sprintf("61e69015-8549-4bfd-b9c3-%012d", i/2),
			Symbol:   sym,
			Side:     side,
			Type:     typ,
			Price:    a.price.Add(decimal.NewFromInt(int64(i % 89))),
			Qty:      qty,
			CumQty:   cum,
			LeaveQty: leaves,
			Time:     t,
		}
		s.fills = append(s.fills, f)
		out = append(out, f)
	}
	return out
}

// fillSeed is what WithSeededFills asked for.
type fillSeed struct {
	n     int
	start time.Time
	every time.Duration
}

// WithSeededFills starts the fake with SeedFills(n, start, every) done,
// after every other option, so CLI tests that only pass options get a
// history of thousands of fills.
func WithSeededFills(n int, start time.Time, every time.Duration) Option {
	return func(s *Server) { s.seed = &fillSeed{n: n, start: start, every: every} }
}

// recordFillLocked adds the activity of o's fill of qty at price.
func (s *Server) recordFillLocked(o *order, qty, price decimal.Decimal, now time.Time) {
	// To the millisecond, as the id: ids and times then sort alike.
	now = now.Truncate(time.Millisecond)
	s.fills = append(s.fills, Fill{
		ID: activityID(now, fakevenue.NewUUID()), OrderID: o.id, Symbol: s.fillSymbol(o.asset), Side: o.side, Type: "fill",
		Price: price, Qty: qty, CumQty: o.filled.Add(qty), LeaveQty: decimal.Zero, Time: now,
	})
}

// activityTypes are Alpaca's activity types; the fake keeps FILL ones only
// and answers the others with no activities.
var activityTypes = []string{"FILL", "TRANS", "MISC", "ACATC", "ACATS", "CFEE", "CSD", "CSW", "DIV", "DIVCGL", "DIVCGS",
	"DIVNRA", "DIVROC", "DIVTXEX", "FEE", "INT", "JNL", "JNLC", "JNLS", "MA", "NC", "OPASN", "OPEXP", "OPXRC", "PTC", "PTR",
	"REORG", "SC", "SSO", "SSP"}

// activitiesMaxPage is the largest page_size, and the default, when no
// date is given.
const activitiesMaxPage = 100

// handleActivities is GET /v2/account/activities/{type}: after and until
// (both exclusive), direction (desc by default) and paging by page_size
// (at most 100) and page_token, the id of the last activity of the page
// before: asc resumes just after it, desc just before it.
func (s *Server) handleActivities(r *http.Request, _ []byte, typ string) response {
	if !slices.Contains(activityTypes, typ) {
		return errorResponse(unprocessable("invalid activity type: %s", typ))
	}
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "date", "until", "after", "direction", "page_size", "page_token":
		default:
			return errorResponse(unprocessable("unknown parameter %s", k))
		}
	}
	var after, until time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"after", &after}, {"until", &until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return errorResponse(unprocessable("invalid %s", p.name))
			}
			*p.dst = t
		}
	}
	direction := q.Get("direction")
	if direction == "" {
		direction = "desc"
	}
	if direction != "asc" && direction != "desc" {
		return errorResponse(unprocessable("invalid direction"))
	}
	size := activitiesMaxPage
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > activitiesMaxPage {
			return errorResponse(unprocessable("invalid page_size"))
		}
		size = n
	}
	token := q.Get("page_token")
	out := []map[string]any{}
	if typ != "FILL" {
		return jsonResponse(http.StatusOK, out)
	}
	sel := make([]Fill, 0, len(s.fills))
	for _, f := range s.fills {
		switch {
		case !after.IsZero() && !f.Time.After(after), !until.IsZero() && !f.Time.Before(until):
			continue
		case token != "" && direction == "asc" && f.ID <= token, token != "" && direction == "desc" && f.ID >= token:
			continue
		}
		sel = append(sel, f)
	}
	slices.SortStableFunc(sel, func(a, b Fill) int {
		if direction == "asc" {
			return strings.Compare(a.ID, b.ID)
		}
		return strings.Compare(b.ID, a.ID)
	})
	for _, f := range sel[:min(size, len(sel))] {
		out = append(out, f.json())
	}
	return jsonResponse(http.StatusOK, out)
}
