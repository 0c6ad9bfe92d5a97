package configcmd

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
)

// TestPathRun: the path alone on stdout for a script; the note that the
// file does not exist only for a person at a terminal, on stderr.
func TestPathRun(t *testing.T) {
	const path = "/home/u/.config/tradectl/config.yaml"
	tests := []struct {
		name      string
		format    string
		tty       bool
		exists    bool
		wantOut   string
		wantNoted bool
	}{
		{name: "piped", format: "table", wantOut: path + "\n"},
		{name: "terminal, no file", format: "table", tty: true, wantOut: path + "\n", wantNoted: true},
		{name: "terminal, file", format: "table", tty: true, exists: true, wantOut: path + "\n"},
		{name: "json", format: "json", wantOut: "{\n  \"path\": \"" + path + "\",\n  \"exists\": false\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			ios.SetTTY(false, tt.tty, tt.tty)
			opts := &PathOptions{
				IO:      ios,
				Config:  func() (*config.Config, error) { return &config.Config{Path: path, FileExists: tt.exists}, nil },
				Printer: func() (*render.Printer, error) { return render.NewPrinter(ios, tt.format, "", time.Now) },
			}
			if err := pathRun(opts); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantOut, out.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if noted := errOut.Len() > 0; noted != tt.wantNoted {
				t.Errorf("stderr %q; want a note: %v", errOut.String(), tt.wantNoted)
			}
		})
	}
}
