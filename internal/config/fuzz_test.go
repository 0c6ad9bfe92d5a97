package config

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary file contents to Load: it must never panic,
// and every failure must be an *Error naming the file, because the CLI
// relies on that to report a usage error instead of crashing.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"",
		precedenceFile,
		secretsFile,
		"profiles:\n  paper: {exchange: paper\n",
		"profiles:\n  a: &a {exchange: paper, seed: 1}\n  b: {<<: *a, seed: 2}\n  c: {<<: [*a, *a]}\n",
		"a: &a\n  <<: *a\n",
		"profiles: &p\n  x: *p\n",
		"timeout: 1h\ncolor: always\noutput: csv\n",
		"default_profile: x\nprofiles: {x: {exchange: binance, api_key_env: K, api_secret_file: ~/s}}\n",
		"---\n...\n---\n",
		"? [a]\n: b\n",
		"profiles:\n  b: {exchange: binance, starting_balances: {1: 2, [x]: y}}\n",
		"!!binary aGVsbG8=\n",
		"profiles:\n  p: {exchange: paper, seed: [.inf, -.Inf, .NaN]}\n",
		"profiles:\n  p: {exchange: paper, seed: !!binary aGVsbG8=, starting_balances: !!timestamp 2001-12-14}\n",
		"profiles:\n  p: {exchange: paper, notify: {command: x, webhook_url_file: ~/h, desktop: true, on: [alert, until]}}\n",
		"profiles:\n  p: {exchange: paper, notify: {on: [[alert]], webhook_url: x, <<: {desktop: 1}}}\n",
	} {
		f.Add([]byte(seed))
	}
	path := filepath.Join(f.TempDir(), "config.yaml")
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(context.Background(), LoadOptions{Path: path, Registry: reg,
			Getenv: mapEnv(map[string]string{"HOME": "/home/u"})})
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load() error %v is %T, want *Error", err, err)
			}
			if ce.Path != path {
				t.Fatalf("Load() error %v names %q, want %q", err, ce.Path, path)
			}
			return
		}
		// Whatever loads must be displayable and selectable.
		if _, err := json.Marshal(c.Redacted()); err != nil {
			t.Fatalf("json.Marshal(Redacted()) error = %v", err)
		}
		_ = c.Warnings()
		if _, err := c.Selected(); err != nil {
			t.Fatalf("Selected() error = %v after a successful Load", err)
		}
	})
}

// TestMergeBomb is a billion-laughs file built from "<<" merges; it must
// fail fast with an *Error, not expand 10^8 keys.
func TestMergeBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("profiles:\n  l0: &l0 {exchange: paper, seed: 1}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d {<<: [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]}\n")
	}
	path := writeFile(t, t.TempDir(), "config.yaml", b.String(), 0o600)
	_, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Load() error = %v, want *Error", err)
	}
}
