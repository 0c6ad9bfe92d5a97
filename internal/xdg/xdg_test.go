package xdg

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Dirs
		wantErr bool
	}{
		{
			name: "home only",
			env:  map[string]string{"HOME": "/home/u"},
			want: Dirs{
				ConfigHome: "/home/u/.config",
				DataHome:   "/home/u/.local/share",
				StateHome:  "/home/u/.local/state",
				CacheHome:  "/home/u/.cache",
			},
		},
		{
			name: "xdg vars win over home",
			env: map[string]string{
				"HOME":            "/home/u",
				"XDG_CONFIG_HOME": "/cfg",
				"XDG_DATA_HOME":   "/data/",
				"XDG_STATE_HOME":  "/state",
				"XDG_CACHE_HOME":  "/cache",
			},
			want: Dirs{ConfigHome: "/cfg", DataHome: "/data", StateHome: "/state", CacheHome: "/cache"},
		},
		{
			name: "relative xdg var ignored",
			env:  map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "relative/cfg"},
			want: Dirs{
				ConfigHome: "/home/u/.config",
				DataHome:   "/home/u/.local/share",
				StateHome:  "/home/u/.local/state",
				CacheHome:  "/home/u/.cache",
			},
		},
		{
			name: "all xdg vars, no home",
			env: map[string]string{
				"XDG_CONFIG_HOME": "/cfg", "XDG_DATA_HOME": "/data",
				"XDG_STATE_HOME": "/state", "XDG_CACHE_HOME": "/cache",
			},
			want: Dirs{ConfigHome: "/cfg", DataHome: "/data", StateHome: "/state", CacheHome: "/cache"},
		},
		{name: "nothing set", env: map[string]string{}, wantErr: true},
		{name: "some xdg, no home", env: map[string]string{"XDG_CONFIG_HOME": "/cfg"}, wantErr: true},
		{name: "relative home", env: map[string]string{"HOME": "home/u"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromEnv(env(tt.env))
			if tt.wantErr {
				if !errors.Is(err, ErrNoHome) {
					t.Fatalf("FromEnv() error = %v, want ErrNoHome", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromEnv() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FromEnv() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromEnvErrorNamesVariable(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"XDG_CONFIG_HOME": "/cfg"}))
	want := "xdg: cannot find a home directory: neither XDG_DATA_HOME nor HOME is set"
	if err == nil || err.Error() != want {
		t.Errorf("FromEnv() error = %v, want %q", err, want)
	}
}

func TestSubdirs(t *testing.T) {
	d := Dirs{ConfigHome: "/c", DataHome: "/d", StateHome: "/s", CacheHome: "/k"}
	got := []string{d.ConfigDir(), d.DataDir(), d.StateDir(), d.CacheDir(), d.ConfigFile()}
	want := []string{"/c/tradectl", "/d/tradectl", "/s/tradectl", "/k/tradectl", "/c/tradectl/config.yaml"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("subdirs (-want +got):\n%s", diff)
	}
}
