package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokWord             // a field reference or an unsigned number, told apart by the parser
	tokNumber           // a literal that starts with a sign: "-1.5", "+2"
	tokOp               // < <= > >= == !=
	tokAnd
	tokOr
	tokNot
	tokLParen
	tokRParen
)

type token struct {
	kind tokenKind
	text string
	pos  int // byte offset in the source
}

func (t token) describe() string {
	if t.kind == tokEOF {
		return "end of expression"
	}
	return fmt.Sprintf("%q", t.text)
}

// isWordByte reports the bytes of symbols, fields and numbers. '-' and '/'
// are in because symbols use them (BTC-USD, BTC/USD); a negative literal is
// still recognised because it starts a word rather than sitting inside one.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '/'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// lex splits src into tokens; src has passed the length check.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i == len(src) {
			return append(toks, token{kind: tokEOF, pos: i}), nil
		}
		start := i
		c := src[i]
		two := ""
		if i+1 < len(src) {
			two = src[i : i+2]
		}
		switch {
		case c == '(':
			toks = append(toks, token{tokLParen, "(", start})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", start})
			i++
		case two == "<=" || two == ">=" || two == "==" || two == "!=":
			toks = append(toks, token{tokOp, two, start})
			i += 2
		case c == '<' || c == '>':
			toks = append(toks, token{tokOp, src[i : i+1], start})
			i++
		case c == '=':
			return nil, errorAt(start, `single "=" is not a comparison; use "==" for equality`)
		case two == "&&":
			toks = append(toks, token{tokAnd, two, start})
			i += 2
		case two == "||":
			toks = append(toks, token{tokOr, two, start})
			i += 2
		case c == '&' || c == '|':
			return nil, errorAt(start, fmt.Sprintf("unexpected %q; use %q or %q", c, "&&", "and"))
		case c == '!':
			toks = append(toks, token{tokNot, "!", start})
			i++
		case (c == '-' || c == '+') && i+1 < len(src) && (isDigit(src[i+1]) || src[i+1] == '.'):
			i++
			for i < len(src) && isWordByte(src[i]) {
				i++
			}
			toks = append(toks, token{tokNumber, src[start:i], start})
		case isWordByte(c):
			for i < len(src) && isWordByte(src[i]) {
				i++
			}
			word := src[start:i]
			switch strings.ToLower(word) {
			case "and":
				toks = append(toks, token{tokAnd, word, start})
			case "or":
				toks = append(toks, token{tokOr, word, start})
			case "not":
				toks = append(toks, token{tokNot, word, start})
			default:
				toks = append(toks, token{tokWord, word, start})
			}
		default:
			r, _ := utf8.DecodeRuneInString(src[i:])
			return nil, errorAt(start, fmt.Sprintf("unexpected character %q", r))
		}
	}
}

// exponentAt reports whether src at pos holds a number in exponent
// notation ("1e3", "-2.5E-4"), which gets its own message: it is the one
// mistake a script writer is likely to make on purpose.
func exponentAt(src string, pos int) bool {
	i := pos
	if i < len(src) && (src[i] == '-' || src[i] == '+') {
		i++
	}
	digits := 0
	for i < len(src) && (isDigit(src[i]) || src[i] == '.') {
		if isDigit(src[i]) {
			digits++
		}
		i++
	}
	if digits == 0 || i >= len(src) || (src[i] != 'e' && src[i] != 'E') {
		return false
	}
	i++
	if i < len(src) && (src[i] == '-' || src[i] == '+') {
		i++
	}
	return i < len(src) && isDigit(src[i])
}
