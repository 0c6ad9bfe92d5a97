// Package livescreen is a full-screen view that is redrawn in place and
// left with a key: the alternate screen, a hidden cursor and a raw
// keyboard for as long as it runs, and the terminal given back as it was
// on every way out (return, error, panic, q, Ctrl-C).
//
// It asks the terminal nothing: no background-colour or cursor-position
// queries, so it cannot hang on a terminal that does not answer. A frame
// is a string, and keys come from an io.Reader, so the drawing and the
// key handling are tested without a terminal.
package livescreen

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/tradectl/tradectl/internal/render"
)

// The two ways a person ends a live screen; Run returns one of them.
var (
	// ErrQuit: q (or Esc) was pressed.
	ErrQuit = errors.New("quit")
	// ErrInterrupted: Ctrl-C was pressed. The keyboard is raw while the
	// screen runs, so Ctrl-C arrives as a key, not as SIGINT.
	ErrInterrupted = errors.New("interrupted")
)

// Control sequences the screen writes. Only output: none asks the
// terminal for an answer.
const (
	enterAltScreen = "\x1b[?1049h"
	leaveAltScreen = "\x1b[?1049l"
	hideCursor     = "\x1b[?25l"
	showCursor     = "\x1b[?25h"
	cursorHome     = "\x1b[H"
	clearLineTail  = "\x1b[K"
	clearBelow     = "\x1b[J"
)

// View renders the current frame for a screen of the given size in cells
// (0 when unknown). It is called from the body's goroutine and, on a
// resize, from another one, so it must guard the state it reads.
type View func(width, height int) string

// Options say what a live screen shows and which keys it passes on.
type Options struct {
	View View
	// OnKey gets every key other than the quit keys (q, Esc, Ctrl-C), e.g.
	// 'r' to refresh. It runs on the goroutine that reads the keys.
	OnKey func(key rune)
	// KeepLastFrame prints the final frame on the normal screen after the
	// alternate one is left, so what the view showed at the end (the quote
	// that met a condition, say) stays in the terminal's scrollback.
	KeepLastFrame bool
}

// Screen is a running live screen; the body redraws it when its view's
// data changes.
type Screen struct {
	term Terminal
	view View

	mu     sync.Mutex
	closed bool
}

// Run shows the live screen while body runs and gives the terminal back
// when it returns. A quit key cancels the context body gets; Run then
// returns ErrQuit or ErrInterrupted, whatever body returned. Otherwise it
// returns body's error.
func Run(ctx context.Context, t Terminal, o Options, body func(ctx context.Context, s *Screen) error) (err error) {
	if o.View == nil {
		return errors.New("livescreen: no view")
	}
	restoreKeyboard := func() error { return nil }
	if t.MakeRaw != nil {
		restore, err := t.MakeRaw()
		if err != nil {
			return err
		}
		restoreKeyboard = restore
	}
	s := &Screen{term: t, view: o.View}
	_, _ = io.WriteString(t.Out, enterAltScreen+hideCursor)
	// One deferred step, in this order, on every way out (panics too): no
	// more frames, the normal screen and cursor back, the keyboard cooked,
	// and only then the last frame, which relies on cooked line ends.
	defer func() {
		s.close()
		_, _ = io.WriteString(t.Out, showCursor+leaveAltScreen)
		if rerr := restoreKeyboard(); rerr != nil && err == nil {
			err = rerr
		}
		if o.KeepLastFrame {
			width, _ := t.size()
			_, _ = io.WriteString(t.Out, strings.Join(fitLines(o.View(width, 0), width, 0), "\n")+"\n")
		}
	}()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if t.In != nil {
		// A read of a terminal cannot be called off, so the reader may
		// outlive Run, blocked; it quits nothing once Run is over, and the
		// process ends soon after (a live screen is a command's last act).
		go readKeys(t.In, o.OnKey, func(reason error) { cancel(reason) })
	}
	if t.Resized != nil {
		resized, stop := t.Resized()
		defer stop()
		go func() {
			for {
				select {
				case <-resized:
					s.Redraw()
				case <-ctx.Done():
					return
				}
			}
		}()
	}

	s.Redraw()
	err = body(ctx, s)
	if reason := context.Cause(ctx); errors.Is(reason, ErrQuit) || errors.Is(reason, ErrInterrupted) {
		return reason
	}
	return err
}

// Redraw renders the view at the terminal's current size and draws it
// over the previous frame. It is safe to call from any goroutine; after
// Run has returned it draws nothing.
func (s *Screen) Redraw() {
	// Rendered under the lock too: a resize's redraw and the body's must
	// not cross, or an older frame could land last and stay on screen.
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	width, height := s.term.size()
	_, _ = io.WriteString(s.term.Out, Frame(s.view(width, height), width, height))
}

func (s *Screen) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// Frame is what one redraw writes: the cursor sent home, every line cut
// to the width and its old tail cleared, the rest of the screen cleared.
// Lines end in \r\n because the keyboard is raw (the terminal adds no \r),
// and the last line has no line end, so the screen never scrolls. A frame
// taller than the screen keeps its bottom lines, where the totals and key
// help are.
func Frame(frame string, width, height int) string {
	lines := fitLines(frame, width, height)
	var b strings.Builder
	b.WriteString(cursorHome)
	for i, l := range lines {
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString(l)
		b.WriteString(clearLineTail)
	}
	b.WriteString(clearBelow)
	return b.String()
}

// fitLines splits a frame into lines no wider than width and, with a
// height, no more of them than fit; 0 means no limit.
func fitLines(frame string, width, height int) []string {
	lines := strings.Split(strings.TrimRight(frame, "\n"), "\n")
	if height > 0 && len(lines) > height {
		lines = lines[len(lines)-height:]
	}
	for i := range lines {
		// A wrapped line would push the frame down a row and leave a stale
		// copy of the top behind; cut instead.
		lines[i] = render.FitLine(strings.TrimRight(lines[i], "\r"), width)
	}
	return lines
}

// readKeys reads keys until in ends (or fails), passing quit keys to quit
// and the rest to onKey. An escape sequence (an arrow key, say) arrives
// in one read and is ignored; Esc alone quits.
func readKeys(in io.Reader, onKey func(rune), quit func(reason error)) {
	buf := make([]byte, 256)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if reason := keysIn(buf[:n], onKey); reason != nil {
				quit(reason)
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// keysIn handles one read's worth of input and says whether it ends the
// screen.
func keysIn(chunk []byte, onKey func(rune)) error {
	if len(chunk) == 1 && chunk[0] == 0x1b {
		return ErrQuit
	}
	for _, r := range string(chunk) {
		switch r {
		case 0x1b:
			return nil // the rest is an escape sequence's body
		case 0x03:
			return ErrInterrupted
		case 'q':
			return ErrQuit
		default:
			if onKey != nil {
				onKey(r)
			}
		}
	}
	return nil
}
