package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Notifier delivers one event somewhere. Notify gets the event and its
// JSON; it may block (up to its own deadlines) and returns why a
// delivery failed. It must never put a secret in its error.
type Notifier interface {
	// Name says where events go, safe to print: "command", "webhook
	// https://hooks.example.com", "desktop".
	Name() string
	Notify(ctx context.Context, ev Event, body []byte) error
}

// Defaults of Options.
const (
	// DefaultQueue is how many events may wait for one notifier; more
	// are dropped (and counted) rather than make the command wait.
	DefaultQueue = 64
	// DefaultDrain is how long Close waits for deliveries in flight.
	DefaultDrain = 30 * time.Second
)

// Options configure a Dispatcher.
type Options struct {
	Notifiers []Notifier
	// On keeps only these kinds; empty: every kind.
	On []Kind
	// Queue bounds each notifier's backlog (default DefaultQueue).
	Queue int
	// Drain bounds Close's wait (default DefaultDrain).
	Drain time.Duration
	// Log gets one warning per failed delivery and Close's report of
	// what was not delivered: stderr, through the command's logger.
	Log *slog.Logger
}

// Dispatcher fans events out to notifiers without blocking the caller.
// Each notifier has its own bounded queue and goroutine, so one slow
// webhook does not hold back a quick command notifier, and neither holds
// back the command. The zero value is not usable; a nil *Dispatcher is,
// and does nothing, so commands without notifiers need no checks.
type Dispatcher struct {
	on     []Kind
	drain  time.Duration
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	lanes  []*lane
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
}

// lane is one notifier's queue and its tally.
type lane struct {
	n     Notifier
	queue chan job

	mu        sync.Mutex
	delivered int
	failed    int
	dropped   int // the queue was full, or Close came first
}

type job struct {
	ev   Event
	body []byte
}

// New starts a Dispatcher; with no notifiers it returns nil, which
// accepts events and does nothing.
func New(o Options) *Dispatcher {
	if len(o.Notifiers) == 0 {
		return nil
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	if o.Drain <= 0 {
		o.Drain = DefaultDrain
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	// Deliveries are not bound to the command's context: an event sent
	// just before Ctrl-C or --timeout is still delivered, within Drain.
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{on: slices.Clone(o.On), drain: o.Drain, log: o.Log, ctx: ctx, cancel: cancel}
	for _, n := range o.Notifiers {
		l := &lane{n: n, queue: make(chan job, o.Queue)}
		d.lanes = append(d.lanes, l)
		d.wg.Go(func() { d.run(l) })
	}
	return d
}

// Wants reports whether an event of kind k would be delivered; callers
// building an expensive event can skip it.
func (d *Dispatcher) Wants(k Kind) bool {
	return d != nil && (len(d.on) == 0 || slices.Contains(d.on, k))
}

// Send queues ev for every notifier and returns at once. A full queue
// drops the event for that notifier; Close reports it.
func (d *Dispatcher) Send(ev Event) {
	if !d.Wants(ev.Kind) {
		return
	}
	body, err := Marshal(ev)
	if err != nil {
		d.log.Warn("notify: cannot encode the event", "kind", string(ev.Kind), "err", err)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	for _, l := range d.lanes {
		select {
		case l.queue <- job{ev: ev, body: body}:
		default:
			l.mu.Lock()
			l.dropped++
			l.mu.Unlock()
		}
	}
}

func (d *Dispatcher) run(l *lane) {
	for j := range l.queue {
		if d.ctx.Err() != nil {
			l.mu.Lock()
			l.dropped++
			l.mu.Unlock()
			continue
		}
		err := l.n.Notify(d.ctx, j.ev, j.body)
		l.mu.Lock()
		if err != nil {
			l.failed++
		} else {
			l.delivered++
		}
		l.mu.Unlock()
		if err != nil && d.ctx.Err() == nil {
			d.log.Warn(fmt.Sprintf("notify: %s: %s event not delivered: %v", l.n.Name(), j.ev.Kind, err))
		}
	}
}

// Marshal is an event's JSON as notifiers get it: one line, with <, >
// and & as themselves (conditions are full of them) rather than the
// \u003c escapes meant for HTML.
func Marshal(ev Event) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Stat is one notifier's tally after Close.
type Stat struct {
	Notifier  string
	Delivered int
	// Failed deliveries were tried and refused or timed out; Dropped
	// ones were never tried (queue full, or still queued when Close gave
	// up waiting).
	Failed, Dropped int
}

// Close stops taking events, waits up to the drain time for the queued
// and in-flight deliveries, then abandons the rest and writes on the log
// what was not delivered. It returns the tallies. Safe on nil.
func (d *Dispatcher) Close() []Stat {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return d.stats()
	}
	d.closed = true
	for _, l := range d.lanes {
		close(l.queue)
	}
	d.mu.Unlock()

	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	timer := time.NewTimer(d.drain)
	defer timer.Stop()
	// A wait of more than a moment is announced, so a command that has
	// done its work does not seem to hang.
	notice := time.NewTimer(min(2*time.Second, d.drain/2))
	defer notice.Stop()
	select {
	case <-done:
	case <-notice.C:
		d.log.Warn(fmt.Sprintf("notify: waiting up to %s for deliveries in flight", d.drain))
	}
	select {
	case <-done:
	case <-timer.C:
		// Cancelling ends the deliveries in flight (a command's process
		// group is killed, a request aborted); what is still queued is
		// counted as dropped by the lanes as they empty.
		d.cancel()
		<-done
	}
	d.cancel()
	stats := d.stats()
	for _, s := range stats {
		if s.Failed+s.Dropped == 0 {
			continue
		}
		msg := fmt.Sprintf("notify: %s: %d of %d events not delivered", s.Notifier, s.Failed+s.Dropped, s.Delivered+s.Failed+s.Dropped)
		if s.Dropped > 0 {
			msg += fmt.Sprintf(" (%d never sent: queue full or still waiting after %s)", s.Dropped, d.drain)
		}
		d.log.Warn(msg)
	}
	return stats
}

func (d *Dispatcher) stats() []Stat {
	out := make([]Stat, 0, len(d.lanes))
	for _, l := range d.lanes {
		l.mu.Lock()
		out = append(out, Stat{Notifier: l.n.Name(), Delivered: l.delivered, Failed: l.failed, Dropped: l.dropped})
		l.mu.Unlock()
	}
	return out
}
