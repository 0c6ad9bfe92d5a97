package alpaca

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// wireMsg is one element of a market data stream message, as scanFrame
// reads it: the fields the decoder uses, each a slice of the frame (a
// string with escapes is decoded into a copy of its own). Numbers keep
// their text, read as decimals by the decoder.
type wireMsg struct {
	T, Msg, S, Time []byte
	Code            int
	BP, AP, P       []byte
}

// scanFrame reads a message of the market data stream, an array of
// objects, into msgs (reused: its elements are overwritten) and returns
// them. It reads what encoding/json would read into the fields above from
// Alpaca's keys, with the same checks — the whole frame must be valid
// JSON, a field of the wrong type fails it, null leaves a field as it
// was, the last of repeated keys wins, a number field also takes a string
// holding a number — without reflection or an allocation per field, since
// it runs for every frame. Keys match exactly, as Alpaca writes them.
func scanFrame(frame []byte, msgs []wireMsg) ([]wireMsg, error) {
	s := scanner{b: frame}
	s.space()
	if s.literal("null") {
		return msgs[:0], s.end()
	}
	if !s.consume('[') {
		return nil, s.fail("a message is an array")
	}
	msgs = msgs[:0]
	s.space()
	if s.consume(']') {
		return msgs, s.end()
	}
	for {
		msgs = append(msgs, wireMsg{})
		if err := s.element(&msgs[len(msgs)-1]); err != nil {
			return nil, err
		}
		if done, err := s.afterElement(']'); err != nil {
			return nil, err
		} else if done {
			return msgs, s.end()
		}
	}
}

// scanner walks one frame.
type scanner struct {
	b []byte
	i int
}

var errFrameSyntax = errors.New("market data stream message")

func (s *scanner) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", errFrameSyntax, what, s.i)
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) consume(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// afterElement reads what follows an element of an array or object up to
// the next element: the closing byte (done) or a comma and the space
// after it.
func (s *scanner) afterElement(closing byte) (done bool, err error) {
	s.space()
	if s.consume(closing) {
		return true, nil
	}
	if !s.consume(',') {
		return false, s.fail("expected , or " + string(closing))
	}
	s.space()
	return false, nil
}

func (s *scanner) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

func (s *scanner) end() error {
	s.space()
	if s.i != len(s.b) {
		return s.fail("text after the message")
	}
	return nil
}

// element reads one object (or null, which leaves m empty).
func (s *scanner) element(m *wireMsg) error {
	if s.literal("null") {
		return nil
	}
	if !s.consume('{') {
		return s.fail("an element is an object")
	}
	s.space()
	if s.consume('}') {
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		s.space()
		if !s.consume(':') {
			return s.fail("expected :")
		}
		s.space()
		if err := s.field(m, key); err != nil {
			return err
		}
		if done, err := s.afterElement('}'); done || err != nil {
			return err
		}
	}
}

// field reads the value of key into m, or skips it.
func (s *scanner) field(m *wireMsg, key []byte) error {
	switch string(key) {
	case "T":
		return s.strField(&m.T, "T")
	case "S":
		return s.strField(&m.S, "S")
	case "msg":
		return s.strField(&m.Msg, "msg")
	case "t":
		return s.strField(&m.Time, "t")
	case "bp":
		return s.numField(&m.BP, "bp")
	case "ap":
		return s.numField(&m.AP, "ap")
	case "p":
		return s.numField(&m.P, "p")
	case "code":
		if s.literal("null") {
			return nil
		}
		text, err := s.number()
		if err != nil {
			return err
		}
		n, err := strconv.ParseInt(string(text), 10, 0)
		if err != nil {
			return s.fail("code is not an integer")
		}
		m.Code = int(n)
		return nil
	case "quotes":
		// Never read, but a subscription's list of anything but strings
		// is no message of Alpaca's.
		return s.stringList("quotes")
	}
	return s.skip()
}

func (s *scanner) strField(dst *[]byte, name string) error {
	if s.literal("null") {
		return nil
	}
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return s.fail(name + " is not a string")
	}
	v, err := s.str()
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// numField reads a number, or a string holding one.
func (s *scanner) numField(dst *[]byte, name string) error {
	if s.literal("null") {
		return nil
	}
	if s.i < len(s.b) && s.b[s.i] == '"' {
		v, err := s.str()
		if err != nil {
			return err
		}
		if !validNumber(v) {
			return s.fail(name + " is not a number")
		}
		*dst = v
		return nil
	}
	v, err := s.number()
	if err != nil {
		return s.fail(name + " is not a number")
	}
	*dst = v
	return nil
}

func (s *scanner) stringList(name string) error {
	if s.literal("null") {
		return nil
	}
	if !s.consume('[') {
		return s.fail(name + " is not a list")
	}
	s.space()
	if s.consume(']') {
		return nil
	}
	for {
		if !s.literal("null") {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return s.fail(name + " holds a non-string")
			}
			if _, err := s.str(); err != nil {
				return err
			}
		}
		if done, err := s.afterElement(']'); done || err != nil {
			return err
		}
	}
}

// str reads a string and returns its content: a slice of the frame, or
// for one with escapes, a decoded copy.
func (s *scanner) str() ([]byte, error) {
	if !s.consume('"') {
		return nil, s.fail("expected a string")
	}
	start, escaped := s.i, false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if escaped {
				var out string
				if err := json.Unmarshal(s.b[start-1:s.i], &out); err != nil {
					return nil, s.fail("bad string")
				}
				return []byte(out), nil
			}
			return v, nil
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.b) {
				return nil, s.fail("unterminated string")
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return nil, s.fail("short \\u escape")
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !isHex(h) {
						return nil, s.fail("bad \\u escape")
					}
				}
				s.i += 6
			default:
				return nil, s.fail("bad escape")
			}
		case c < 0x20:
			return nil, s.fail("control character in a string")
		default:
			s.i++
		}
	}
	return nil, s.fail("unterminated string")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number reads a JSON number and returns its text.
func (s *scanner) number() ([]byte, error) {
	n := numberLen(s.b[s.i:])
	if n == 0 {
		return nil, s.fail("expected a number")
	}
	v := s.b[s.i : s.i+n]
	s.i += n
	return v, nil
}

// numberLen is the length of the JSON number b starts with, 0 if none.
func numberLen(b []byte) int {
	i := 0
	digits := func() int {
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return 0
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0
		}
	}
	return i
}

// validNumber says whether b is exactly one JSON number.
func validNumber(b []byte) bool {
	n := numberLen(b)
	return n > 0 && n == len(b)
}

// skip reads any JSON value of an element's field, checking its syntax.
func (s *scanner) skip() error {
	return s.skipDepth(3) // a container here is the frame's third level
}

// maxDepth bounds nesting, counted from the frame's array, as
// encoding/json does.
const maxDepth = 10000

// skipDepth skips a value; a container there would be at level depth.
func (s *scanner) skipDepth(depth int) error {
	if s.i >= len(s.b) {
		return s.fail("unexpected end")
	}
	switch c := s.b[s.i]; {
	case (c == '{' || c == '[') && depth > maxDepth:
		return s.fail("nested too deeply")
	case c == '"':
		_, err := s.str()
		return err
	case c == '{':
		s.i++
		s.space()
		if s.consume('}') {
			return nil
		}
		for {
			if _, err := s.str(); err != nil {
				return err
			}
			s.space()
			if !s.consume(':') {
				return s.fail("expected :")
			}
			s.space()
			if err := s.skipDepth(depth + 1); err != nil {
				return err
			}
			if done, err := s.afterElement('}'); done || err != nil {
				return err
			}
		}
	case c == '[':
		s.i++
		s.space()
		if s.consume(']') {
			return nil
		}
		for {
			if err := s.skipDepth(depth + 1); err != nil {
				return err
			}
			if done, err := s.afterElement(']'); done || err != nil {
				return err
			}
		}
	case c == '-' || '0' <= c && c <= '9':
		_, err := s.number()
		return err
	case s.literal("true") || s.literal("false") || s.literal("null"):
		return nil
	}
	return s.fail("unexpected character")
}
