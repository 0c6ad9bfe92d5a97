package candles

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// chartHeight is the plot's height in rows: enough to read a trend, small
// enough to leave the prompt on an 24-row terminal.
const chartHeight = 16

// The glyphs of one candle column: the body between open and close, the
// wick out to high and low.
const (
	glyphBody = "┃"
	glyphWick = "│"
	glyphFlat = "╋" // a body thinner than a row: open and close in one band
)

// Chart draws candles as a candlestick chart for the terminal: one column
// per candle (two, with a gap, when few enough), rising candles in the
// palette's good colour and falling ones in its bad, the price scale on
// the right at the instrument's tick. When more candles were read than
// fit, the latest are drawn and the header says how many. rows are the
// same candles as formatted for output, used for the labels.
func Chart(ios *iostreams.IOStreams, sym trade.Symbol, venue string, r trade.CandleRange, cs []trade.Candle, rows Rows) string {
	pal := ios.Palette()
	var b strings.Builder
	if len(cs) == 0 {
		fmt.Fprintf(&b, "%s · %s · %s: no candles between %s and %s\n", sym, r.Interval, venue,
			render.When(time.Now(), r.Since, true), render.When(time.Now(), r.Until, true))
		return b.String()
	}
	width := ios.TerminalWidth()
	if width <= 0 {
		width = 80
	}
	lo, hi := cs[0].Low, cs[0].High
	for _, c := range cs {
		lo, hi = decimal.Min(lo, c.Low), decimal.Max(hi, c.High)
	}
	label := func(d decimal.Decimal) string {
		// The labels take the places the rows were written with.
		places := int32(0)
		if i := strings.IndexByte(rows[0].Open, '.'); i >= 0 {
			places = int32(len(rows[0].Open) - i - 1)
		}
		return d.StringFixed(places)
	}
	labelWidth := max(len(label(hi)), len(label(lo))) + 1
	plotWidth := max(width-labelWidth-1, 10)
	perCandle := 1
	if 2*len(cs) <= plotWidth {
		perCandle = 2
	}
	shown := cs
	if len(shown)*perCandle > plotWidth {
		shown = shown[len(shown)-plotWidth/perCandle:]
		lo, hi = shown[0].Low, shown[0].High
		for _, c := range shown {
			lo, hi = decimal.Min(lo, c.Low), decimal.Max(hi, c.High)
		}
	}
	span := hi.Sub(lo)
	if !span.IsPositive() {
		span = decimal.NewFromInt(1) // a flat range: one band holds it all
	}
	// row is the plot row (0 at the top) price falls in.
	row := func(p decimal.Decimal) int {
		n := int(hi.Sub(p).Mul(decimal.NewFromInt(chartHeight)).Div(span).IntPart())
		return min(max(n, 0), chartHeight-1)
	}

	first, last := shown[0], shown[len(shown)-1]
	head := fmt.Sprintf("%s · %s candles · %s · %s to %s", sym, r.Interval, venue, render.Clock(first.Time), render.Clock(last.Time.Add(r.Interval.Duration())))
	if r.Interval.Duration() >= 24*time.Hour || last.Time.Sub(first.Time) >= 24*time.Hour {
		head = fmt.Sprintf("%s · %s candles · %s · %s to %s", sym, r.Interval, venue, first.Time.Local().Format("2006-01-02 15:04"), last.Time.Local().Format("2006-01-02 15:04"))
	}
	if len(shown) < len(cs) {
		head += fmt.Sprintf(" · the latest %d of %d", len(shown), len(cs))
	}
	b.WriteString(pal.Bold.Render(head) + "\n")

	for y := range chartHeight {
		var line strings.Builder
		for _, c := range shown {
			top, bottom := row(decimal.Max(c.Open, c.Close)), row(decimal.Min(c.Open, c.Close))
			wickTop, wickBottom := row(c.High), row(c.Low)
			style := pal.Good
			if c.Close.LessThan(c.Open) {
				style = pal.Bad
			}
			glyph := " "
			switch {
			case top == bottom && y == top:
				glyph = style.Render(glyphFlat)
			case y >= top && y <= bottom:
				glyph = style.Render(glyphBody)
			case y >= wickTop && y <= wickBottom:
				glyph = style.Render(glyphWick)
			}
			line.WriteString(glyph)
			if perCandle == 2 {
				line.WriteString(" ")
			}
		}
		pad := plotWidth - len(shown)*perCandle
		line.WriteString(strings.Repeat(" ", max(pad, 0)))
		switch y {
		case 0:
			line.WriteString(" " + pal.Muted.Render(label(hi)))
		case chartHeight / 2:
			line.WriteString(" " + pal.Muted.Render(label(lo.Add(span.Div(decimal.NewFromInt(2))))))
		case chartHeight - 1:
			line.WriteString(" " + pal.Muted.Render(label(lo)))
		}
		b.WriteString(line.String() + "\n")
	}
	lr := rows[len(rows)-1]
	change := decimal.Zero
	if first.Open.IsPositive() {
		change = last.Close.Sub(first.Open).Mul(decimal.NewFromInt(100)).Div(first.Open)
	}
	style, sign := pal.Good, "+"
	if change.IsNegative() {
		style, sign = pal.Bad, ""
	}
	b.WriteString(fmt.Sprintf("last %s  open %s  high %s  low %s  close %s  volume %s  %s\n",
		render.Clock(last.Time), lr.Open, lr.High, lr.Low, lr.Close, lr.Volume,
		style.Render(sign+change.StringFixed(2)+"% over the chart")))
	return b.String()
}
