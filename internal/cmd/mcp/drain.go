package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
)

// drain lets a client that writes its requests and closes stdin (a
// script: `tradectl mcp < requests.jsonl`) still get every answer. The
// protocol library cancels calls in flight when its input ends, so the
// end of input is held back until every request read so far has been
// answered on stdout. It counts lines: the stdio transport frames one
// JSON-RPC message per line.
type drain struct {
	mu       sync.Mutex
	changed  *sync.Cond
	asked    int // requests read (messages with an id and a method)
	answered int // responses written (messages with an id and no method)
	inLine   []byte
	outLine  []byte
}

func newDrain() *drain {
	d := &drain{}
	d.changed = sync.NewCond(&d.mu)
	return d
}

// reader wraps the server's input.
func (d *drain) reader(ctx context.Context, r io.Reader) io.ReadCloser {
	return drainReader{d: d, r: r, ctx: ctx}
}

// writer wraps the server's output.
func (d *drain) writer(w io.Writer) io.WriteCloser { return drainWriter{d: d, w: w} }

type drainReader struct {
	d   *drain
	r   io.Reader
	ctx context.Context
}

func (dr drainReader) Read(p []byte) (int, error) {
	n, err := dr.r.Read(p)
	d := dr.d
	d.mu.Lock()
	d.inLine = countLines(d.inLine, p[:n], func(m message) {
		if m.isRequest() {
			d.asked++
		}
	})
	d.mu.Unlock()
	if errors.Is(err, io.EOF) {
		d.wait(dr.ctx)
	}
	return n, err
}

func (drainReader) Close() error { return nil }

// wait blocks until every request read has been answered or ctx ends.
func (d *drain) wait(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		d.mu.Lock()
		d.changed.Broadcast()
		d.mu.Unlock()
	})
	defer stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.answered < d.asked && ctx.Err() == nil {
		d.changed.Wait()
	}
}

type drainWriter struct {
	d *drain
	w io.Writer
}

func (dw drainWriter) Write(p []byte) (int, error) {
	n, err := dw.w.Write(p)
	d := dw.d
	d.mu.Lock()
	d.outLine = countLines(d.outLine, p[:n], func(m message) {
		if m.isResponse() {
			d.answered++
			d.changed.Broadcast()
		}
	})
	d.mu.Unlock()
	return n, err
}

func (drainWriter) Close() error { return nil }

// message is what drain reads of a JSON-RPC message.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
}

// hasID is false for a notification and for the null id of an answer to
// a line that could not be read.
func (m message) hasID() bool      { return len(m.ID) > 0 && string(m.ID) != "null" }
func (m message) isRequest() bool  { return m.hasID() && m.Method != "" }
func (m message) isResponse() bool { return m.hasID() && m.Method == "" }

// countLines appends b to the partial line pending, calls seen for each
// complete line that is a JSON object (a batch or garbage is the
// library's to answer or refuse, and counts as nothing), and returns what
// is left of an unfinished line.
func countLines(pending, b []byte, seen func(message)) []byte {
	pending = append(pending, b...)
	for {
		i := bytes.IndexByte(pending, '\n')
		if i < 0 {
			return pending
		}
		var m message
		if json.Unmarshal(pending[:i], &m) == nil {
			seen(m)
		}
		pending = pending[i+1:]
	}
}
