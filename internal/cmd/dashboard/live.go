package dashboard

import (
	"context"
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// runLive redraws the dashboard in place every interval until q or Ctrl-C.
// bubbletea owns the terminal: it diffs frames (no flicker) and restores
// the terminal on every way out. In raw mode Ctrl-C is a key, not a
// signal, so the model tells it from q: q ends with exit 0, Ctrl-C (or a
// SIGINT/SIGTERM that reaches the process) with cmdutil.ErrInterrupted,
// exit 130, as every other command.
func runLive(ctx context.Context, ios *iostreams.IOStreams, now func() time.Time, col *Collector, every time.Duration) error {
	m := &liveModel{ctx: ctx, ios: ios, now: now, col: col, every: every}
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(ios.In), tea.WithOutput(ios.Out), tea.WithAltScreen())
	final, err := p.Run()
	return liveExit(ctx, final, err)
}

// liveExit maps how the live view ended to the command's error.
func liveExit(ctx context.Context, final tea.Model, err error) error {
	if lm, ok := final.(*liveModel); ok && lm.interrupted {
		return cmdutil.ErrInterrupted
	}
	switch {
	case errors.Is(err, tea.ErrInterrupted), err != nil && errors.Is(ctx.Err(), context.Canceled):
		return cmdutil.ErrInterrupted
	case err != nil && ctx.Err() != nil:
		return nil // --timeout ran out: the view ran as long as asked
	}
	return err
}

type snapshotMsg Snapshot

type tickMsg struct{}

type liveModel struct {
	ctx         context.Context
	ios         *iostreams.IOStreams
	now         func() time.Time
	col         *Collector
	every       time.Duration
	snap        *Snapshot
	fetching    bool
	interrupted bool
}

func (m *liveModel) fetch() tea.Cmd {
	m.fetching = true
	return func() tea.Msg { return snapshotMsg(m.col.Collect(m.ctx)) }
}

func (m *liveModel) Init() tea.Cmd { return m.fetch() }

func (m *liveModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch msg.String() {
		case "ctrl+c":
			m.interrupted = true
			return m, tea.Quit
		case "q", "esc":
			return m, tea.Quit
		case "r":
			if !m.fetching {
				return m, m.fetch()
			}
		}
	case snapshotMsg:
		s := Snapshot(msg)
		m.snap, m.fetching = &s, false
		return m, tea.Tick(m.every, func(time.Time) tea.Msg { return tickMsg{} })
	case tickMsg:
		if !m.fetching {
			return m, m.fetch()
		}
	}
	return m, nil
}

func (m *liveModel) View() string {
	pal := m.ios.Palette()
	if m.snap == nil {
		return pal.Muted.Render("loading accounts…") + "\n"
	}
	// Local time of day, as the view shows it on a terminal; the snapshot's
	// JSON has the full time in UTC.
	footer := pal.Muted.Render("updated " + time.Time(m.snap.Time).Local().Format("15:04:05") + " · every " + m.every.String() + " · r refresh · q quit")
	return View(m.ios, *m.snap, m.now()) + "\n" + footer + "\n"
}
