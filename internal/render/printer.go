package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/itchyny/gojq"

	"github.com/tradectl/tradectl/internal/iostreams"
)

// Printer writes one command's result in the chosen format.
type Printer struct {
	IO     *iostreams.IOStreams
	Format Format
	jq     *gojq.Code
	Now    func() time.Time
}

// NewPrinter checks the format and compiles the --jq expression up front,
// so a typo is a usage error before anything runs. --jq implies JSON.
func NewPrinter(ios *iostreams.IOStreams, format, jq string, now func() time.Time) (*Printer, error) {
	f, err := ParseFormat(format)
	if err != nil {
		return nil, err
	}
	p := &Printer{IO: ios, Format: f, Now: now}
	if jq != "" {
		q, err := gojq.Parse(jq)
		if err != nil {
			return nil, fmt.Errorf("invalid --jq expression: %v", err)
		}
		code, err := gojq.Compile(q)
		if err != nil {
			return nil, fmt.Errorf("invalid --jq expression: %v", err)
		}
		p.jq = code
		if f == Table || f == CSV {
			p.Format = JSON
		}
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	return p, nil
}

// Print writes data (any JSON-marshalable value; a slice for commands
// that list things) in the printer's format; table builds the table view
// and is only called for table and CSV output.
func (p *Printer) Print(data any, table func() *TableData) error {
	switch p.Format {
	case JSON, NDJSON:
		return p.printJSON(data)
	case CSV:
		return writeCSV(p.IO, table())
	default:
		t := table()
		if len(t.Rows) == 0 && t.Empty != "" {
			if p.IO.IsStdoutTTY() {
				_, err := fmt.Fprintln(p.IO.ErrOut, t.Empty)
				return err
			}
			return nil
		}
		return writeTable(p.IO, t, p.Now())
	}
}

// PrintEvent writes one object of a stream: a compact JSON line for json
// and ndjson alike (a stream has no enclosing document), filtered by --jq.
func (p *Printer) PrintEvent(v any) error {
	if p.jq != nil {
		return p.runJQ(v, true)
	}
	return writeJSONLine(p.IO, v)
}

// JSON reports whether output is for programs (json or ndjson).
func (p *Printer) JSON() bool { return p.Format.Machine() }

func (p *Printer) printJSON(data any) error {
	if p.jq != nil {
		return p.runJQ(data, p.Format == NDJSON)
	}
	if p.Format == NDJSON {
		items, ok := asSlice(data)
		if !ok {
			return writeJSONLine(p.IO, data)
		}
		for _, it := range items {
			if err := writeJSONLine(p.IO, it); err != nil {
				return err
			}
		}
		return nil
	}
	return encode(p.IO.Out, normalizeNil(data), true)
}

// encode writes v as JSON without HTML escaping: "<" in a condition or a
// venue message stays "<" for the person or jq reading it.
func encode(w io.Writer, v any, indent bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// runJQ applies the filter to data's JSON form. String results print raw
// (as jq -r does) because scripts want `--jq '.id'` to give 42, not "42".
func (p *Printer) runJQ(data any, compact bool) error {
	generic, err := toGeneric(data)
	if err != nil {
		return err
	}
	iter := p.jq.Run(generic)
	for {
		v, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := v.(error); isErr {
			if err, halt := err.(*gojq.HaltError); halt && err.Value() == nil {
				return nil
			}
			return fmt.Errorf("--jq: %w", err)
		}
		if s, isStr := v.(string); isStr {
			if _, err := fmt.Fprintln(p.IO.Out, s); err != nil {
				return err
			}
			continue
		}
		if err := encode(p.IO.Out, v, !compact); err != nil {
			return err
		}
	}
}

func toGeneric(v any) (any, error) {
	b, err := json.Marshal(normalizeNil(v))
	if err != nil {
		return nil, err
	}
	var out any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return fromNumbers(out), nil
}

// fromNumbers turns json.Number into what gojq computes with, keeping
// integers exact. Money is carried as strings, so no price passes here.
func fromNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return int(i)
		}
		f, _ := t.Float64()
		return f
	case []any:
		for i := range t {
			t[i] = fromNumbers(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = fromNumbers(t[k])
		}
	}
	return v
}

func writeJSONLine(ios *iostreams.IOStreams, v any) error {
	return encode(ios.Out, normalizeNil(v), false)
}

// asSlice reports whether v is a slice and returns its elements.
func asSlice(v any) ([]any, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// normalizeNil makes a nil slice print as [] so `order list -o json` on
// an empty account is still an array a script can index.
func normalizeNil(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.IsNil() {
		return reflect.MakeSlice(rv.Type(), 0, 0).Interface()
	}
	return v
}

func writeCSV(ios *iostreams.IOStreams, t *TableData) error {
	w := csv.NewWriter(ios.Out)
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = strings.ReplaceAll(strings.ToLower(c.Header), " ", "_")
	}
	if err := w.Write(header); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := make([]string, len(t.Columns))
		for i := range rec {
			if i < len(row) {
				rec[i] = row[i].Text
			}
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
