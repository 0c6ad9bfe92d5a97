// Package expr is the condition language of `tradectl watch --until` and
// `--alert`: comparisons of quote fields against decimal numbers, joined
// with and, or and not.
//
//	BTC-USD.last >= 60000
//	ETH-USD.bid < 2000 or BTC-USD.change_pct > 5
//	not (AAPL.ask > 200.5) and BTC-USD.last != 0
//
// An operand is a field reference SYMBOL.field — the field is what follows
// the last dot, so BRK.B.last reads field last of BRK.B — or a plain decimal
// number (-1.5, 0.001, 60000; no exponents). Symbols are written any way
// trade.ParseSymbol accepts and held in canonical form. Keywords are
// case-insensitive; &&, || and ! mean and, or and not. not binds tightest,
// then comparisons, then and, then or.
//
// Expressions are parsed once, up front, so a typo fails before any quote
// is fetched; evaluation only compares decimals and cannot fail. Input is
// bounded in length and nesting so a hostile expression cannot exhaust the
// stack.
package expr

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// Limits on an expression's source.
const (
	MaxLen   = 4096
	MaxDepth = 64
)

// Field is a quote field an expression can read.
type Field string

// Fields. Change, ChangePct, High and Low cover the time since the watch
// started (see Tracker for the exact rules).
const (
	FieldBid       Field = "bid"
	FieldAsk       Field = "ask"
	FieldLast      Field = "last"
	FieldMid       Field = "mid"
	FieldSpread    Field = "spread"
	FieldChange    Field = "change"
	FieldChangePct Field = "change_pct"
	FieldHigh      Field = "high"
	FieldLow       Field = "low"
)

// Fields lists every field in the order help text shows them. It returns a
// new slice each time so callers cannot change the language by accident.
func Fields() []Field {
	return []Field{FieldBid, FieldAsk, FieldLast, FieldMid, FieldSpread, FieldChange, FieldChangePct, FieldHigh, FieldLow}
}

func fieldNames() string {
	names := make([]string, 0, 9)
	for _, f := range Fields() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// Ref is one field of one symbol, as an expression names it.
type Ref struct {
	Symbol trade.Symbol
	Field  Field
}

func (r Ref) String() string { return r.Symbol.String() + "." + string(r.Field) }

// Env supplies field values at evaluation time. ok is false when the value
// is not known yet (no quote, no trade since start).
type Env interface {
	Field(sym trade.Symbol, f Field) (v decimal.Decimal, ok bool)
}

// MapEnv is an Env over fixed values; references missing from the map are
// unknown.
type MapEnv map[Ref]decimal.Decimal

// Field implements Env.
func (m MapEnv) Field(sym trade.Symbol, f Field) (decimal.Decimal, bool) {
	v, ok := m[Ref{Symbol: sym, Field: f}]
	return v, ok
}

// Expr is a parsed expression. It is immutable and safe for concurrent use.
type Expr struct {
	root node
	refs []Ref
}

// Parse parses src. A malformed expression returns a *SyntaxError that
// names the column of the mistake.
func Parse(src string) (*Expr, error) {
	if len(src) > MaxLen {
		return nil, withSource(src, errorAt(MaxLen, fmt.Sprintf("expression is longer than %d bytes", MaxLen)))
	}
	toks, err := lex(src)
	if err != nil {
		return nil, withSource(src, err)
	}
	if toks[0].kind == tokEOF {
		return nil, withSource(src, errorAt(toks[0].pos, "empty expression"))
	}
	p := &parser{src: src, toks: toks}
	root, err := p.parseOr()
	if err == nil {
		err = p.expectEnd()
	}
	if err != nil {
		return nil, withSource(src, err)
	}
	e := &Expr{root: root}
	root.refs(func(r Ref) {
		if !slices.Contains(e.refs, r) {
			e.refs = append(e.refs, r)
		}
	})
	return e, nil
}

// MustParse parses src and panics on error; for tests and constants.
func MustParse(src string) *Expr {
	e, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return e
}

// Refs lists the distinct field references in order of first appearance.
func (e *Expr) Refs() []Ref { return slices.Clone(e.refs) }

// Symbols lists the distinct symbols the expression reads, in order of
// first appearance: what a watch must subscribe to.
func (e *Expr) Symbols() []trade.Symbol {
	var out []trade.Symbol
	for _, r := range e.refs {
		if !slices.Contains(out, r.Symbol) {
			out = append(out, r.Symbol)
		}
	}
	return out
}

// Eval reports whether the expression holds for the values in env.
//
// A comparison that reads an unknown value is neither true nor false but
// unknown, and unknown propagates as in SQL: not unknown is unknown, false
// and unknown is false, true or unknown is true. Eval reports true only for
// a definite true. So before the first quote arrives no condition fires —
// not even `not (X.last > 5)` — and `X.last <= 5` and `not (X.last > 5)`
// always agree. The error is only for a nil Expr or Env.
func (e *Expr) Eval(env Env) (bool, error) {
	if e == nil || e.root == nil {
		return false, errors.New("evaluate: nil expression")
	}
	if env == nil {
		return false, errors.New("evaluate: nil environment")
	}
	return e.root.eval(env) == isTrue, nil
}

// String returns the expression in canonical form: canonical symbols,
// lower-case keywords and fields, normalised numbers, single spaces and
// only the parentheses needed (plus one after every not). Parsing it gives
// an equivalent expression, provided it still fits MaxLen, which the
// added spaces can exceed for a source written without any.
func (e *Expr) String() string {
	if e == nil || e.root == nil {
		return ""
	}
	var b strings.Builder
	e.root.write(&b, precOr)
	return b.String()
}

// MarshalText implements encoding.TextMarshaler with the canonical form.
func (e *Expr) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler by parsing.
func (e *Expr) UnmarshalText(b []byte) error {
	parsed, err := Parse(string(b))
	if err != nil {
		return err
	}
	*e = *parsed
	return nil
}

// truth is three-valued so that missing data is not mistaken for false.
type truth int8

const (
	isFalse truth = iota
	isTrue
	isUnknown
)

type prec int

const (
	precOr prec = iota
	precAnd
)

type node interface {
	eval(env Env) truth
	write(b *strings.Builder, ctx prec)
	refs(yield func(Ref))
}

type orNode struct{ terms []node }

func (n *orNode) eval(env Env) truth {
	out := isFalse
	for _, t := range n.terms {
		switch t.eval(env) {
		case isTrue:
			return isTrue
		case isUnknown:
			out = isUnknown
		}
	}
	return out
}

func (n *orNode) write(b *strings.Builder, ctx prec) {
	if ctx > precOr {
		b.WriteByte('(')
	}
	for i, t := range n.terms {
		if i > 0 {
			b.WriteString(" or ")
		}
		t.write(b, precOr)
	}
	if ctx > precOr {
		b.WriteByte(')')
	}
}

func (n *orNode) refs(yield func(Ref)) {
	for _, t := range n.terms {
		t.refs(yield)
	}
}

type andNode struct{ terms []node }

func (n *andNode) eval(env Env) truth {
	out := isTrue
	for _, t := range n.terms {
		switch t.eval(env) {
		case isFalse:
			return isFalse
		case isUnknown:
			out = isUnknown
		}
	}
	return out
}

func (n *andNode) write(b *strings.Builder, _ prec) {
	for i, t := range n.terms {
		if i > 0 {
			b.WriteString(" and ")
		}
		t.write(b, precAnd)
	}
}

func (n *andNode) refs(yield func(Ref)) {
	for _, t := range n.terms {
		t.refs(yield)
	}
}

type notNode struct{ x node }

func (n *notNode) eval(env Env) truth {
	switch n.x.eval(env) {
	case isTrue:
		return isFalse
	case isFalse:
		return isTrue
	}
	return isUnknown
}

func (n *notNode) write(b *strings.Builder, _ prec) {
	// Always parenthesised: "not (a > 1)" cannot be misread as
	// "(not a) > 1", and the parser counts "not (" as one level, so this
	// never nests deeper than the source did.
	b.WriteString("not (")
	n.x.write(b, precOr)
	b.WriteByte(')')
}

func (n *notNode) refs(yield func(Ref)) { n.x.refs(yield) }

type cmpNode struct {
	op   string
	l, r operand
}

func (n *cmpNode) eval(env Env) truth {
	l, lok := n.l.value(env)
	r, rok := n.r.value(env)
	if !lok || !rok {
		return isUnknown
	}
	c := l.Cmp(r)
	var ok bool
	switch n.op {
	case "<":
		ok = c < 0
	case "<=":
		ok = c <= 0
	case ">":
		ok = c > 0
	case ">=":
		ok = c >= 0
	case "==":
		ok = c == 0
	case "!=":
		ok = c != 0
	}
	if ok {
		return isTrue
	}
	return isFalse
}

func (n *cmpNode) write(b *strings.Builder, _ prec) {
	n.l.write(b)
	b.WriteByte(' ')
	b.WriteString(n.op)
	b.WriteByte(' ')
	n.r.write(b)
}

func (n *cmpNode) refs(yield func(Ref)) {
	for _, o := range []operand{n.l, n.r} {
		if o.isRef {
			yield(o.ref)
		}
	}
}

type operand struct {
	isRef bool
	ref   Ref
	lit   decimal.Decimal
}

func (o operand) value(env Env) (decimal.Decimal, bool) {
	if o.isRef {
		return env.Field(o.ref.Symbol, o.ref.Field)
	}
	return o.lit, true
}

func (o operand) write(b *strings.Builder) {
	if o.isRef {
		b.WriteString(o.ref.String())
		return
	}
	b.WriteString(o.lit.String())
}
