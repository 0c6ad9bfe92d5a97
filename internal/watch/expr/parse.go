package expr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tradectl/tradectl/internal/trade"
)

// SyntaxError is a malformed expression: what is wrong and where.
type SyntaxError struct {
	// Expr is the expression as given.
	Expr string
	// Column is the 1-based byte offset of the mistake; len(Expr)+1 when
	// the expression ended too early.
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s at column %d", e.Msg, e.Column) }

// caretWindow is how much of a long expression Caret shows on either side
// of the mistake, so the caret stays on a terminal line.
const caretWindow = 40

// Caret shows the expression with a ^ under the mistake, for the CLI:
//
//	BTC-USD.last 60000
//	             ^
//
// Line breaks and tabs print as spaces and the caret counts characters,
// not bytes, so it lines up on a terminal for any UTF-8 input.
func (e *SyntaxError) Caret() string {
	pos := min(max(e.Column-1, 0), len(e.Expr))
	start, end := 0, len(e.Expr)
	prefix, suffix := "", ""
	if pos-start > caretWindow {
		start = pos - caretWindow
		for start < pos && !utf8.RuneStart(e.Expr[start]) {
			start++
		}
		prefix = "…"
	}
	if end-pos > caretWindow {
		end = pos + caretWindow
		for end > pos && end < len(e.Expr) && !utf8.RuneStart(e.Expr[end]) {
			end--
		}
		suffix = "…"
	}
	flat := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return ' '
			}
			return r
		}, s)
	}
	pad := utf8.RuneCountInString(prefix) + utf8.RuneCountInString(e.Expr[start:pos])
	return prefix + flat(e.Expr[start:end]) + suffix + "\n" + strings.Repeat(" ", pad) + "^"
}

func errorAt(pos int, msg string) *SyntaxError { return &SyntaxError{Column: pos + 1, Msg: msg} }

func withSource(src string, err error) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		se.Expr = src
	}
	return err
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// enter counts one level of nesting; the recursion of the parser, String
// and Eval is bounded by it.
func (p *parser) enter(at token) error {
	if p.depth >= MaxDepth {
		return errorAt(at.pos, fmt.Sprintf("expression nests deeper than %d levels", MaxDepth))
	}
	p.depth++
	return nil
}

func (p *parser) leave() { p.depth-- }

// parseOr parses and-terms joined by or. Chains are kept flat, so a long
// "a or b or c …" costs no depth.
func (p *parser) parseOr() (node, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokOr {
		return first, nil
	}
	n := &orNode{}
	n.add(first)
	for p.peek().kind == tokOr {
		p.next()
		t, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		n.add(t)
	}
	return n, nil
}

func (n *orNode) add(t node) {
	if inner, ok := t.(*orNode); ok {
		n.terms = append(n.terms, inner.terms...)
		return
	}
	n.terms = append(n.terms, t)
}

func (p *parser) parseAnd() (node, error) {
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokAnd {
		return first, nil
	}
	n := &andNode{}
	n.add(first)
	for p.peek().kind == tokAnd {
		p.next()
		t, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		n.add(t)
	}
	return n, nil
}

func (n *andNode) add(t node) {
	if inner, ok := t.(*andNode); ok {
		n.terms = append(n.terms, inner.terms...)
		return
	}
	n.terms = append(n.terms, t)
}

func (p *parser) parseUnary() (node, error) {
	if p.peek().kind != tokNot {
		return p.parsePrimary()
	}
	not := p.next()
	// "not (" is one level, not two, so the canonical form, which always
	// writes "not (…)", nests no deeper than what the user wrote.
	if p.peek().kind != tokLParen {
		if err := p.enter(not); err != nil {
			return nil, err
		}
		defer p.leave()
	}
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &notNode{x: x}, nil
}

func (p *parser) parsePrimary() (node, error) {
	if p.peek().kind == tokLParen {
		open := p.next()
		if err := p.enter(open); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if t := p.peek(); t.kind != tokRParen {
			return nil, p.unexpectedAfterCondition(t, fmt.Sprintf(`expected ")" to close the "(" from column %d`, open.pos+1))
		}
		p.next()
		return x, nil
	}
	l, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	op := p.peek()
	if op.kind != tokOp {
		return nil, errorAt(op.pos, "expected comparison operator (<, <=, >, >=, ==, !=) but found "+op.describe())
	}
	p.next()
	r, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	return &cmpNode{op: op.text, l: l, r: r}, nil
}

func (p *parser) expectEnd() error {
	t := p.peek()
	switch t.kind {
	case tokEOF:
		return nil
	case tokRParen:
		return errorAt(t.pos, `unmatched ")"`)
	}
	return p.unexpectedAfterCondition(t, "expected and, or or the end of the expression")
}

// unexpectedAfterCondition explains a token that cannot follow a complete
// condition, naming the usual cause when there is one.
func (p *parser) unexpectedAfterCondition(t token, expected string) error {
	switch t.kind {
	case tokOp:
		return errorAt(t.pos, fmt.Sprintf("comparisons cannot be chained; join them with and (found %q)", t.text))
	case tokWord, tokNumber, tokLParen, tokNot:
		return errorAt(t.pos, expected+" but found "+t.describe()+"; a missing and/or?")
	}
	return errorAt(t.pos, expected+" but found "+t.describe())
}

func (p *parser) parseOperand() (operand, error) {
	t := p.peek()
	switch t.kind {
	case tokNumber:
		p.next()
		return p.number(t)
	case tokWord:
		p.next()
		return p.word(t)
	}
	return operand{}, errorAt(t.pos, "expected a field such as BTC-USD.last or a number but found "+t.describe())
}

func (p *parser) number(t token) (operand, error) {
	if exponentAt(p.src, t.pos) {
		return operand{}, errorAt(t.pos, fmt.Sprintf("exponent notation is not allowed (%q); write the number out, like 60000 or 0.001", p.exponentText(t.pos)))
	}
	d, err := trade.ParseDecimal(t.text)
	if err != nil {
		return operand{}, errorAt(t.pos, fmt.Sprintf("invalid number %q: want a plain decimal like -1.5, 0.001 or 60000", t.text))
	}
	return operand{lit: d}, nil
}

// exponentText is the whole of an exponent-notation number, which the
// lexer may have split at an exponent sign ("1e+3").
func (p *parser) exponentText(pos int) string {
	end := pos + 1
	for end < len(p.src) && (isWordByte(p.src[end]) || (p.src[end] == '+' || p.src[end] == '-') && (p.src[end-1] == 'e' || p.src[end-1] == 'E')) {
		end++
	}
	return p.src[pos:end]
}

func looksNumeric(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) && w[i] != '.' {
			return false
		}
	}
	return true
}

func (p *parser) word(t token) (operand, error) {
	w := t.text
	if c := w[0]; (isDigit(c) || c == '.') && looksNumeric(w) {
		return p.number(t)
	}
	dot := strings.LastIndexByte(w, '.')
	field := Field("")
	if dot >= 0 {
		field = Field(strings.ToLower(w[dot+1:]))
	}
	known := false
	for _, f := range Fields() {
		if f == field {
			known = true
			break
		}
	}
	// A known field settles it even if the symbol looks like an exponent
	// number: 1E5.last is a ticker's last price.
	if !known && exponentAt(p.src, t.pos) {
		return p.number(t)
	}
	switch {
	case dot < 0:
		if isDigit(w[0]) {
			return operand{}, errorAt(t.pos, fmt.Sprintf("invalid number %q: want a plain decimal like -1.5, 0.001 or 60000", w))
		}
		if _, err := trade.ParseSymbol(w); err == nil {
			return operand{}, errorAt(t.pos+len(w), fmt.Sprintf("%q needs a field, like %s.last (fields: %s)", w, w, fieldNames()))
		}
		return operand{}, errorAt(t.pos, fmt.Sprintf("expected a field such as BTC-USD.last or a number but found %q", w))
	case dot == 0:
		return operand{}, errorAt(t.pos, fmt.Sprintf("missing symbol before %q", w))
	case field == "":
		return operand{}, errorAt(t.pos+len(w), fmt.Sprintf("missing field after %q (fields: %s)", w, fieldNames()))
	case !known:
		return operand{}, errorAt(t.pos+dot+1, fmt.Sprintf("unknown field %q (fields: %s)", w[dot+1:], fieldNames()))
	}
	sym, err := trade.ParseSymbol(w[:dot])
	if err != nil {
		return operand{}, errorAt(t.pos, err.Error())
	}
	return operand{isRef: true, ref: Ref{Symbol: sym, Field: field}}, nil
}
