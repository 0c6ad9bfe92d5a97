//go:build unix

package notify

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A stand-in notify-send (a real script) records its arguments, so the
// test sees exactly what the desktop would be asked to show.
func TestDesktopLinux(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "notify-send")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"" + filepath.Join(dir, "args") + "\"\n"
	if err := os.WriteFile(tool, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	d, err := NewDesktop("linux", func(name string) (string, error) {
		if name != "notify-send" {
			return "", exec.ErrNotFound
		}
		return tool, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Notify(context.Background(), Event{Kind: KindOrderFilled, Symbol: "BTC-USD", Message: "order 1\nfilled"}, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "args"))
	want := "--app-name=tradectl\n--\ntradectl: order filled BTC-USD\norder 1 filled\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("arguments (-want +got):\n%s", diff)
	}
}

func TestDesktopAbsent(t *testing.T) {
	notFound := func(string) (string, error) { return "", exec.ErrNotFound }
	tests := []struct{ goos, want string }{
		{"linux", "no desktop notifier: notify-send not found (install libnotify)"},
		{"freebsd", "no desktop notifier: notify-send not found (install libnotify)"},
		{"darwin", "no desktop notifier: osascript not found"},
		{"windows", "no desktop notifier on windows"},
	}
	for _, tt := range tests {
		_, err := NewDesktop(tt.goos, notFound)
		if !errors.Is(err, ErrNoDesktop) || err.Error() != tt.want {
			t.Errorf("%s: error = %v, want %q", tt.goos, err, tt.want)
		}
	}
}

func TestAppleScriptString(t *testing.T) {
	got := appleScriptString(`a "quoted" \ text`)
	if diff := cmp.Diff(`"a \"quoted\" \\ text"`, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
