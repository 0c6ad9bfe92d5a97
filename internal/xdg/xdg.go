// Package xdg finds the XDG base directories and tradectl's place in them.
//
// It reads the environment only through the lookup function the caller
// passes, so tests and the application factory decide what "the
// environment" is.
package xdg

import (
	"errors"
	"fmt"
	"path/filepath"
)

// AppName is the subdirectory tradectl uses under every base directory.
const AppName = "tradectl"

// Dirs holds the four base directories, always absolute.
type Dirs struct {
	ConfigHome string // $XDG_CONFIG_HOME or $HOME/.config
	DataHome   string // $XDG_DATA_HOME or $HOME/.local/share
	StateHome  string // $XDG_STATE_HOME or $HOME/.local/state
	CacheHome  string // $XDG_CACHE_HOME or $HOME/.cache
}

// ErrNoHome is returned (wrapped) when a base directory is needed but
// neither its XDG variable nor HOME is usable.
var ErrNoHome = errors.New("cannot find a home directory")

// FromEnv resolves the base directories from getenv. Following the XDG
// Base Directory spec, an XDG_* value that is not absolute is invalid and
// ignored, so a stray relative value cannot make tradectl write its paper
// database or journal into whatever directory cron happens to start in.
func FromEnv(getenv func(string) string) (Dirs, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	home := getenv("HOME")
	pick := func(xdgVar, homeRel string) (string, error) {
		if v := getenv(xdgVar); v != "" && filepath.IsAbs(v) {
			return filepath.Clean(v), nil
		}
		if home == "" {
			return "", fmt.Errorf("xdg: %w: neither %s nor HOME is set", ErrNoHome, xdgVar)
		}
		if !filepath.IsAbs(home) {
			return "", fmt.Errorf("xdg: %w: %s is not set and HOME (%q) is not an absolute path", ErrNoHome, xdgVar, home)
		}
		return filepath.Join(home, homeRel), nil
	}
	var d Dirs
	var err error
	if d.ConfigHome, err = pick("XDG_CONFIG_HOME", ".config"); err != nil {
		return Dirs{}, err
	}
	if d.DataHome, err = pick("XDG_DATA_HOME", filepath.Join(".local", "share")); err != nil {
		return Dirs{}, err
	}
	if d.StateHome, err = pick("XDG_STATE_HOME", filepath.Join(".local", "state")); err != nil {
		return Dirs{}, err
	}
	if d.CacheHome, err = pick("XDG_CACHE_HOME", ".cache"); err != nil {
		return Dirs{}, err
	}
	return d, nil
}

// ConfigDir is where tradectl's config file lives.
func (d Dirs) ConfigDir() string { return filepath.Join(d.ConfigHome, AppName) }

// DataDir is where durable state lives (paper database, journal).
func (d Dirs) DataDir() string { return filepath.Join(d.DataHome, AppName) }

// StateDir is for state worth keeping but not backing up (logs, history).
func (d Dirs) StateDir() string { return filepath.Join(d.StateHome, AppName) }

// CacheDir is for data that can be fetched again (instrument rules).
func (d Dirs) CacheDir() string { return filepath.Join(d.CacheHome, AppName) }

// ConfigFile is the default config file path.
func (d Dirs) ConfigFile() string { return filepath.Join(d.ConfigDir(), "config.yaml") }
