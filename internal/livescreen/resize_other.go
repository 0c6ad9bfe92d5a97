//go:build !unix

package livescreen

// resizeEvents reports nothing where there is no SIGWINCH (Windows): the
// size is read again at every redraw, so the next frame fits.
func resizeEvents() (<-chan struct{}, func()) { return nil, func() {} }
