package dashboard

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/livescreen"
	"github.com/tradectl/tradectl/internal/render"
)

// runLive redraws the dashboard full screen every interval until q or
// Ctrl-C; r fetches at once. The keyboard is raw while it runs, so Ctrl-C
// is a key, not a signal: q ends with exit 0, Ctrl-C (or a SIGINT/SIGTERM
// that reaches the process) with cmdutil.ErrInterrupted, exit 130, as
// every other command.
func runLive(ctx context.Context, ios *iostreams.IOStreams, now func() time.Time, col *Collector, every time.Duration) error {
	var shown atomic.Pointer[Snapshot] // written by the fetch loop, read by a resize's redraw
	refresh := make(chan struct{}, 1)
	opts := livescreen.Options{
		View: func(width, _ int) string { return liveView(ios, width, shown.Load(), now(), every) },
		OnKey: func(key rune) {
			if key == 'r' {
				select {
				case refresh <- struct{}{}:
				default: // a refresh is already asked for
				}
			}
		},
	}
	err := livescreen.Run(ctx, livescreen.For(ios.In, ios.Out), opts, func(ctx context.Context, s *livescreen.Screen) error {
		for {
			snap := col.Collect(ctx)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			shown.Store(&snap)
			s.Redraw()
			select {
			case <-refresh: // pressed while fetching: what it asked for is on screen
			default:
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-refresh:
			case <-time.After(every):
			}
		}
	})
	return liveExit(ctx, err)
}

// liveExit maps how the live view ended to the command's error.
func liveExit(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, livescreen.ErrQuit):
		return nil
	case errors.Is(err, livescreen.ErrInterrupted), err != nil && errors.Is(ctx.Err(), context.Canceled):
		return cmdutil.ErrInterrupted
	case err != nil && ctx.Err() != nil:
		return nil // --timeout ran out: the view ran as long as asked
	}
	return err
}

// liveView is one frame of the live dashboard, laid out for width cells
// (0: the width the streams were opened with); snap is nil until the
// first fetch is in.
func liveView(ios *iostreams.IOStreams, width int, snap *Snapshot, now time.Time, every time.Duration) string {
	pal := ios.Palette()
	if snap == nil {
		return pal.Muted.Render("loading accounts…") + "\n"
	}
	sized := *ios // the layout follows the screen as it is resized
	if width > 0 {
		sized.SetTerminalWidth(width)
	}
	// Local time of day, as the view shows it on a terminal; the snapshot's
	// JSON has the full time in UTC.
	footer := pal.Muted.Render("updated " + render.Clock(time.Time(snap.Time)) + " · every " + every.String() + " · r refresh · q quit")
	return View(&sized, *snap, now) + "\n" + footer + "\n"
}
