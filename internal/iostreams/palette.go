package iostreams

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Palette is tradectl's one set of colours. It uses the 16 basic ANSI
// colours so the terminal's own theme picks shades that read on light and
// dark backgrounds alike; with colour off every style renders plain text.
type Palette struct {
	Header lipgloss.Style
	Muted  lipgloss.Style
	Good   lipgloss.Style // buys, fills, gains
	Bad    lipgloss.Style // sells, rejections, losses
	Warn   lipgloss.Style // partial fills, pending states
	Accent lipgloss.Style // ids and symbols
	Bold   lipgloss.Style
}

// Palette returns styles bound to this stream's colour decision.
func (s *IOStreams) Palette() Palette {
	r := lipgloss.NewRenderer(s.Out)
	if s.color {
		r.SetColorProfile(termenv.ANSI)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	// Decided by us, not by probing the terminal: queries would block on
	// a pipe and the palette avoids colours that depend on the background.
	r.SetHasDarkBackground(true)
	return Palette{
		Header: r.NewStyle().Bold(true),
		Muted:  r.NewStyle().Faint(true),
		Good:   r.NewStyle().Foreground(lipgloss.Color("2")),
		Bad:    r.NewStyle().Foreground(lipgloss.Color("1")),
		Warn:   r.NewStyle().Foreground(lipgloss.Color("3")),
		Accent: r.NewStyle().Foreground(lipgloss.Color("6")),
		Bold:   r.NewStyle().Bold(true),
	}
}
