package livescreen

import (
	"io"

	"golang.org/x/term"
)

// Terminal is what a live screen draws on and reads keys from. For builds
// one from the process's streams; a test fills in only In and Out.
type Terminal struct {
	Out io.Writer
	// In gives the keys; nil reads none.
	In io.Reader
	// Size reports the screen's width and height in cells; nil (or an
	// error) means unknown, and frames are then not cut.
	Size func() (width, height int, err error)
	// MakeRaw puts the keyboard in raw mode and says how to undo it; nil
	// leaves the keyboard alone.
	MakeRaw func() (restore func() error, err error)
	// Resized reports each change of the screen's size until stop is
	// called; nil never reports one.
	Resized func() (events <-chan struct{}, stop func())
}

// fdFile is an *os.File, or anything else with a descriptor.
type fdFile interface{ Fd() uintptr }

// For is the terminal behind in and out: sizes and resizes are read from
// out and raw mode is set on in, each only where it is a terminal.
func For(in io.Reader, out io.Writer) Terminal {
	t := Terminal{In: in, Out: out}
	if f, ok := out.(fdFile); ok && term.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		t.Size = func() (int, int, error) { return term.GetSize(fd) }
		t.Resized = resizeEvents
	}
	if f, ok := in.(fdFile); ok && term.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		t.MakeRaw = func() (func() error, error) {
			old, err := term.MakeRaw(fd)
			if err != nil {
				return nil, err
			}
			return func() error { return term.Restore(fd, old) }, nil
		}
	}
	return t
}

func (t Terminal) size() (width, height int) {
	if t.Size == nil {
		return 0, 0
	}
	w, h, err := t.Size()
	if err != nil || w <= 0 || h <= 0 {
		return 0, 0
	}
	return w, h
}
