// Package render prints command results as a table for people or as JSON,
// NDJSON or CSV for programs, with an optional --jq filter over the JSON
// document. Commands hand it their data and a table description; they
// never format output themselves.
package render

import (
	"fmt"
	"strings"
)

// Format is an output format chosen with -o.
type Format string

const (
	Table  Format = "table"
	JSON   Format = "json"
	NDJSON Format = "ndjson"
	CSV    Format = "csv"
)

// Formats lists every format, as help and completion show them.
var Formats = []Format{Table, JSON, NDJSON, CSV}

// ParseFormat accepts a format name; an unknown one is answered with the
// list of allowed names.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if f == "" {
		return Table, nil
	}
	for _, known := range Formats {
		if f == known {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, k := range Formats {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown output format %q: use one of %s", s, strings.Join(names, ", "))
}

// Machine reports whether the format is meant for programs.
func (f Format) Machine() bool { return f == JSON || f == NDJSON }
