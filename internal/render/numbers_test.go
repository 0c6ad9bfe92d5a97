package render

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/iostreams"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestNumAndAmount(t *testing.T) {
	tests := []struct {
		name   string
		cell   Cell
		want   string
		tty    string
		places int32
	}{
		{name: "price at its tick keeps zeros", cell: Num(dec("105267.4"), 2), want: "105267.40", tty: "105,267.40"},
		{name: "price rounds to its tick", cell: Num(dec("105262.135"), 2), want: "105262.14", tty: "105,262.14"},
		{name: "unknown precision shows the value", cell: Num(dec("0.22974"), -1), want: "0.22974", tty: "0.22974"},
		{name: "whole step", cell: Num(dec("3"), 0), want: "3", tty: "3"},
		{name: "negative", cell: Num(dec("-1234567.5"), 1), want: "-1234567.5", tty: "-1,234,567.5"},
		{name: "amount pads to the asset", cell: Amount(dec("9990"), 2), want: "9990.00", tty: "9,990.00"},
		{name: "amount never hides digits", cell: Amount(dec("0.010525"), 2), want: "0.010525", tty: "0.010525"},
		{name: "amount ignores trailing zeros", cell: Amount(dec("1.50000000"), 2), want: "1.50", tty: "1.50"},
		{name: "unset optional", cell: NumOr(decimal.NullDecimal{}, 2), want: "-", tty: "-"},
		{name: "set optional", cell: NumOr(decimal.NewNullDecimal(dec("2000")), 2), want: "2000.00", tty: "2,000.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.cell.text(false, false, now)); diff != "" {
				t.Errorf("piped (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.tty, tc.cell.text(true, false, now)); diff != "" {
				t.Errorf("terminal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGroup(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "999": "999", "1000": "1,000", "105267.40": "105,267.40", "-1000.5": "-1,000.5",
		"+12345": "+12,345", "market": "market", "1e10": "1e10", "0.00012345": "0.00012345",
	} {
		if got := Group(in); got != want {
			t.Errorf("Group(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNumbersAlignOnThePoint: numbers of a column line up on their
// decimal point, piped and on a terminal; text cells keep the column's
// alignment; separators only on a terminal.
func TestNumbersAlignOnThePoint(t *testing.T) {
	table := func() *TableData {
		t := &TableData{Columns: []Column{{Header: "symbol"}, {Header: "price", Right: true}, {Header: "qty", Right: true}}}
		t.AddRow(T("BTC-USD"), Num(dec("105267.4"), 2), Num(dec("0.005"), 5))
		t.AddRow(T("DOGE-USD"), Num(dec("0.22974"), 5), Num(dec("1500"), 0))
		t.AddRow(T("AAPL"), T("market"), Num(dec("0.5"), -1))
		return t
	}
	tests := []struct {
		name string
		tty  bool
		want string
	}{
		{"piped", false, "" +
			"SYMBOL           PRICE         QTY\n" +
			"BTC-USD   105267.40        0.00500\n" +
			"DOGE-USD       0.22974  1500      \n" +
			"AAPL            market     0.5    \n"},
		{"terminal", true, "" +
			"SYMBOL            PRICE          QTY\n" +
			"BTC-USD   105,267.40         0.00500\n" +
			"DOGE-USD        0.22974  1,500      \n" +
			"AAPL             market      0.5    \n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetTTY(false, tc.tty, false)
			p, _ := NewPrinter(ios, "table", "", func() time.Time { return now })
			if err := p.Print(nil, table); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("table (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDetailNumbersAlignOnThePoint: an AlignPoint column (a detail
// view's values) lines its numbers up on the point without trailing
// spaces; a unit follows the number outside the alignment; text cells
// stay at the left; a plain left-aligned column is left alone.
func TestDetailNumbersAlignOnThePoint(t *testing.T) {
	table := func(alignPoint bool) func() *TableData {
		return func() *TableData {
			t := &TableData{Columns: []Column{{Header: "field"}, {Header: "value", AlignPoint: alignPoint}}}
			t.AddRow(T("status"), T("open"))
			t.AddRow(T("qty"), Num(dec("0.005"), 5))
			t.AddRow(T("price"), Num(dec("89000"), 2))
			t.AddRow(T("avg"), NumOr(decimal.NullDecimal{}, 2))
			t.AddRow(T("fee"), Cell{Text: "1052.674", Numeric: true, Unit: "USD"})
			return t
		}
	}
	tests := []struct {
		name       string
		alignPoint bool
		tty        bool
		want       string
	}{
		{"piped", true, false, "" +
			"FIELD   VALUE\n" +
			"status  open\n" +
			"qty         0.00500\n" +
			"price   89000.00\n" +
			"avg     -\n" +
			"fee      1052.674 USD\n"},
		{"terminal", true, true, "" +
			"FIELD   VALUE\n" +
			"status  open\n" +
			"qty          0.00500\n" +
			"price   89,000.00\n" +
			"avg     -\n" +
			"fee      1,052.674 USD\n"},
		{"not asked to align", false, false, "" +
			"FIELD   VALUE\n" +
			"status  open\n" +
			"qty     0.00500\n" +
			"price   89000.00\n" +
			"avg     -\n" +
			"fee     1052.674 USD\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetTTY(false, tc.tty, false)
			p, _ := NewPrinter(ios, "table", "", func() time.Time { return now })
			if err := p.Print(nil, table(tc.alignPoint)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("table (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAbsoluteTimeOnTerminal(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, true, false)
	ios.SetAbsoluteTime(true)
	p, _ := NewPrinter(ios, "table", "", func() time.Time { return now })
	at := now.Add(-90 * time.Second)
	_ = p.Print(nil, func() *TableData {
		t := &TableData{Columns: []Column{{Header: "created"}}}
		t.AddRow(At(at))
		return t
	})
	want := at.Local().Format(TimeLayout)
	if !strings.Contains(out.String(), want) {
		t.Errorf("--absolute-time: want %q on the screen, got %q", want, out.String())
	}
	if !strings.Contains(want, at.Local().Format("MST")) {
		t.Errorf("an absolute time must name its zone: %q", want)
	}
}

// TestKeepColumnsSurviveNarrowTerminals: the status column is neither
// cut nor dropped, whatever the width; other columns give way.
func TestKeepColumnsSurviveNarrowTerminals(t *testing.T) {
	for _, width := range []int{60, 40, 25, 12} {
		ios, _, out, _ := iostreams.Test()
		ios.SetTTY(false, true, false)
		ios.SetTerminalWidth(width)
		p, _ := NewPrinter(ios, "table", "", nil)
		_ = p.Print(nil, func() *TableData {
			t := &TableData{Columns: []Column{{Header: "id"}, {Header: "symbol"}, {Header: "note"}, {Header: "status", Keep: true}, {Header: "created", Drop: 1}}}
			t.AddRow(T("1"), T("BTC-USD"), T("some long note about it"), T("partially_filled"), T("2026-11-27"))
			return t
		})
		if !strings.Contains(out.String(), "partially_filled") {
			t.Errorf("width %d: the status column was cut or dropped:\n%s", width, out.String())
		}
	}
}

func TestCSVIsTheJSONFields(t *testing.T) {
	type inner struct {
		Symbol string `json:"symbol"`
		Qty    string `json:"qty"`
	}
	type entry struct {
		ID      int      `json:"id"`
		Note    string   `json:"note,omitempty"`
		Request *inner   `json:"request"`
		Tags    []string `json:"tags"`
		OK      bool     `json:"ok"`
	}
	tests := []struct {
		name string
		data any
		want string
	}{
		{"every field of every row, nested objects flattened", []entry{
			{ID: 1, Request: nil, Tags: []string{"a", "b"}},
			{ID: 2, Note: "x, \"quoted\"", Request: &inner{"BTC-USD", "0.5"}, OK: true},
		}, "id,tags,ok,note,request.symbol,request.qty\n" +
			"1,\"[\"\"a\"\",\"\"b\"\"]\",false,,,\n" +
			"2,,true,\"x, \"\"quoted\"\"\",BTC-USD,0.5\n"},
		{"one object is one row", entry{ID: 3}, "id,request,tags,ok\n3,,,false\n"},
		{"an empty list is nothing", []entry{}, ""},
		{"a document holding lists takes the table's rows", struct {
			Accounts []entry `json:"accounts"`
		}{[]entry{{ID: 1}}}, "profile,free\npaper,10\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			p, _ := NewPrinter(ios, "csv", "", nil)
			table := func() *TableData {
				t := &TableData{Columns: []Column{{Header: "Profile"}, {Header: "free", Right: true}}}
				t.AddRow(T("paper"), Num(dec("10"), -1))
				return t
			}
			if err := p.Print(tc.data, table); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("CSV (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSVWriterStream(t *testing.T) {
	type quote struct {
		Type string `json:"type"`
		Last string `json:"last"`
	}
	type alert struct {
		Type  string `json:"type"`
		Expr  string `json:"expr"`
		Quote quote  `json:"quote"`
	}
	ios, _, out, _ := iostreams.Test()
	p, _ := NewPrinter(ios, "csv", "", nil)
	w := p.NewCSVWriter([]string{"type", "last", "expr", "quote.last"})
	for _, ev := range []any{quote{"quote", "1.5"}, alert{"alert", "X.last > 1", quote{"quote", "1.5"}}} {
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	want := "type,last,expr,quote.last\nquote,1.5,,\nalert,,X.last > 1,1.5\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("CSV stream (-want +got):\n%s", diff)
	}
}
