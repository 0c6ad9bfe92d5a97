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
			return nil, fmt.Errorf("invalid jq expression: %v", err)
		}
		code, err := gojq.Compile(q)
		if err != nil {
			return nil, fmt.Errorf("invalid jq expression: %v", err)
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
// and is only called for table output. CSV is data's JSON form as rows:
// its header is the JSON field names, every one of them, so a CSV and a
// JSON document of one result always say the same. A document that is
// not a list of records (one object holding lists, such as a dashboard
// snapshot) has no rows of its own: there the table's rows are written,
// its headers in snake_case.
func (p *Printer) Print(data any, table func() *TableData) error {
	switch p.Format {
	case JSON, NDJSON:
		return p.printJSON(data)
	case CSV:
		return writeCSV(p.IO, data, table)
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
			return fmt.Errorf("jq: %w", err)
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

// CSVTabler is implemented by data whose CSV is a fixed, documented set of
// columns rather than its JSON fields: an export another program imports
// (`fills -o csv`) keeps its columns, and its header even with no rows,
// whatever the JSON form gains.
type CSVTabler interface {
	CSVTable() (header []string, rows [][]string)
}

func writeCSV(ios *iostreams.IOStreams, data any, table func() *TableData) error {
	if t, ok := data.(CSVTabler); ok {
		header, rows := t.CSVTable()
		w := csv.NewWriter(ios.Out)
		if err := w.Write(header); err != nil {
			return err
		}
		if err := w.WriteAll(rows); err != nil {
			return err
		}
		return w.Error()
	}
	b, err := json.Marshal(normalizeNil(data))
	if err != nil {
		return err
	}
	var items []jsonValue
	v, err := decodeOrdered(json.NewDecoder(bytes.NewReader(b)))
	if err != nil {
		return err
	}
	if arr, ok := v.([]jsonValue); ok {
		items = arr
	} else if holdsList(v) && table != nil {
		return writeTableCSV(ios, table())
	} else {
		items = []jsonValue{v}
	}
	w := csv.NewWriter(ios.Out)
	header, rows := csvRows(items)
	if len(header) == 0 {
		w.Flush()
		return w.Error()
	}
	if err := w.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// CSVWriter writes a stream of events (watch) as CSV: the header once,
// from the first event's JSON field names, then one record per event.
// Events of another shape are written in the same columns; fields the
// header lacks are left out, so every line has the same columns.
type CSVWriter struct {
	w      *csv.Writer
	header []string
	// Columns, when set, is the header to use: the union of the fields of
	// every event kind a stream carries, so no field is ever left out.
	Columns []string
}

// NewCSVWriter writes CSV to the printer's stdout.
func (p *Printer) NewCSVWriter(columns []string) *CSVWriter {
	return &CSVWriter{w: csv.NewWriter(p.IO.Out), Columns: columns}
}

// Write writes one event, and the header before the first.
func (c *CSVWriter) Write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	val, err := decodeOrdered(json.NewDecoder(bytes.NewReader(b)))
	if err != nil {
		return err
	}
	fields := map[string]string{}
	var names []string
	flatten("", val, func(k, s string) { fields[k] = s; names = append(names, k) })
	if c.header == nil {
		c.header = c.Columns
		if c.header == nil {
			c.header = names
		}
		if err := c.w.Write(c.header); err != nil {
			return err
		}
	}
	rec := make([]string, len(c.header))
	for i, h := range c.header {
		rec[i] = fields[h]
	}
	if err := c.w.Write(rec); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}

// jsonValue is a decoded JSON value that keeps its objects' field order:
// []jsonField for an object, []jsonValue for an array, json.Number, string,
// bool or nil.
type jsonValue = any

type jsonField struct {
	Key   string
	Value jsonValue
}

func decodeOrdered(dec *json.Decoder) (jsonValue, error) {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := []jsonField{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				obj = append(obj, jsonField{Key: k.(string), Value: v})
			}
			_, err := dec.Token()
			return obj, err
		case '[':
			arr := []jsonValue{}
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
	}
	return tok, nil
}

// csvRows flattens items into a header (every field name of every item,
// in first-seen order) and one record per item.
func csvRows(items []jsonValue) ([]string, [][]string) {
	var header []string
	seen := map[string]bool{}
	records := make([]map[string]string, len(items))
	for i, it := range items {
		records[i] = map[string]string{}
		flatten("", it, func(k, s string) {
			if !seen[k] {
				seen[k] = true
				header = append(header, k)
			}
			records[i][k] = s
		})
	}
	// A null object ("request": null on some rows) is an empty cell of its
	// own only when no row has the object's fields in its place.
	kept := header[:0:0]
	for _, h := range header {
		nested := false
		for _, o := range header {
			nested = nested || strings.HasPrefix(o, h+".")
		}
		if !nested {
			kept = append(kept, h)
		}
	}
	header = kept
	rows := make([][]string, len(items))
	for i, rec := range records {
		rows[i] = make([]string, len(header))
		for j, h := range header {
			rows[i][j] = rec[h]
		}
	}
	return header, rows
}

// flatten calls emit for each scalar field of v: nested objects become
// "parent.child" columns; arrays stay one cell holding their JSON; a
// value that is not an object is the one column "value".
func flatten(prefix string, v jsonValue, emit func(key, text string)) {
	obj, ok := v.([]jsonField)
	if !ok {
		key := prefix
		if key == "" {
			key = "value"
		}
		emit(key, scalarText(v))
		return
	}
	for _, f := range obj {
		key := f.Key
		if prefix != "" {
			key = prefix + "." + f.Key
		}
		flatten(key, f.Value, emit)
	}
}

func scalarText(v jsonValue) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		if t {
			return "true"
		}
		return "false"
	}
	var buf bytes.Buffer
	writeOrdered(&buf, v)
	return buf.String()
}

// writeOrdered writes v back as compact JSON, keeping field order.
func writeOrdered(buf *bytes.Buffer, v jsonValue) {
	switch t := v.(type) {
	case []jsonField:
		buf.WriteByte('{')
		for i, f := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(f.Key)
			buf.Write(k)
			buf.WriteByte(':')
			writeOrdered(buf, f.Value)
		}
		buf.WriteByte('}')
	case []jsonValue:
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeOrdered(buf, e)
		}
		buf.WriteByte(']')
	default:
		b, _ := json.Marshal(t)
		buf.Write(b)
	}
}

// CSVColumns is the CSV header for a stream of events of the given
// shapes: every field name of every sample, in first-seen order.
func CSVColumns(samples ...any) []string {
	items := make([]jsonValue, 0, len(samples))
	for _, s := range samples {
		b, err := json.Marshal(s)
		if err != nil {
			continue
		}
		v, err := decodeOrdered(json.NewDecoder(bytes.NewReader(b)))
		if err != nil {
			continue
		}
		items = append(items, v)
	}
	header, _ := csvRows(items)
	return header
}

// holdsList reports whether v is an object with a list among its fields.
func holdsList(v jsonValue) bool {
	obj, ok := v.([]jsonField)
	if !ok {
		return false
	}
	for _, f := range obj {
		if _, isList := f.Value.([]jsonValue); isList {
			return true
		}
	}
	return false
}

// writeTableCSV writes a table's cells as CSV, its headers in snake_case.
func writeTableCSV(ios *iostreams.IOStreams, t *TableData) error {
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
