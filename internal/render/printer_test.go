package render

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/iostreams"
)

type row struct {
	ID    string `json:"id"`
	Price string `json:"price"`
	Qty   int    `json:"qty"`
}

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func sample() ([]row, func() *TableData) {
	rows := []row{{"1", "100.5", 2}, {"22", "7", 10}}
	return rows, func() *TableData {
		t := &TableData{Columns: []Column{{Header: "id"}, {Header: "price", Right: true}, {Header: "created at"}}}
		t.AddRow(S("1", Accent), T("100.5"), At(now.Add(-90*time.Second)))
		t.AddRow(T("22"), T("7"), At(now.Add(-3*time.Hour)))
		return t
	}
}

func TestPrinterFormats(t *testing.T) {
	tests := []struct {
		name, format, jq string
		tty, color       bool
		want             string
	}{
		{name: "piped table is plain and absolute", format: "table", want: "" +
			"ID  PRICE  CREATED AT\n" +
			"1   100.5  2026-11-27T11:58:30.000Z\n" +
			"22      7  2026-11-27T09:00:00.000Z\n"},
		{name: "tty table is relative", format: "table", tty: true, want: "" +
			"ID  PRICE  CREATED AT\n" +
			"1   100.5  1m ago\n" +
			"22      7  3h ago\n"},
		{name: "json array", format: "json", want: "[\n  {\n    \"id\": \"1\",\n    \"price\": \"100.5\",\n    \"qty\": 2\n  },\n  {\n    \"id\": \"22\",\n    \"price\": \"7\",\n    \"qty\": 10\n  }\n]\n"},
		{name: "ndjson one per line", format: "ndjson", want: "{\"id\":\"1\",\"price\":\"100.5\",\"qty\":2}\n{\"id\":\"22\",\"price\":\"7\",\"qty\":10}\n"},
		{name: "csv is the JSON fields", format: "csv", want: "id,price,qty\n1,100.5,2\n22,7,10\n"},
		{name: "jq strings raw", format: "", jq: ".[].id", want: "1\n22\n"},
		{name: "jq numbers and objects", format: "json", jq: ".[1] | {qty}", want: "{\n  \"qty\": 10\n}\n"},
		{name: "jq with ndjson is compact", format: "ndjson", jq: ".[0]", want: "{\"id\":\"1\",\"price\":\"100.5\",\"qty\":2}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetTTY(false, tt.tty, false)
			ios.SetColor(tt.color)
			p, err := NewPrinter(ios, tt.format, tt.jq, func() time.Time { return now })
			if err != nil {
				t.Fatal(err)
			}
			data, table := sample()
			if err := p.Print(data, table); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrinterColorOnlyWhenEnabled(t *testing.T) {
	for _, color := range []bool{false, true} {
		ios, _, out, _ := iostreams.Test()
		ios.SetTTY(false, true, false)
		ios.SetColor(color)
		p, _ := NewPrinter(ios, "table", "", func() time.Time { return now })
		data, table := sample()
		if err := p.Print(data, table); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "\x1b["); got != color {
			t.Errorf("colour=%v: escape codes present=%v in %q", color, got, out.String())
		}
	}
}

func TestEmptyListIsArray(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	p, _ := NewPrinter(ios, "json", "", nil)
	var none []row
	if err := p.Print(none, func() *TableData { return &TableData{} }); err != nil {
		t.Fatal(err)
	}
	if out.String() != "[]\n" || errOut.Len() != 0 {
		t.Errorf("got stdout %q stderr %q, want []", out.String(), errOut.String())
	}
}

func TestTableFitsTerminal(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, true, false)
	ios.SetTerminalWidth(30)
	p, _ := NewPrinter(ios, "table", "", nil)
	err := p.Print(nil, func() *TableData {
		t := &TableData{Columns: []Column{{Header: "id"}, {Header: "note", Shrink: true}, {Header: "qty", Right: true}}}
		t.AddRow(T("1"), T(strings.Repeat("long text ", 10)), T("5"))
		return t
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if w := len([]rune(line)); w > 30 {
			t.Errorf("line %q is %d wide, terminal is 30", line, w)
		}
	}
	if !strings.Contains(out.String(), "…") {
		t.Errorf("truncated cell should end with an ellipsis: %q", out.String())
	}
}

func TestControlCharactersStripped(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	p, _ := NewPrinter(ios, "table", "", nil)
	_ = p.Print(nil, func() *TableData {
		t := &TableData{Columns: []Column{{Header: "msg"}}}
		t.AddRow(T("evil\x1b[2Jtext"))
		return t
	})
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("escape sequence from data reached the terminal: %q", out.String())
	}
}

func TestBadFormatAndJQ(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	if _, err := NewPrinter(ios, "yaml", "", nil); err == nil || !strings.Contains(err.Error(), "table, json, ndjson, csv") {
		t.Errorf("unknown format error = %v, want the allowed list", err)
	}
	if _, err := NewPrinter(ios, "json", ".[", nil); err == nil || !strings.Contains(err.Error(), "invalid jq expression") {
		t.Errorf("bad jq error = %v", err)
	}
}

func TestRelative(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "now"}, {5 * time.Second, "5s ago"}, {-5 * time.Minute, "in 5m"}, {49 * time.Hour, "2d ago"}, {30 * 24 * time.Hour, "2026-10-28"},
	}
	for _, tt := range tests {
		if got := Relative(now, now.Add(-tt.d)); got != tt.want {
			t.Errorf("Relative(-%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// export is a list whose CSV is a fixed set of columns, not its JSON.
type export []row

func (e export) CSVTable() ([]string, [][]string) {
	rows := [][]string{}
	for _, r := range e {
		rows = append(rows, []string{r.ID, r.Price})
	}
	return []string{"ref", "amount"}, rows
}

// TestCSVTabler: data that lays out its own CSV keeps its columns, and its
// header even when there is no row; JSON still shows its fields.
func TestCSVTabler(t *testing.T) {
	tests := []struct {
		name, format string
		data         export
		want         string
	}{
		{"rows", "csv", export{{"1", "100.5", 2}, {"22", "7", 10}}, "ref,amount\n1,100.5\n22,7\n"},
		{"no rows keeps the header", "csv", nil, "ref,amount\n"},
		{"json is unchanged", "ndjson", export{{"1", "100.5", 2}}, "{\"id\":\"1\",\"price\":\"100.5\",\"qty\":2}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			p, err := NewPrinter(ios, tt.format, "", func() time.Time { return now })
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Print(tt.data, nil); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}
