package render

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"

	"github.com/tradectl/tradectl/internal/iostreams"
)

// TestTableDropsColumnsBeforeCuttingNumbers: on a narrow terminal the
// Shrink column gives way first, then droppable columns, then text; a
// number is cut only when nothing else is left, and no line is wider than
// the terminal.
func TestTableDropsColumnsBeforeCuttingNumbers(t *testing.T) {
	table := func() *TableData {
		t := &TableData{Columns: []Column{
			{Header: "id"}, {Header: "symbol"}, {Header: "price", Right: true},
			{Header: "status"}, {Header: "created", Drop: 2}, {Header: "client id", Shrink: true, Drop: 1},
		}}
		t.AddRow(T("1"), T("BTC-USD"), T("105267.4"), T("partially_filled"), T("2026-11-27T12:00:00Z"), T("tc-rgjgottvb7dv43os4nvzct7a"))
		return t
	}
	tests := []struct {
		width      int
		want, lose []string
	}{
		{200, []string{"tc-rgjgottvb7dv43os4nvzct7a", "2026-11-27T12:00:00Z", "partially_filled", "105267.4"}, nil},
		{80, []string{"2026-11-27T12:00:00Z", "partially_filled", "105267.4", "tc-rgjgottvb7dv4…"}, nil},
		{60, []string{"partially_filled", "105267.4"}, []string{"CLIENT", "tc-", "CREATED"}},
		{30, []string{"BTC-USD", "105267.4", "partia…"}, []string{"partially_filled"}},
		{12, []string{"ID  SYM…"}, []string{"STATUS", "PRICE"}},
	}
	for _, tt := range tests {
		ios, _, out, _ := iostreams.Test()
		ios.SetTTY(false, true, false)
		ios.SetTerminalWidth(tt.width)
		p, _ := NewPrinter(ios, "table", "", nil)
		if err := p.Print(nil, table); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		for _, line := range strings.Split(strings.TrimRight(got, "\n"), "\n") {
			if w := runewidth.StringWidth(line); w > tt.width {
				t.Errorf("width %d: line %q is %d wide", tt.width, line, w)
			}
		}
		for _, s := range tt.want {
			if !strings.Contains(got, s) {
				t.Errorf("width %d: %q missing from\n%s", tt.width, s, got)
			}
		}
		for _, s := range tt.lose {
			if strings.Contains(got, s) {
				t.Errorf("width %d: %q should have given way in\n%s", tt.width, s, got)
			}
		}
	}
}

func TestFitLine(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	ios.SetColor(true)
	bold := ios.Palette().Bad.Render("-1.11")
	line := "Total equity 99998.89 USD   unrealised P&L " + bold + "   fees 1.05"
	if got := FitLine(line, 0); got != line {
		t.Errorf("width 0 changed the line: %q", got)
	}
	if got := FitLine(line, 200); got != line {
		t.Errorf("a line that fits was changed: %q", got)
	}
	got := FitLine(line, 50)
	if w := lipgloss.Width(got); w != 50 || !strings.HasSuffix(got, "…") {
		t.Errorf("FitLine(…, 50) = %q, %d cells wide; want 50 ending in an ellipsis", got, w)
	}
	if !strings.Contains(got, "\x1b[31m") {
		t.Errorf("the line's colour was lost: %q", got)
	}
}
