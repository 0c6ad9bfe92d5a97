package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// DefaultCommandTimeout bounds one run of a --notify command.
const DefaultCommandTimeout = 10 * time.Second

// Command runs `sh -c Line` for each event, with the event's JSON on
// stdin and in TRADECTL_EVENT_* variables (Event.Env) on top of the
// process's environment, which the command inherits like any child.
type Command struct {
	Line string
	// Timeout bounds one run (default DefaultCommandTimeout); past it the
	// command's whole process group is killed.
	Timeout time.Duration
	// Output gets the command's stdout and stderr (tradectl's stderr:
	// its stdout carries data). nil discards them.
	Output io.Writer
}

// Name is what messages call it. The command line is the user's own
// text, not a secret, but it may be long: the start of it is enough.
func (c *Command) Name() string {
	line := c.Line
	if len(line) > 40 {
		line = line[:37] + "..."
	}
	return fmt.Sprintf("command %q", line)
}

// maxCaptured bounds what a failed command's stderr adds to the error.
const maxCaptured = 512

// Notify runs the command once and waits for it, up to the timeout.
func (c *Command) Notify(ctx context.Context, ev Event, body []byte) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", c.Line)
	cmd.Stdin = bytes.NewReader(append(body, '\n'))
	// cmd.Environ is the process environment exec would pass anyway; the
	// event's variables go on top.
	cmd.Env = append(cmd.Environ(), ev.Env(body)...)
	out := c.Output
	if out == nil {
		out = io.Discard
	}
	tail := &tailBuffer{max: maxCaptured}
	cmd.Stdout = &lockedWriter{w: out}
	cmd.Stderr = io.MultiWriter(cmd.Stdout, tail)
	// Its own process group, so a timeout kills what the shell started
	// too (a sleep, a curl), not only the shell. Unlike a secret command
	// a notify command never prompts on the terminal, so leaving the
	// terminal's foreground group costs nothing.
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
	// A grandchild that escaped the group may hold the pipes: stop
	// waiting for it shortly after the kill.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("killed after %s", timeout)
	case ctx.Err() != nil:
		return fmt.Errorf("stopped: %w", ctx.Err())
	}
	if msg := strings.TrimSpace(tail.String()); msg != "" {
		return fmt.Errorf("%v: %s", err, oneLine(msg))
	}
	return err
}

// lockedWriter serialises writes from the command's two streams.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
