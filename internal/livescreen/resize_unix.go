//go:build unix

package livescreen

import (
	"os"
	"os/signal"
	"syscall"
)

// resizeEvents turns SIGWINCH into resize events.
func resizeEvents() (<-chan struct{}, func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	events := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sig:
				select {
				case events <- struct{}{}:
				default: // a redraw is already due; it will use the newest size
				}
			case <-done:
				return
			}
		}
	}()
	return events, func() { signal.Stop(sig); close(done) }
}
