package livescreen

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFrame(t *testing.T) {
	tests := []struct {
		name          string
		frame         string
		width, height int
		want          string
	}{
		{"fits", "ab\ncd\n", 10, 5,
			"\x1b[Hab\x1b[K\r\ncd\x1b[K\x1b[J"},
		{"a long line is cut, not wrapped", "abcdefgh\nxy", 5, 5,
			"\x1b[Habcd…\x1b[K\r\nxy\x1b[K\x1b[J"},
		{"coloured text is cut by its visible width", "\x1b[1mabcdefgh\x1b[0m", 5, 5,
			"\x1b[H\x1b[1mabcd\x1b[0m…\x1b[K\x1b[J"},
		{"taller than the screen keeps the bottom lines", "1\n2\n3\n4", 10, 2,
			"\x1b[H3\x1b[K\r\n4\x1b[K\x1b[J"},
		{"unknown size: nothing cut", "abcdefgh\n1\n2", 0, 0,
			"\x1b[Habcdefgh\x1b[K\r\n1\x1b[K\r\n2\x1b[K\x1b[J"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Frame(tt.frame, tt.width, tt.height)); diff != "" {
				t.Errorf("Frame (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name, input string
		keys        string // passed on, in order
		want        error
	}{
		{"q quits", "q", "", ErrQuit},
		{"Esc alone quits", "\x1b", "", ErrQuit},
		{"Ctrl-C interrupts", "\x03", "", ErrInterrupted},
		{"other keys are passed on", "rx", "rx", nil},
		{"keys before q are passed on, after it not", "rqx", "r", ErrQuit},
		{"an arrow key is an escape sequence, not Esc", "\x1b[A", "", nil},
		{"Ctrl-C after other keys", "r\x03", "r", ErrInterrupted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []rune
			err := keysIn([]byte(tt.input), func(r rune) { got = append(got, r) })
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("keysIn(%q) = %v, want %v", tt.input, err, tt.want)
			}
			if diff := cmp.Diff(tt.keys, string(got)); diff != "" {
				t.Errorf("keys passed on (-want +got):\n%s", diff)
			}
		})
	}
}

// recorder is a terminal's output plus the moments the keyboard mode
// changed, in one log, so the order of the two can be checked.
type recorder struct {
	mu  sync.Mutex
	log strings.Builder
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.Write(p)
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log.WriteString("<" + s + ">")
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

func rawTerminal(out *recorder, in io.Reader) Terminal {
	return Terminal{
		Out:  out,
		In:   in,
		Size: func() (int, int, error) { return 20, 5, nil },
		MakeRaw: func() (func() error, error) {
			out.note("raw")
			return func() error { out.note("cooked"); return nil }, nil
		},
	}
}

// TestRunGivesTheTerminalBack: whichever way the screen ends, the
// alternate screen is left, the cursor shown and the keyboard cooked, in
// that order, and the last frame (when kept) comes after all of them.
func TestRunGivesTheTerminalBack(t *testing.T) {
	const (
		enter = "<raw>\x1b[?1049h\x1b[?25l"
		frame = "\x1b[Hview 20x5\x1b[K\x1b[J"
		leave = "\x1b[?25h\x1b[?1049l<cooked>"
	)
	errBody := errors.New("venue down")
	tests := []struct {
		name    string
		keys    string
		keep    bool
		body    func(ctx context.Context, s *Screen) error
		wantErr error
		want    string
	}{
		{"q", "q", false, waitForEnd, ErrQuit, enter + frame + leave},
		{"Ctrl-C", "\x03", false, waitForEnd, ErrInterrupted, enter + frame + leave},
		{"the body fails", "", false, func(context.Context, *Screen) error { return errBody }, errBody, enter + frame + leave},
		{"the body ends", "", false, func(context.Context, *Screen) error { return nil }, nil, enter + frame + leave},
		{"a redraw", "", false, func(_ context.Context, s *Screen) error { s.Redraw(); return nil }, nil, enter + frame + frame + leave},
		{"the last frame kept", "q", true, waitForEnd, ErrQuit, enter + frame + leave + "view 20x0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &recorder{}
			view := func(w, h int) string { return "view " + strconv.Itoa(w) + "x" + strconv.Itoa(h) + "\n" }
			err := Run(context.Background(), rawTerminal(out, strings.NewReader(tt.keys)),
				Options{View: view, KeepLastFrame: tt.keep}, tt.body)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("Run = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("terminal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunRestoresOnPanic(t *testing.T) {
	out := &recorder{}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the caller")
			}
		}()
		_ = Run(context.Background(), rawTerminal(out, nil), Options{View: func(int, int) string { return "" }},
			func(context.Context, *Screen) error { panic("boom") })
	}()
	if got := out.String(); !strings.HasSuffix(got, "\x1b[?25h\x1b[?1049l<cooked>") {
		t.Errorf("after a panic the terminal is not given back: %q", got)
	}
}

// TestRunRedrawsOnResize: a resize redraws the view at the new size, and
// keys other than the quit keys reach OnKey.
func TestRunRedrawsOnResize(t *testing.T) {
	out := &recorder{}
	var mu sync.Mutex
	width := 20
	resized := make(chan struct{})
	stopped := make(chan struct{})
	keysR, keysW := io.Pipe()
	defer keysW.Close()
	term := Terminal{
		Out: out,
		In:  keysR,
		Size: func() (int, int, error) {
			mu.Lock()
			defer mu.Unlock()
			return width, 5, nil
		},
		Resized: func() (<-chan struct{}, func()) { return resized, func() { close(stopped) } },
	}
	gotKey := make(chan rune, 1)
	opts := Options{
		View:  func(w, h int) string { return strings.Repeat("x", 15) + " " + strconv.Itoa(w) },
		OnKey: func(r rune) { gotKey <- r },
	}
	err := Run(context.Background(), term, opts, func(ctx context.Context, s *Screen) error {
		mu.Lock()
		width = 10
		mu.Unlock()
		resized <- struct{}{}
		waitFor(t, out, "xxxxxxxxx…")
		if _, err := keysW.Write([]byte("r")); err != nil {
			return err
		}
		select {
		case r := <-gotKey:
			if r != 'r' {
				t.Errorf("OnKey got %q, want 'r'", r)
			}
		case <-time.After(5 * time.Second):
			t.Error("OnKey never got r")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	default:
		t.Error("the resize events were not stopped when the screen ended")
	}
	want := "\x1b[?1049h\x1b[?25l" +
		"\x1b[Hxxxxxxxxxxxxxxx 20\x1b[K\x1b[J" +
		"\x1b[Hxxxxxxxxx…\x1b[K\x1b[J" +
		"\x1b[?25h\x1b[?1049l"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("terminal (-want +got):\n%s", diff)
	}
}

// TestRedrawAfterRunDrawsNothing: a late redraw (from a fetch still in
// flight) does not write over the shell's screen.
func TestRedrawAfterRunDrawsNothing(t *testing.T) {
	var out bytes.Buffer
	var screen *Screen
	_ = Run(context.Background(), Terminal{Out: &out}, Options{View: func(int, int) string { return "v" }},
		func(_ context.Context, s *Screen) error { screen = s; return nil })
	before := out.Len()
	screen.Redraw()
	if out.Len() != before {
		t.Errorf("a redraw after the end wrote %q", out.String()[before:])
	}
}

func waitForEnd(ctx context.Context, _ *Screen) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Second):
		return errors.New("the screen was not ended by its key")
	}
}

func waitFor(t *testing.T, out *recorder, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q: %q", want, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
