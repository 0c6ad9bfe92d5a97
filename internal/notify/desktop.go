package notify

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Desktop shows each event as a desktop notification: notify-send on
// Linux and the BSDs, osascript on macOS. Where neither is there,
// NewDesktop says so once and returns nil: the command goes on without.
type Desktop struct {
	argv    func(title, text string) []string
	Timeout time.Duration
}

// ErrNoDesktop says the platform has no desktop notifier tradectl knows.
var ErrNoDesktop = errors.New("no desktop notifier")

// NewDesktop finds the platform's notifier with lookPath (exec.LookPath
// in production). goos is runtime.GOOS.
func NewDesktop(goos string, lookPath func(string) (string, error)) (*Desktop, error) {
	switch goos {
	case "darwin":
		path, err := lookPath("osascript")
		if err != nil {
			return nil, fmt.Errorf("%w: osascript not found", ErrNoDesktop)
		}
		return &Desktop{Timeout: 5 * time.Second, argv: func(title, text string) []string {
			return []string{path, "-e", fmt.Sprintf("display notification %s with title %s", appleScriptString(text), appleScriptString(title))}
		}}, nil
	case "windows", "plan9", "js", "wasip1", "ios", "android":
		return nil, fmt.Errorf("%w on %s", ErrNoDesktop, goos)
	}
	path, err := lookPath("notify-send")
	if err != nil {
		return nil, fmt.Errorf("%w: notify-send not found (install libnotify)", ErrNoDesktop)
	}
	return &Desktop{Timeout: 5 * time.Second, argv: func(title, text string) []string {
		return []string{path, "--app-name=tradectl", "--", title, text}
	}}, nil
}

// Name says which tool shows the notifications.
func (d *Desktop) Name() string { return "desktop" }

// Notify shows the event's message with its kind and symbol as title.
func (d *Desktop) Notify(ctx context.Context, ev Event, _ []byte) error {
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	title := "tradectl: " + strings.ReplaceAll(string(ev.Kind), "_", " ")
	if ev.Symbol != "" {
		title += " " + ev.Symbol
	}
	args := d.argv(title, oneLine(ev.Message))
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		if msg := strings.TrimSpace(string(out)); msg != "" {
			return fmt.Errorf("%v: %s", err, oneLine(msg))
		}
		return err
	}
	return nil
}

// appleScriptString quotes s as an AppleScript string literal, so an
// event's text cannot end the string and run script of its own.
func appleScriptString(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}
