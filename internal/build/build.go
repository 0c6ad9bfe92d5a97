// Package build holds the version, commit and date stamped in by the
// linker (-ldflags "-X github.com/tradectl/tradectl/internal/build.Version=…").
package build

import "runtime/debug"

// Set through -ldflags -X at release time.
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)

// Info is what `tradectl version` reports.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
}

// Current returns the stamped values, falling back to the module's VCS
// stamp for `go install` builds that carry no ldflags.
func Current() Info {
	info := Info{Version: Version, Commit: Commit, Date: Date}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	info.GoVersion = bi.GoVersion
	if info.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if info.Commit == "" {
				info.Commit = s.Value
			}
		case "vcs.time":
			if info.Date == "" {
				info.Date = s.Value
			}
		}
	}
	return info
}
