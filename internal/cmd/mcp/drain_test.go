package mcp

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCountLines(t *testing.T) {
	stream := `{"jsonrpc":"2.0","id":1,"method":"initialize"}` + "\n" +
		`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" +
		`{"jsonrpc":"2.0","id":"a","method":"tools/call"}` + "\n" +
		`{"jsonrpc":"2.0","id":1,"result":{}}` + "\n" +
		`{"jsonrpc":"2.0","id":null,"error":{"code":-32700}}` + "\n" +
		`not json` + "\n" +
		`{"jsonrpc":"2.0","id":2,"meth`
	type counts struct{ Requests, Responses int }
	want := counts{Requests: 2, Responses: 1}
	// However the stream is cut into reads, the same messages count.
	for _, chunk := range []int{1, 7, 64, len(stream)} {
		var got counts
		var pending []byte
		for i := 0; i < len(stream); i += chunk {
			pending = countLines(pending, []byte(stream[i:min(i+chunk, len(stream))]), func(m message) {
				if m.isRequest() {
					got.Requests++
				}
				if m.isResponse() {
					got.Responses++
				}
			})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("chunks of %d (-want +got):\n%s", chunk, diff)
		}
		if string(pending) != `{"jsonrpc":"2.0","id":2,"meth` {
			t.Errorf("chunks of %d: pending %q, want the unfinished line", chunk, pending)
		}
	}
}

// TestDrainHoldsEOF: the end of input reaches the protocol library only
// once every request read has been answered.
func TestDrainHoldsEOF(t *testing.T) {
	d := newDrain()
	in := d.reader(context.Background(), strings.NewReader(`{"jsonrpc":"2.0","id":7,"method":"tools/call"}`+"\n"))
	out := d.writer(io.Discard)
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(in)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("input ended (%v) before request 7 was answered", err)
	case <-time.After(100 * time.Millisecond):
	}
	if _, err := out.Write([]byte(`{"jsonrpc":"2.0","id":7,"result":{}}` + "\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ReadAll: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("input did not end after request 7 was answered")
	}
}

// TestDrainEndsWithContext: a stopped server does not wait for answers.
func TestDrainEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	d := newDrain()
	in := d.reader(ctx, strings.NewReader(`{"jsonrpc":"2.0","id":7,"method":"tools/call"}`+"\n"))
	done := make(chan struct{})
	go func() {
		_, _ = io.ReadAll(in)
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("input did not end when the context was canceled")
	}
}
