package expr

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		src     string
		want    string // canonical String()
		symbols []string
	}{
		{"BTC-USD.last >= 60000", "BTC-USD.last >= 60000", []string{"BTC-USD"}},
		{"ETH-USD.bid < 2000 or BTC-USD.change_pct > 5", "ETH-USD.bid < 2000 or BTC-USD.change_pct > 5", []string{"ETH-USD", "BTC-USD"}},
		{"not (AAPL.ask > 200.5) and BTC-USD.last != 0", "not (AAPL.ask > 200.5) and BTC-USD.last != 0", []string{"AAPL", "BTC-USD"}},
		{"btc/usd.mid <= 1000", "BTC-USD.mid <= 1000", []string{"BTC-USD"}},
		{"btc_usd.LAST>-1.50", "BTC-USD.last > -1.5", []string{"BTC-USD"}},
		{"BRK.B.last > 400", "BRK.B.last > 400", []string{"BRK.B"}},
		{"1E5.last > 1", "1E5.last > 1", []string{"1E5"}},
		{"1inch-usd.high<=.5", "1INCH-USD.high <= 0.5", []string{"1INCH-USD"}},
		{"a.low > +2 AND b.spread < 0.0010 Or NOT c.mid == 060000", "A.low > 2 and B.spread < 0.001 or not (C.mid == 60000)", []string{"A", "B", "C"}},
		{"a.last > 1 && b.last < 2 || !(c.bid == 3)", "A.last > 1 and B.last < 2 or not (C.bid == 3)", []string{"A", "B", "C"}},
		{"(a.last > 1 or b.last > 2) and c.last > 3", "(A.last > 1 or B.last > 2) and C.last > 3", []string{"A", "B", "C"}},
		{"((a.last > 1 or b.last > 2)) or (c.last > 3)", "A.last > 1 or B.last > 2 or C.last > 3", []string{"A", "B", "C"}},
		{"a.last > 1 and (b.last > 2 and c.last > 3)", "A.last > 1 and B.last > 2 and C.last > 3", []string{"A", "B", "C"}},
		{"not not a.last > 1", "not (not (A.last > 1))", []string{"A"}},
		{"!!(a.ask<a.bid)", "not (not (A.ask < A.bid))", []string{"A"}},
		{"\ta.last\n>\r\n1 ", "A.last > 1", []string{"A"}},
		{"1 < 2", "1 < 2", nil},
		{"a.last > 1 or A.bid > 1 or a.LAST < 0", "A.last > 1 or A.bid > 1 or A.last < 0", []string{"A"}},
		{"x-y.change >= -0.25", "X-Y.change >= -0.25", []string{"X-Y"}},
		{"or.last > 1", "OR.last > 1", []string{"OR"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			var syms []string
			for _, s := range e.Symbols() {
				syms = append(syms, s.String())
			}
			if diff := cmp.Diff(tt.symbols, syms); diff != "" {
				t.Errorf("Symbols (-want +got):\n%s", diff)
			}
			again, err := Parse(e.String())
			if err != nil {
				t.Fatalf("Parse(String()): %v", err)
			}
			if again.String() != e.String() {
				t.Errorf("canonical form is not stable: %q then %q", e.String(), again.String())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("(", MaxDepth+1) + "a.last > 1" + strings.Repeat(")", MaxDepth+1)
	nots := strings.Repeat("not ", MaxDepth+1) + "a.last > 1"
	tests := []struct {
		src    string
		column int
		msg    string
	}{
		{"btc/usd.mid <= 1e3", 16, `exponent notation is not allowed ("1e3"); write the number out, like 60000 or 0.001`},
		{"BTC-USD.last 60000", 14, `expected comparison operator (<, <=, >, >=, ==, !=) but found "60000"`},
		{"", 1, "empty expression"},
		{"   ", 4, "empty expression"},
		{"BTC-USD.last >=", 16, "expected a field such as BTC-USD.last or a number but found end of expression"},
		{"BTC-USD.last = 5", 14, `single "=" is not a comparison; use "==" for equality`},
		{"BTC-USD.lst > 5", 9, `unknown field "lst" (fields: bid, ask, last, mid, spread, change, change_pct, high, low)`},
		{"BTC-USD > 5", 8, `"BTC-USD" needs a field, like BTC-USD.last (fields: bid, ask, last, mid, spread, change, change_pct, high, low)`},
		{"BTC-USD. > 5", 9, `missing field after "BTC-USD." (fields: bid, ask, last, mid, spread, change, change_pct, high, low)`},
		{".last > 5", 1, `missing symbol before ".last"`},
		{"BTC--USD.last > 5", 1, `invalid symbol "BTC--USD": more than one separator`},
		{"toolongassetname-usd.last > 5", 1, `invalid symbol "toolongassetname-usd": base "TOOLONGASSETNAME" is longer than 12 characters`},
		{"(a.last > 1", 12, `expected ")" to close the "(" from column 1 but found end of expression`},
		{"(a.last > 1 b.last > 2)", 13, `expected ")" to close the "(" from column 1 but found "b.last"; a missing and/or?`},
		{"a.last > 1)", 11, `unmatched ")"`},
		{"a.last > 1 < 2", 12, `comparisons cannot be chained; join them with and (found "<")`},
		{"a.last > 1 b.last < 2", 12, `expected and, or or the end of the expression but found "b.last"; a missing and/or?`},
		{"a.last > 1 & b.last < 2", 12, `unexpected '&'; use "&&" or "and"`},
		{"a.last > 1e+3", 10, `exponent notation is not allowed ("1e+3"); write the number out, like 60000 or 0.001`},
		{"a.last > -2.5E-4", 10, `exponent notation is not allowed ("-2.5E-4"); write the number out, like 60000 or 0.001`},
		{"a.last > 0x10", 10, `invalid number "0x10": want a plain decimal like -1.5, 0.001 or 60000`},
		{"a.last > 1.2.3", 10, `invalid number "1.2.3": want a plain decimal like -1.5, 0.001 or 60000`},
		{"a.last > -1x", 10, `invalid number "-1x": want a plain decimal like -1.5, 0.001 or 60000`},
		{"a.last > €5", 10, `unexpected character '€'`},
		{"a.last > 5 and", 15, "expected a field such as BTC-USD.last or a number but found end of expression"},
		{"not", 4, "expected a field such as BTC-USD.last or a number but found end of expression"},
		{"and a.last > 5", 1, `expected a field such as BTC-USD.last or a number but found "and"`},
		{"a.last > price", 15, `"price" needs a field, like price.last (fields: bid, ask, last, mid, spread, change, change_pct, high, low)`},
		{"a.last > (5)", 10, `expected a field such as BTC-USD.last or a number but found "("`},
		{"()", 2, `expected a field such as BTC-USD.last or a number but found ")"`},
		{deep, MaxDepth + 1, "expression nests deeper than 64 levels"},
		{nots, 4*MaxDepth + 1, "expression nests deeper than 64 levels"},
		{strings.Repeat(" ", MaxLen-9) + "a.last > 1", MaxLen + 1, "expression is longer than 4096 bytes"},
	}
	for _, tt := range tests {
		name := tt.src
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tt.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tt.src, err)
			}
			got := struct {
				Column int
				Msg    string
				Expr   string
			}{se.Column, se.Msg, se.Expr}
			want := struct {
				Column int
				Msg    string
				Expr   string
			}{tt.column, tt.msg, tt.src}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseLimitsAtTheEdge(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", MaxDepth) + "a.last > 1" + strings.Repeat(")", MaxDepth),
		strings.Repeat("not ", MaxDepth) + "a.last > 1",
		strings.Repeat("not (", MaxDepth) + "a.last > 1" + strings.Repeat(")", MaxDepth),
		strings.Repeat(" ", MaxLen-10) + "a.last > 1",
		// Long flat chains cost no depth.
		strings.Repeat("a.last > 1 or ", 200) + "a.last > 1",
	} {
		e, err := Parse(src)
		if err != nil {
			t.Errorf("Parse(%.30q…): %v", src, err)
			continue
		}
		if _, err := Parse(e.String()); err != nil {
			t.Errorf("Parse(String()) of %.30q…: %v", src, err)
		}
	}
}

func TestErrorFormats(t *testing.T) {
	_, err := Parse("BTC-USD.last 60000")
	if want := `expected comparison operator (<, <=, >, >=, ==, !=) but found "60000" at column 14`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	tests := []struct {
		src   string
		caret string
	}{
		{"BTC-USD.last 60000", "BTC-USD.last 60000\n             ^"},
		{"BTC-USD.last >=", "BTC-USD.last >=\n               ^"},
		{"a.last\t> €5", "a.last > €5\n         ^"},
		{"ä.last > 1", "ä.last > 1\n^"},
		{strings.Repeat("a.last > 1 and ", 6) + "a.last 1" + strings.Repeat(" and a.last > 1", 6),
			"…nd a.last > 1 and a.last > 1 and a.last 1 and a.last > 1 and a.last > 1 and a.la…\n" +
				strings.Repeat(" ", 1+40) + "^"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q) = %v", tt.src, err)
		}
		if got := se.Caret(); got != tt.caret {
			t.Errorf("Caret() of %q:\n%s\nwant:\n%s", tt.src, got, tt.caret)
		}
	}
}

func env(kv ...string) MapEnv {
	m := MapEnv{}
	for i := 0; i < len(kv); i += 2 {
		dot := strings.LastIndexByte(kv[i], '.')
		m[Ref{Symbol: trade.MustSymbol(kv[i][:dot]), Field: Field(kv[i][dot+1:])}] = trade.Dec(kv[i+1])
	}
	return m
}

func TestEval(t *testing.T) {
	values := env(
		"BTC-USD.last", "60000",
		"BTC-USD.change_pct", "5.5",
		"ETH-USD.bid", "1999.99",
		"AAPL.ask", "200.5",
		"X-Y.last", "0.30",
		"BRK.B.last", "-1.5",
	)
	// AAPL.bid is deliberately missing: no quote for it yet.
	tests := []struct {
		src  string
		want bool
	}{
		{"BTC-USD.last >= 60000", true},
		{"BTC-USD.last > 60000", false},
		{"BTC-USD.last == 60000.000", true},
		{"btc/usd.last <= 60000", true},
		{"BTC-USD.last != 0", true},
		{"ETH-USD.bid < 2000 or BTC-USD.change_pct > 5", true},
		{"ETH-USD.bid < 1999.99 or BTC-USD.change_pct > 5.5", false},
		{"not (AAPL.ask > 200.5) and BTC-USD.last != 0", true},
		{"X-Y.last == 0.3", true},
		{"X-Y.last > 0.2999999999999999999999999", true},
		{"BRK.B.last < -1.49", true},
		{"-1.5 == BRK.B.last", true},
		{"1 < 2", true},
		{"ETH-USD.bid < BTC-USD.last", true},
		// Missing values are unknown, and unknown never fires.
		{"AAPL.bid > 0", false},
		{"AAPL.bid <= 0", false},
		{"AAPL.bid != 0", false},
		{"not (AAPL.bid > 0)", false},
		{"AAPL.bid > 0 or BTC-USD.last > 1", true},
		{"AAPL.bid > 0 and BTC-USD.last > 1", false},
		{"not (AAPL.bid > 0 and BTC-USD.last < 1)", true},
		{"not (AAPL.bid > 0 or BTC-USD.last < 1)", false},
		{"not (not (AAPL.bid > 0))", false},
		{"AAPL.ask == AAPL.bid", false},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := MustParse(tt.src).Eval(values)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Eval = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvalNil(t *testing.T) {
	if _, err := MustParse("a.last > 1").Eval(nil); err == nil {
		t.Error("Eval(nil) did not fail")
	}
	var e *Expr
	if _, err := e.Eval(MapEnv{}); err == nil {
		t.Error("nil Expr Eval did not fail")
	}
}

func TestRefs(t *testing.T) {
	e := MustParse("b.last > 1 and a.bid < 2 or B.LAST < 0 or b/x.ask > a.bid")
	want := []Ref{
		{trade.MustSymbol("B"), FieldLast},
		{trade.MustSymbol("A"), FieldBid},
		{trade.MustSymbol("B-X"), FieldAsk},
	}
	if diff := cmp.Diff(want, e.Refs()); diff != "" {
		t.Errorf("Refs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]trade.Symbol{trade.MustSymbol("B"), trade.MustSymbol("A"), trade.MustSymbol("B-X")}, e.Symbols()); diff != "" {
		t.Errorf("Symbols (-want +got):\n%s", diff)
	}
}

func TestTextMarshalling(t *testing.T) {
	var got struct {
		Until *Expr `json:"until"`
	}
	if err := json.Unmarshal([]byte(`{"until":"btc/usd.last>=1 && !(eth-usd.bid<2)"}`), &got); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"until":"BTC-USD.last \u003e= 1 and not (ETH-USD.bid \u003c 2)"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	if err := json.Unmarshal([]byte(`{"until":"1e3 > 1"}`), &got); err == nil {
		t.Error("bad expression unmarshalled without error")
	}
}

func TestFieldsIsACopy(t *testing.T) {
	f := Fields()
	f[0] = "nonsense"
	if Fields()[0] != FieldBid {
		t.Error("Fields() shares its backing array")
	}
}

func TestTracker(t *testing.T) {
	btc := trade.MustSymbol("BTC-USD")
	tr := NewTracker()
	get := func(f Field) string {
		v, ok := tr.Field(btc, f)
		if !ok {
			return "unknown"
		}
		return v.String()
	}
	all := func() map[Field]string {
		m := map[Field]string{}
		for _, f := range Fields() {
			m[f] = get(f)
		}
		return m
	}
	unknown := map[Field]string{}
	for _, f := range Fields() {
		unknown[f] = "unknown"
	}
	if diff := cmp.Diff(unknown, all()); diff != "" {
		t.Errorf("before any quote (-want +got):\n%s", diff)
	}

	steps := []struct {
		q    trade.Quote
		want map[Field]string
	}{
		{
			trade.Quote{Symbol: btc, Bid: trade.Dec("99.9"), Ask: trade.Dec("100.1")},
			map[Field]string{FieldBid: "99.9", FieldAsk: "100.1", FieldMid: "100", FieldSpread: "0.2",
				FieldLast: "unknown", FieldChange: "unknown", FieldChangePct: "unknown", FieldHigh: "unknown", FieldLow: "unknown"},
		},
		{
			trade.Quote{Symbol: btc, Bid: trade.Dec("99.95"), Ask: trade.Dec("100.05"), Last: trade.Dec("100")},
			map[Field]string{FieldBid: "99.95", FieldAsk: "100.05", FieldMid: "100", FieldSpread: "0.1",
				FieldLast: "100", FieldChange: "0", FieldChangePct: "0", FieldHigh: "100", FieldLow: "100"},
		},
		{
			trade.Quote{Symbol: btc, Bid: trade.Dec("96"), Ask: trade.Dec("97.01"), Last: trade.Dec("97")},
			map[Field]string{FieldBid: "96", FieldAsk: "97.01", FieldMid: "96.505", FieldSpread: "1.01",
				FieldLast: "97", FieldChange: "-3", FieldChangePct: "-3", FieldHigh: "100", FieldLow: "97"},
		},
		{
			// A book-only update with one side empty: last stays, mid goes.
			trade.Quote{Symbol: btc, Ask: trade.Dec("103")},
			map[Field]string{FieldBid: "unknown", FieldAsk: "103", FieldMid: "unknown", FieldSpread: "unknown",
				FieldLast: "97", FieldChange: "-3", FieldChangePct: "-3", FieldHigh: "100", FieldLow: "97"},
		},
		{
			trade.Quote{Symbol: btc, Bid: trade.Dec("102.9"), Ask: trade.Dec("103"), Last: trade.Dec("103")},
			map[Field]string{FieldBid: "102.9", FieldAsk: "103", FieldMid: "102.95", FieldSpread: "0.1",
				FieldLast: "103", FieldChange: "3", FieldChangePct: "3", FieldHigh: "103", FieldLow: "97"},
		},
	}
	for i, s := range steps {
		tr.Update(s.q)
		if diff := cmp.Diff(s.want, all()); diff != "" {
			t.Errorf("after quote %d (-want +got):\n%s", i, diff)
		}
	}

	eth := trade.MustSymbol("ETH-USD")
	tr.Update(trade.Quote{Symbol: eth, Last: trade.Dec("3")})
	tr.Update(trade.Quote{Symbol: eth, Last: trade.Dec("4")})
	if v, _ := tr.Field(eth, FieldChangePct); !v.Equal(trade.Dec("33.3333333333333333")) {
		t.Errorf("change_pct = %s, want 33.3333333333333333 (16 places)", v)
	}
	ok, err := MustParse("BTC-USD.change_pct >= 3 and eth-usd.high == 4 and not (BTC-USD.low < 97)").Eval(tr)
	if err != nil || !ok {
		t.Errorf("Eval over tracker = %v, %v", ok, err)
	}
}

// FuzzParse: Parse never panics; its errors point inside the input; what
// it accepts survives a trip through String and means the same thing.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"BTC-USD.last >= 60000",
		"ETH-USD.bid < 2000 or BTC-USD.change_pct > 5",
		"not (AAPL.ask > 200.5) and BTC-USD.last != 0",
		"btc/usd.mid <= 1e3",
		"BRK.B.last > -1.5 && !(x_y.spread==0.001) || 1 < 2",
		"((a.last > 1 or b.bid < 2)) and not not c.high != -0",
		"a.last > 1 b",
		"€ ( ) = & |",
		"1E5.last>.5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Column < 1 || se.Column > len(src)+1 || se.Expr != src {
				t.Fatalf("column %d outside 1..%d for %q", se.Column, len(src)+1, src)
			}
			_ = se.Caret()
			return
		}
		canon := e.String()
		if len(canon) > MaxLen {
			return // the canonical spacing can outgrow the limit; documented
		}
		e2, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but Parse(String() = %q): %v", src, canon, err)
		}
		if got := e2.String(); got != canon {
			t.Fatalf("String not stable: %q → %q", canon, got)
		}
		if diff := cmp.Diff(e.Refs(), e2.Refs()); diff != "" {
			t.Fatalf("Refs differ (-first +second):\n%s", diff)
		}
		for _, env := range sampleEnvs(e.Refs()) {
			a, _ := e.Eval(env)
			b, _ := e2.Eval(env)
			if a != b {
				t.Fatalf("%q and %q evaluate differently: %v vs %v", src, canon, a, b)
			}
		}
	})
}

// sampleEnvs gives each reference values from a small set that includes
// the usual literals' neighbourhood and, in some envs, no value at all.
func sampleEnvs(refs []Ref) []MapEnv {
	values := []decimal.Decimal{trade.Dec("0"), trade.Dec("1"), trade.Dec("-1.5"), trade.Dec("60000"), trade.Dec("0.001")}
	var envs []MapEnv
	for shift := range 6 {
		m := MapEnv{}
		for i, r := range refs {
			k := (i + shift) % (len(values) + 1)
			if k < len(values) {
				m[r] = values[k]
			}
		}
		envs = append(envs, m)
	}
	return envs
}
