package book

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/livescreen"
	"github.com/tradectl/tradectl/internal/render"
)

// runLive redraws the book full screen every interval until q, Esc or
// Ctrl-C; r fetches at once. q and Esc end with exit 0, Ctrl-C with 130.
// A failed refresh is shown under the last good book, and the next one
// is tried at the next interval.
func runLive(ctx context.Context, o *BookOptions, src *feed) error {
	var mu sync.Mutex
	var shown *View
	var failure error
	refresh := make(chan struct{}, 1)
	opts := livescreen.Options{
		View: func(width, _ int) string {
			mu.Lock()
			defer mu.Unlock()
			return frame(o, width, shown, failure, src.isStreaming())
		},
		OnKey: func(key rune) {
			if key == 'r' {
				select {
				case refresh <- struct{}{}:
				default:
				}
			}
		},
	}
	err := livescreen.Run(ctx, livescreen.For(o.IO.In, o.IO.Out), opts, func(ctx context.Context, s *livescreen.Screen) error {
		for {
			v, err := src.next(ctx)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			mu.Lock()
			if err == nil {
				shown = &v
			}
			failure = err
			mu.Unlock()
			s.Redraw()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-refresh:
			case <-time.After(src.pause()):
			}
		}
	})
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

// frame is one screen of the live book for width cells.
func frame(o *BookOptions, width int, v *View, failure error, streaming bool) string {
	pal := o.IO.Palette()
	if v == nil {
		if failure != nil {
			return pal.Bad.Render(failure.Error()) + "\n"
		}
		return pal.Muted.Render("loading the "+o.Symbol.String()+" book…") + "\n"
	}
	var b strings.Builder
	sub := *o.IO
	sub.Out = &b
	if width > 0 {
		sub.SetTerminalWidth(width)
	}
	p, _ := render.NewPrinter(&sub, "table", "", o.Now)
	_ = p.Print(nil, v.Table)
	lines := []string{pal.Bold.Render(v.Summary())}
	lines = append(lines, strings.Split(strings.TrimRight(b.String(), "\n"), "\n")...)
	if failure != nil {
		lines = append(lines, pal.Warn.Render("refresh failed: "+failure.Error()))
	}
	pace := "every " + o.Interval.String() + " · r refresh"
	if streaming {
		pace = "streamed"
	}
	lines = append(lines, pal.Muted.Render("updated "+render.Clock(time.Time(v.Time))+" · "+pace+" · q quit"))
	for i := range lines {
		lines[i] = render.FitLine(lines[i], width)
	}
	return strings.Join(lines, "\n") + "\n"
}
