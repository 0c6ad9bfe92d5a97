package config

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestLoadMCP(t *testing.T) {
	tests := []struct {
		name string
		body string
		want MCP
	}{
		{"no file key: live orders refused", "default_profile: paper\n", MCP{}},
		{"empty section", "mcp:\n", MCP{}},
		{"allowed", "mcp:\n  allow_live_orders: true\n", MCP{AllowLiveOrders: true}},
		{"flow style", "mcp: {allow_live_orders: false}\n", MCP{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "config.yaml", tt.body, 0o600)
			c, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.MCP); diff != "" {
				t.Errorf("MCP (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadMCPErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		line int
		msg  string
	}{
		{"not a mapping", "mcp: yes\n", 1, `mcp must be a mapping (allow_live_orders), got "yes"`},
		{"a string, not a bool", "mcp:\n  allow_live_orders: \"true\"\n", 2, `mcp: allow_live_orders must be true or false, got "true"`},
		{"a word, not a bool", "mcp:\n  allow_live_orders: sure\n", 2, `mcp: allow_live_orders must be true or false, got "sure"`},
		{"misspelt key", "mcp:\n  allow_live_order: true\n", 2, `mcp: unknown key "allow_live_order" (did you mean "allow_live_orders"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "config.yaml", tt.body, 0o600)
			_, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry()})
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Load() error = %v (%T), want *Error", err, err)
			}
			want := &Error{Path: path, Line: tt.line, Msg: tt.msg}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Error{}, "Err")); diff != "" {
				t.Errorf("Load() error (-want +got):\n%s", diff)
			}
		})
	}
}
