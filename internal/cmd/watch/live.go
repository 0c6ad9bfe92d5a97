package watch

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/watch/expr"
)

// sparkPoints is how many recent prices a sparkline shows.
const sparkPoints = 24

// liveTable is the state of the watch table on a terminal and its view.
// Quotes update it on the watch's goroutine while a resize may redraw it
// on another, so both go through mu.
type liveTable struct {
	ios    *iostreams.IOStreams
	pal    iostreams.Palette
	order  []trade.Symbol
	alerts []*expr.Expr
	until  *expr.Expr
	prec   render.Precision

	mu     sync.Mutex
	rows   map[trade.Symbol]*liveRow
	status []string
}

type liveRow struct {
	ev      QuoteEvent
	prev    decimal.Decimal
	history []decimal.Decimal
	stale   bool
}

func newLiveTable(ios *iostreams.IOStreams, symbols []trade.Symbol, alerts []*expr.Expr, until *expr.Expr, prec render.Precision) *liveTable {
	return &liveTable{ios: ios, pal: ios.Palette(), order: symbols, rows: map[trade.Symbol]*liveRow{}, alerts: alerts, until: until, prec: prec}
}

func (t *liveTable) update(ev QuoteEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.rows[ev.Symbol]
	if r == nil {
		r = &liveRow{}
		t.rows[ev.Symbol] = r
	} else {
		r.prev = r.ev.Last
	}
	r.ev, r.stale = ev, false
	r.history = append(r.history, ev.Last)
	if len(r.history) > sparkPoints {
		r.history = r.history[len(r.history)-sparkPoints:]
	}
}

// markStale dims a symbol's row and marks it stale until its next update.
func (t *liveTable) markStale(s trade.Symbol) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.rows[s]
	if r == nil {
		r = &liveRow{}
		t.rows[s] = r
	}
	r.stale = true
}

func (t *liveTable) condition(ev ConditionEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	line := fmt.Sprintf("%s %s: %s", render.Clock(time.Time(ev.Time)), ev.Type, ev.Expr)
	if ev.Quote != nil {
		line += fmt.Sprintf(" (%s last %s)", ev.Quote.Symbol, render.Group(render.Num(ev.Quote.Last, t.prec.Price(ev.Quote.Symbol)).Text))
	}
	t.status = append(t.status, line)
	if len(t.status) > 3 {
		t.status = t.status[len(t.status)-3:]
	}
}

// frame renders the table for a screen width cells wide (0: the width
// the streams were opened with).
func (t *liveTable) frame(width, _ int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if width <= 0 {
		width = t.ios.TerminalWidth()
	}
	td := &render.TableData{Columns: []render.Column{
		{Header: "symbol"}, {Header: "bid", Right: true}, {Header: "ask", Right: true}, {Header: "last", Right: true},
		{Header: "change", Right: true, Drop: 2}, {Header: "%", Right: true, Drop: 3}, {Header: "recent", Shrink: true, Drop: 1},
	}}
	// The venue's 24-hour figures get columns once any row has them;
	// they give way before the watch's own.
	with24h := false
	for _, r := range t.rows {
		with24h = with24h || r.ev.Has24h()
	}
	if with24h {
		td.Columns = append(td.Columns[:6:6], render.Column{Header: "24h %", Right: true, Drop: 1}, render.Column{Header: "24h high", Right: true, Drop: 1},
			render.Column{Header: "24h low", Right: true, Drop: 1}, render.Column{Header: "24h vol", Right: true, Drop: 1}, td.Columns[6])
	}
	for _, s := range t.order {
		r := t.rows[s]
		if r == nil || r.ev.Symbol == (trade.Symbol{}) {
			name, wait := render.S(s.String(), render.Bold), render.S("…", render.Muted)
			if r != nil && r.stale {
				name, wait = render.S(s.String()+" stale", render.Muted), render.S("no update", render.Muted)
			}
			td.AddRow(name, wait)
			continue
		}
		tick := render.Plain
		switch {
		case r.prev.IsZero():
		case r.ev.Last.GreaterThan(r.prev):
			tick = render.Good
		case r.ev.Last.LessThan(r.prev):
			tick = render.Bad
		}
		dir := render.Plain
		if r.ev.Change.IsPositive() {
			dir = render.Good
		} else if r.ev.Change.IsNegative() {
			dir = render.Bad
		}
		places := t.prec.Price(s)
		name := render.S(s.String(), render.Bold)
		bid, ask := render.Num(r.ev.Bid, places), render.Num(r.ev.Ask, places)
		last, chg, pct := render.Num(r.ev.Last, places), render.Num(r.ev.Change, places), render.Num(r.ev.ChangePct, 2)
		last.Style, chg.Style, pct.Style = tick, dir, dir
		cells := []render.Cell{name, bid, ask, last, chg, pct}
		if with24h {
			day := render.OptNum(r.ev.Change24hPct, 2)
			if r.ev.Change24hPct != nil && r.ev.Change24hPct.IsPositive() {
				day.Style = render.Good
			} else if r.ev.Change24hPct != nil && r.ev.Change24hPct.IsNegative() {
				day.Style = render.Bad
			}
			cells = append(cells, day, render.OptNum(r.ev.High24h, places), render.OptNum(r.ev.Low24h, places), render.OptNum(r.ev.Volume24h, t.prec.Qty(s)))
		}
		cells = append(cells, render.S(Sparkline(r.history), render.Accent))
		if r.stale {
			// Never shown as a live price: every cell dimmed, and said.
			for i := range cells {
				cells[i].Style = render.Muted
			}
			cells[0].Text += " stale"
		}
		td.AddRow(cells...)
	}
	var b strings.Builder
	sub := *t.ios
	sub.Out = &b
	sub.SetTerminalWidth(width)
	p, _ := render.NewPrinter(&sub, "table", "", nil)
	_ = p.Print(nil, func() *render.TableData { return td })
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if t.until != nil {
		lines = append(lines, t.pal.Muted.Render("until: "+t.until.String()))
	}
	for _, a := range t.alerts {
		lines = append(lines, t.pal.Muted.Render("alert: "+a.String()))
	}
	for _, s := range t.status {
		lines = append(lines, t.pal.Warn.Render(s))
	}
	// The screen cuts lines too; cutting here keeps the table's own
	// ellipsis rules for the lines that only the watch knows are long.
	for i := range lines {
		lines[i] = render.FitLine(lines[i], width)
	}
	return strings.Join(lines, "\n") + "\n"
}

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws prices as a row of block characters scaled between
// their minimum and maximum; a flat series is a flat line.
func Sparkline(prices []decimal.Decimal) string {
	if len(prices) == 0 {
		return ""
	}
	lo, hi := prices[0], prices[0]
	for _, p := range prices {
		lo, hi = decimal.Min(lo, p), decimal.Max(hi, p)
	}
	span := hi.Sub(lo)
	out := make([]rune, len(prices))
	top := decimal.NewFromInt(int64(len(sparkRunes) - 1))
	for i, p := range prices {
		idx := 0
		if span.IsPositive() {
			idx = int(p.Sub(lo).Mul(top).DivRound(span, 0).IntPart())
		}
		out[i] = sparkRunes[idx]
	}
	return string(out)
}
