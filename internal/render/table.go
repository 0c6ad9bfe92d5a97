package render

import (
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/trade"
)

// Style names a cell's meaning; the palette decides its colour.
type Style int

const (
	Plain Style = iota
	Good
	Bad
	Warn
	Muted
	Accent
	Bold
)

// Cell is one table value. Text is what every format shows; a non-zero
// Time is shown relative ("3m ago") on a terminal, or in local time with
// its zone under --absolute-time, and as trade.FormatTime elsewhere.
type Cell struct {
	Text  string
	Style Style
	Time  time.Time
	// Numeric marks a decimal number. The numbers of one column line up on
	// their decimal point, and a terminal shows them with thousands
	// separators; piped text keeps them as written, for scripts.
	Numeric bool
	// Unit, on a number cell, is shown after the number ("1.05 USD"): it
	// takes no part in the thousands separators or the alignment, so the
	// number lines up with the unitless ones above and below it.
	Unit string
}

// Column describes one column.
type Column struct {
	Header string
	Right  bool // numbers align right
	// Shrink marks the column that gives up width first when the table is
	// wider than the terminal.
	Shrink bool
	// Drop, above 0, lets a terminal too narrow for the whole table leave
	// the column out, lowest Drop first, before any other text is cut.
	// A column with Drop 0 stays as long as one column can be dropped.
	Drop int
	// Keep marks the column a reader cannot do without (status, reason,
	// error): however narrow the terminal, it is neither cut nor dropped.
	Keep bool
	// AlignPoint lines up the numbers of a left-aligned column on their
	// decimal point, as a right-aligned column's always are: a detail
	// view's quantity, prices and fee, one under the other. Its text cells
	// stay where they are.
	AlignPoint bool
}

// TableData is a table to print.
type TableData struct {
	Columns []Column
	Rows    [][]Cell
	// Empty is printed (to stderr on a terminal) when there are no rows.
	Empty string
}

// AddRow appends a row of cells.
func (t *TableData) AddRow(cells ...Cell) { t.Rows = append(t.Rows, cells) }

// T is shorthand for a plain cell; S for a styled one.
func T(text string) Cell              { return Cell{Text: text} }
func S(text string, style Style) Cell { return Cell{Text: text, Style: style} }

// Num is a number cell showing d at places decimal places (rounded half
// away from zero), trailing zeros kept so a column lines up; places below
// 0 (precision unknown) shows d as it is, never an invented precision.
// JSON and CSV never go through it: they carry exact decimals.
func Num(d decimal.Decimal, places int32) Cell {
	if places < 0 {
		return Cell{Text: d.String(), Numeric: true}
	}
	return Cell{Text: d.StringFixed(places), Numeric: true}
}

// Amount is a number cell for money held or paid (balances, fees): at
// least places decimal places, and more when d has more significant
// digits, since rounding a balance or a fee would show an amount the
// account does not hold. Places below 0 shows d as it is.
func Amount(d decimal.Decimal, places int32) Cell {
	if places < 0 {
		return Num(d, places)
	}
	return Num(d, max(places, trade.Places(d.Abs())))
}

// NumOr is Num for an optional value; an unset one shows "-".
func NumOr(d decimal.NullDecimal, places int32) Cell {
	if !d.Valid {
		return Cell{Text: "-"}
	}
	return Num(d.Decimal, places)
}

// OptNum is Num for a figure a venue may not report; nil shows "-".
func OptNum(d *decimal.Decimal, places int32) Cell {
	if d == nil {
		return Cell{Text: "-"}
	}
	return Num(*d, places)
}

// At is a time cell.
func At(t time.Time) Cell {
	if t.IsZero() {
		return Cell{Text: "-"}
	}
	return Cell{Text: trade.FormatTime(t), Time: t}
}

// text returns what the cell shows on this stream.
func (c Cell) text(tty, absolute bool, now time.Time) string {
	switch {
	case tty && !c.Time.IsZero():
		return When(now, c.Time, absolute)
	case !c.Numeric:
		return c.Text
	}
	return c.withUnit(c.number(tty))
}

// number is a number cell's number as this stream shows it.
func (c Cell) number(tty bool) string {
	if tty {
		return Group(c.Text)
	}
	return c.Text
}

// withUnit appends the cell's unit, if any, to s.
func (c Cell) withUnit(s string) string {
	if c.Unit == "" {
		return s
	}
	return s + " " + c.Unit
}

// TimeLayout is how a terminal shows an absolute time: local, with its zone.
const TimeLayout = "2006-01-02 15:04:05 MST"

// When is how a terminal shows t: relative to now ("3m ago"), or with
// absolute set (--absolute-time) the local time with its zone. Every
// table and status line on a terminal shows times through it.
func When(now, t time.Time, absolute bool) string {
	if absolute {
		return t.Local().Format(TimeLayout)
	}
	return Relative(now, t)
}

// Clock is a time of day on a terminal, local with its zone ("12:00:05
// UTC"): for status lines about something that just happened.
func Clock(t time.Time) string { return t.Local().Format("15:04:05 MST") }

// Group puts thousands separators into the integer part of a decimal
// number ("105262.13" → "105,262.13"); anything else comes back as it is.
func Group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		sign, s = s[:1], s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	if len(intPart) <= 3 || strings.Trim(intPart, "0123456789") != "" {
		return sign + s
	}
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + frac
}

// Relative formats t relative to now: "12s ago", "3m ago", "in 5m", or a
// local date for anything more than a week away.
func Relative(now, t time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Second:
		return "now"
	case d < time.Minute:
		s = itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		s = itoa(int(d/time.Minute)) + "m"
	case d < 24*time.Hour:
		s = itoa(int(d/time.Hour)) + "h"
	case d < 7*24*time.Hour:
		s = itoa(int(d/(24*time.Hour))) + "d"
	default:
		return t.Local().Format("2006-01-02")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// alignNumbers pads the numeric cells of each right-aligned or
// AlignPoint column so their decimal points line up: spaces before to the
// widest integer part, and in a right-aligned column after, to the
// widest fraction (a left-aligned one needs no padding after the point
// to line it up, and gains no trailing spaces).
// Text cells in the column ("-", "market") are left as they are and take
// the column's alignment. Any other left-aligned column holds unrelated
// numbers: they stay as they are.
func alignNumbers(t *TableData, texts [][]string, tty bool) {
	for col, c := range t.Columns {
		if !c.Right && !c.AlignPoint {
			continue
		}
		numeric := func(row []Cell) bool { return col < len(row) && row[col].Numeric && row[col].Time.IsZero() }
		intW, fracW := 0, 0
		for _, row := range t.Rows {
			if numeric(row) {
				i, f := splitPoint(row[col].number(tty))
				intW, fracW = max(intW, i), max(fracW, f)
			}
		}
		for r, row := range t.Rows {
			if !numeric(row) {
				continue
			}
			cell := row[col]
			s := cell.number(tty)
			i, f := splitPoint(s)
			s = strings.Repeat(" ", intW-i) + s
			if c.Right {
				s += strings.Repeat(" ", fracW-f)
			}
			texts[r][col] = sanitize(cell.withUnit(s))
		}
	}
}

// splitPoint measures a number's width before its decimal point and from
// the point on.
func splitPoint(s string) (intWidth, fracWidth int) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return runewidth.StringWidth(s[:i]), runewidth.StringWidth(s[i:])
	}
	return runewidth.StringWidth(s), 0
}

const columnGap = "  "

// writeTable prints t aligned. On a terminal the header is bold, cells take
// their style's colour and the table is fitted to the terminal width (see
// fitColumns), so no line wraps; piped, it is plain aligned text with
// nothing cut, so scripts can read it.
func writeTable(ios *iostreams.IOStreams, t *TableData, now time.Time) error {
	tty := ios.IsStdoutTTY()
	pal := ios.Palette()
	texts := make([][]string, len(t.Rows))
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = runewidth.StringWidth(c.Header)
	}
	for r, row := range t.Rows {
		texts[r] = make([]string, len(t.Columns))
		for i := range t.Columns {
			if i < len(row) {
				texts[r][i] = sanitize(row[i].text(tty, ios.AbsoluteTime(), now))
			}
		}
	}
	alignNumbers(t, texts, tty)
	for _, row := range texts {
		for i, s := range row {
			widths[i] = max(widths[i], runewidth.StringWidth(s))
		}
	}
	shown := make([]bool, len(t.Columns))
	for i := range shown {
		shown[i] = true
	}
	if tty && ios.TerminalWidth() > 0 {
		shown = fitColumns(t.Columns, widths, ios.TerminalWidth())
	}
	last := len(t.Columns) - 1
	for last > 0 && !shown[last] {
		last--
	}
	var b strings.Builder
	line := func(cells []string, styleOf func(i int) lipgloss.Style) {
		first := true
		for i, c := range cells {
			if !shown[i] {
				continue
			}
			if !first {
				b.WriteString(columnGap)
			}
			first = false
			c = runewidth.Truncate(c, widths[i], "…")
			pad := strings.Repeat(" ", widths[i]-runewidth.StringWidth(c))
			styled := styleOf(i).Render(c)
			switch {
			case t.Columns[i].Right:
				b.WriteString(pad + styled)
			case i == last:
				b.WriteString(styled)
			default:
				b.WriteString(styled + pad)
			}
		}
		b.WriteString("\n")
	}
	headers := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		headers[i] = strings.ToUpper(c.Header)
	}
	line(headers, func(int) lipgloss.Style { return pal.Header })
	for r, row := range texts {
		line(row, func(i int) lipgloss.Style {
			if i < len(t.Rows[r]) {
				return styleFor(pal, t.Rows[r][i].Style)
			}
			return lipgloss.NewStyle()
		})
	}
	_, err := ios.Out.Write([]byte(b.String()))
	return err
}

// minWidth is the narrowest a cut column gets: three characters and the
// ellipsis that says it was cut.
const minWidth = 4

// fitColumns makes the table fit in total cells and says which columns
// are shown. It gives up, in order, until the rows fit:
//
//  1. width of the Shrink column;
//  2. whole columns that may be dropped, lowest Drop first;
//  3. width of text columns, widest first;
//  4. width of number (Right) columns, widest first — a cut number is
//     the last resort, since "105…" reads as a different price;
//  5. whole columns from the right, the first column always staying.
//
// Keep columns are never cut or dropped. Cut cells end in an ellipsis;
// widths never go below minWidth.
func fitColumns(cols []Column, widths []int, total int) []bool {
	shown := make([]bool, len(cols))
	for i := range shown {
		shown[i] = true
	}
	over := func() int {
		n, count := 0, 0
		for i, w := range widths {
			if shown[i] {
				n += w
				count++
			}
		}
		return n + len(columnGap)*(count-1) - total
	}
	shrink := func(pick func(i int) bool) {
		for o := over(); o > 0; o = over() {
			widest := -1
			for i, w := range widths {
				if shown[i] && pick(i) && w > minWidth && (widest < 0 || w > widths[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				return
			}
			widths[widest] -= min(o, widths[widest]-minWidth)
		}
	}
	shrink(func(i int) bool { return cols[i].Shrink && !cols[i].Keep })
	for over() > 0 {
		drop := -1
		for i, c := range cols {
			if shown[i] && c.Drop > 0 && !c.Keep && (drop < 0 || c.Drop < cols[drop].Drop) {
				drop = i
			}
		}
		if drop < 0 {
			break
		}
		shown[drop] = false
	}
	shrink(func(i int) bool { return !cols[i].Right && !cols[i].Keep })
	shrink(func(i int) bool { return cols[i].Right && !cols[i].Keep })
	for i := len(cols) - 1; i > 0 && over() > 0; i-- {
		if !cols[i].Keep {
			shown[i] = false
		}
	}
	return shown
}

// FitLine cuts a line of text, which may carry colour, to width cells,
// ending it with an ellipsis; width 0 (unknown) leaves it whole. Lines
// printed around tables (totals, status) use it so nothing wraps.
func FitLine(s string, width int) string {
	if width <= 0 || lipgloss.Width(s) <= width {
		return s
	}
	// A renderer of its own, on no stream: cutting needs no terminal, and
	// the line's own colour codes pass through untouched.
	cut := lipgloss.NewRenderer(io.Discard).NewStyle().MaxWidth(width - 1)
	return cut.Render(s) + "…"
}

func styleFor(p iostreams.Palette, s Style) lipgloss.Style {
	switch s {
	case Good:
		return p.Good
	case Bad:
		return p.Bad
	case Warn:
		return p.Warn
	case Muted:
		return p.Muted
	case Accent:
		return p.Accent
	case Bold:
		return p.Bold
	}
	return lipgloss.NewStyle()
}

// sanitize drops control characters so a venue's text can never move the
// cursor or recolour the terminal.
func sanitize(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
