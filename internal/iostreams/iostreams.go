// Package iostreams is the one place that decides whether tradectl talks to
// a terminal: TTY detection, colour (NO_COLOR, CLICOLOR_FORCE, --color),
// terminal width, prompts and the spinner all hang off IOStreams.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// IOStreams carries the process's standard streams and what is known
// about them. Commands never touch os.Stdout directly.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	color     bool
	width     int
	absolute  bool
}

// ColorMode is the --color setting.
type ColorMode string

const (
	ColorAuto   ColorMode = "auto"
	ColorAlways ColorMode = "always"
	ColorNever  ColorMode = "never"
)

// System wraps the real standard streams. getenv is consulted for
// NO_COLOR, CLICOLOR_FORCE and COLUMNS.
func System(getenv func(string) string) *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.stdinTTY = isTerminal(os.Stdin)
	s.stdoutTTY = isTerminal(os.Stdout)
	s.stderrTTY = isTerminal(os.Stderr)
	if s.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			s.width = w
		}
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		s.width = n
	}
	s.SetColorMode(ColorAuto, getenv)
	return s
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Test returns streams backed by buffers, not a TTY, without colour.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetColorMode decides colour: never → off; always → on; auto → on only
// when stdout is a terminal, NO_COLOR is unset and TERM is not "dumb".
// CLICOLOR_FORCE (non-"0") turns colour on under auto even when piped.
func (s *IOStreams) SetColorMode(mode ColorMode, getenv func(string) string) {
	switch mode {
	case ColorAlways:
		s.color = true
	case ColorNever:
		s.color = false
	default:
		force := getenv("CLICOLOR_FORCE")
		switch {
		case getenv("NO_COLOR") != "":
			s.color = false
		case force != "" && force != "0":
			s.color = true
		default:
			s.color = s.stdoutTTY && strings.ToLower(getenv("TERM")) != "dumb"
		}
	}
}

// ParseColorMode accepts auto, always and never.
func ParseColorMode(v string) (ColorMode, bool) {
	switch m := ColorMode(strings.ToLower(v)); m {
	case "", ColorAuto:
		return ColorAuto, true
	case ColorAlways, ColorNever:
		return m, true
	}
	return "", false
}

// IsStdoutTTY reports whether stdout is a terminal: tables for people,
// plain text for pipes.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal (spinners go there).
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// IsStdinTTY reports whether a person can answer a prompt.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// CanPrompt reports whether both ends of a question reach a person.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// ColorEnabled reports whether output may carry ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return s.color }

// TerminalWidth is the width to fit tables into; 0 means unknown (no limit).
func (s *IOStreams) TerminalWidth() int { return s.width }

// SetTTY sets what tests pretend the three streams are.
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// SetColor forces colour on or off (tests).
func (s *IOStreams) SetColor(on bool) { s.color = on }

// SetTerminalWidth sets the width tables fit into (tests, COLUMNS).
func (s *IOStreams) SetTerminalWidth(w int) { s.width = w }

// SetAbsoluteTime makes terminals show absolute local times with their
// zone instead of relative ones (--absolute-time).
func (s *IOStreams) SetAbsoluteTime(on bool) { s.absolute = on }

// AbsoluteTime reports whether a terminal shows absolute times.
func (s *IOStreams) AbsoluteTime() bool { return s.absolute }
