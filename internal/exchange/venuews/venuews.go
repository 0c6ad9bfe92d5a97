// Package venuews is the quote-stream core the venue adapters share: dial
// a venue's public market-data WebSocket, subscribe, read until the feed
// fails or goes quiet, reconnect with capped exponential backoff and
// jitter, and fall back to polling the venue's REST quotes when the stream
// keeps failing, trying the stream again later.
//
// A venue supplies what is its own (Feed): the URL, the subscribe messages,
// a decoder that turns its messages into quotes (with whatever snapshot and
// update state it needs) and a poll function. The core knows no venue and
// no CLI. Account streams (orders and fills) run on the same loop through
// StreamEvents (events.go), without polling, and order books through
// StreamBooks (books.go), which gives up instead of polling; Fatal ends
// any kind of stream on a refusal that retrying cannot cure.
//
// Staleness: every connection gets a fresh decoder, so nothing read on a
// lost connection is delivered after it; and a connection is given up when
// no message the decoder understands (data or heartbeat) arrives within
// Timing.IdleTimeout. A silent feed therefore delivers nothing — never an
// old price as if it were live — until it reconnects or polling takes over.
package venuews

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/trade"
)

// ErrResync is what a decoder wraps when the connection's data can no
// longer be trusted (a sequence gap, a refused subscription, a venue error
// message): the session ends and a new connection starts from a fresh
// snapshot.
var ErrResync = errors.New("stream out of sync")

// Resync returns an error wrapping ErrResync with a reason.
func Resync(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrResync, fmt.Sprintf(format, args...))
}

// fatalError is an error retrying cannot cure.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// Fatal marks err as one retrying cannot cure (refused credentials, a
// subscription the account may never have): returned by a Subscribe
// function or a decoder, it ends Stream and StreamEvents with err, rather
// than reconnecting into the same refusal again and again.
func Fatal(err error) error { return &fatalError{err} }

// pollNowError is a refusal that will last a while but is no fault of
// the profile (a connection limit another client holds).
type pollNowError struct{ err error }

func (e *pollNowError) Error() string { return e.err.Error() }
func (e *pollNowError) Unwrap() error { return e.err }

// PollNow marks err as a refusal of the stream that reconnecting soon will
// not cure but that is no reason to stop (Alpaca's "connection limit
// exceeded" while another client holds the account's one connection):
// returned by a decoder, it ends the session and polling takes over at
// once, for Timing.PollFor, before the stream is tried again. Without a
// poll function it counts as an ordinary failed session.
func PollNow(err error) error { return &pollNowError{err} }

// IsFatal says whether err was marked by Fatal.
func IsFatal(err error) bool {
	var f *fatalError
	return errors.As(err, &f)
}

// IsPollNow says whether err was marked by PollNow.
func IsPollNow(err error) bool {
	var p *pollNowError
	return errors.As(err, &p)
}

// ErrStale ends a session on which nothing readable arrived for the idle
// timeout.
var ErrStale = errors.New("stream went quiet")

// MalformedError is a message the decoder could not read. The message is
// skipped; it does not count as a sign of life.
type MalformedError struct {
	Venue string
	Err   error
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("%s: unreadable stream message: %v", e.Venue, e.Err)
}

func (e *MalformedError) Unwrap() error { return e.Err }

// Decoder folds one message into the connection's state and returns the
// quotes it completes (none for heartbeats, acknowledgements and one-sided
// books). An error wrapping ErrResync ends the session; any other error
// marks the message as malformed. msg is valid only during the call: the
// session reads the next message into the same memory, so a decoder copies
// what it keeps. The session is done with the returned slice before the
// next call, so a decoder may reuse it.
type Decoder func(msg []byte) ([]trade.Quote, error)

// Endpoint is where a stream connects and for whom: the part every feed
// (Feed, EventFeed, BookFeed) has alike. What an empty URL means is the
// feed's own.
type Endpoint struct {
	Venue   string // for logs and errors
	Profile string // for logs
	// URL is dialed for every connection.
	URL        string
	HTTPClient *http.Client // nil: http.DefaultClient
	Log        *slog.Logger // nil: discard
}

// Feed is what a venue supplies.
type Feed struct {
	// Endpoint's URL "" means the profile has no stream to dial, and
	// Stream only polls.
	Endpoint
	// Subscribe returns the messages sent after each dial, built anew
	// each time so a signed one carries a fresh token. Nil: none (the
	// subscription is in the URL).
	Subscribe func(ctx context.Context) ([][]byte, error)
	// NewDecoder returns the decoder for one connection.
	NewDecoder func() Decoder
	// NewDialogue, when set, replaces NewDecoder for a venue whose
	// subscription must wait for an answer (Alpaca's market data: the
	// subscribe goes out once the auth is confirmed): what the decoder
	// sends is written after the message it is decoding.
	NewDialogue func(send func(msg []byte)) Decoder
	// Poll reads quotes over REST for the fallback; nil: no fallback.
	Poll func(ctx context.Context) ([]trade.Quote, error)

	Timing Timing
	// Sleep waits d or until ctx ends; nil: a timer.
	Sleep func(ctx context.Context, d time.Duration) error

	// giveUp ends a stream without a poll function after
	// Timing.FailuresBeforePoll failed sessions in a row, returning the
	// last error, instead of reconnecting for ever (StreamBooks: its
	// caller has a REST fallback of its own).
	giveUp bool
}

// errStreamGaveUp marks the end of a stream that gives up (Feed.giveUp)
// after failing Timing.FailuresBeforePoll times in a row.
var errStreamGaveUp = errors.New("stream failed")

// Timing are the stream's clocks and thresholds.
type Timing struct {
	// BackoffMin and BackoffMax bound the wait before a reconnect; it
	// doubles after each failed session and resets after one that
	// delivered quotes.
	BackoffMin, BackoffMax time.Duration
	// FailuresBeforePoll is how many sessions in a row may end without a
	// quote (dial failures included) before polling takes over.
	FailuresBeforePoll int
	// IdleTimeout ends a session with no readable message for this long.
	IdleTimeout time.Duration
	// PollInterval is the wait between polls.
	PollInterval time.Duration
	// PollFor is how long polling lasts before the stream is tried again;
	// 0 polls until the stream ends.
	PollFor time.Duration
	// PingInterval, when set, checks the connection by a WebSocket ping
	// this often instead of by the feed's own messages: for a stream that
	// may rightly stay silent (an account with nothing happening) and has
	// no heartbeat. A pong missing for IdleTimeout ends the session.
	PingInterval time.Duration
	// ReadEvery, when set, has a steady stream of small frames read a few
	// at a time, about this often, instead of one wake-up each; a frame
	// may wait up to twice this long (coalesce.go). 0: every frame is read
	// as it comes.
	ReadEvery time.Duration
}

// DefaultTiming suits a venue that sends heartbeats about once a second.
func DefaultTiming() Timing {
	return Timing{
		BackoffMin:         500 * time.Millisecond,
		BackoffMax:         30 * time.Second,
		FailuresBeforePoll: 3,
		IdleTimeout:        15 * time.Second,
		PollInterval:       3 * time.Second,
		PollFor:            2 * time.Minute,
	}
}

// UnstreamedPollInterval is how often a profile without a stream polls:
// watch's own default for venues that do not stream.
const UnstreamedPollInterval = time.Second

// ForURL is t for a feed at url. A profile without a stream ("" url) has
// nothing to fall back from, so it polls at watch's pace rather than at
// the slower pace of a fallback.
func (t Timing) ForURL(url string) Timing {
	if url == "" {
		t.PollInterval = min(t.PollInterval, UnstreamedPollInterval)
	}
	return t
}

// maxMessage bounds one message; a snapshot of many symbols is the largest.
const maxMessage = 1 << 20

// fnError carries the callback's error out of the read loop untouched.
type fnError struct{ err error }

func (f *fnError) Error() string { return f.err.Error() }

// Stream calls fn with every quote the feed delivers until ctx ends (it
// returns ctx.Err()), fn returns an error (returned as is), polling meets
// an error that retrying cannot cure, or the subscription or decoder
// returns a Fatal error (its cause is returned).
func Stream(ctx context.Context, f Feed, fn func(trade.Quote) error) error {
	decoder := func(send func([]byte)) func([]byte) ([]trade.Quote, error) {
		if f.NewDialogue != nil {
			return f.NewDialogue(send)
		}
		return f.NewDecoder()
	}
	return streamAny(ctx, f, decoder, f.Poll, fn)
}

// streamAny is Stream for any kind of item a decoder yields: quotes on a market
// feed, order events on an account stream (StreamEvents).
func streamAny[T any](ctx context.Context, f Feed, newDecoder func(send func([]byte)) func([]byte) ([]T, error),
	poll func(context.Context) ([]T, error), fn func(T) error) error {
	if f.Log == nil {
		f.Log = slog.New(slog.DiscardHandler)
	}
	if f.HTTPClient == nil {
		f.HTTPClient = http.DefaultClient
	}
	if f.Sleep == nil {
		f.Sleep = venuehttp.Sleep
	}
	t := f.Timing
	if f.URL != "" && t.ReadEvery > 0 {
		var release func()
		f.HTTPClient, release = coalescingClient(f.HTTPClient, t.ReadEvery)
		defer release()
	}
	if f.URL == "" {
		if poll == nil {
			return fmt.Errorf("%s: no stream and no way to poll", f.Venue)
		}
		f.Timing.PollFor = 0
		return pollFor(ctx, &f, poll, fn)
	}
	backoff := t.BackoffMin
	failures := 0
	for {
		delivered, err := session(ctx, &f, newDecoder, fn)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		var fe *fnError
		if errors.As(err, &fe) {
			return fe.err
		}
		var fatal *fatalError
		if errors.As(err, &fatal) {
			return fatal.err
		}
		if delivered {
			// A session that carried data proves the link: start backing
			// off afresh. One that dies at once keeps growing the delay.
			failures, backoff = 0, t.BackoffMin
		} else {
			failures++
		}
		if pollNow := (*pollNowError)(nil); errors.As(err, &pollNow) {
			failures = max(failures, t.FailuresBeforePoll)
		}
		if poll == nil && f.giveUp && failures >= t.FailuresBeforePoll {
			return fmt.Errorf("%s: %w: %d times in a row: %w", f.Venue, errStreamGaveUp, failures, err)
		}
		if poll != nil && failures >= t.FailuresBeforePoll {
			f.Log.Warn(f.Venue+": market stream unavailable, polling instead", "profile", f.Profile,
				"every", t.PollInterval, "for", t.PollFor, "err", err)
			if err := pollFor(ctx, &f, poll, fn); err != nil {
				return err
			}
			f.Log.Info(f.Venue+": trying the market stream again", "profile", f.Profile)
			failures, backoff = 0, t.BackoffMin
			continue
		}
		wait := backoff/2 + rand.N(backoff/2+1) // jitter spreads reconnect storms
		f.Log.Info(f.Venue+": stream lost, reconnecting", "profile", f.Profile, "in", wait.Round(time.Millisecond), "err", err)
		if err := f.Sleep(ctx, wait); err != nil {
			return err
		}
		backoff = min(backoff*2, t.BackoffMax)
	}
}

// session runs one connection until it fails, goes quiet, ctx ends or fn
// errs, and says whether it delivered anything.
func session[T any](ctx context.Context, f *Feed, newDecoder func(send func([]byte)) func([]byte) ([]T, error), fn func(T) error) (delivered bool, err error) {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c, _, err := websocket.Dial(sctx, f.URL, &websocket.DialOptions{HTTPClient: f.HTTPClient})
	if err != nil {
		return false, err
	}
	defer c.CloseNow()
	c.SetReadLimit(maxMessage)
	if f.Subscribe != nil {
		msgs, err := f.Subscribe(sctx)
		if err != nil {
			return false, err
		}
		for _, m := range msgs {
			wctx, wcancel := context.WithTimeout(sctx, f.Timing.IdleTimeout)
			err := c.Write(wctx, websocket.MessageText, m)
			wcancel()
			if err != nil {
				return false, err
			}
		}
	}
	// A decoder may answer the venue (a subscription after a confirmed
	// sign-in): its messages are written once the message it decoded is.
	var outbox [][]byte
	decode := newDecoder(func(m []byte) { outbox = append(outbox, m) })
	// The session's end closes the connection, which ends a read in
	// progress. Reads themselves get a context that is never done: a read
	// with a cancellable one registers and drops a callback on it per frame,
	// and a deadline per read would be a timer per frame.
	stopClosing := context.AfterFunc(sctx, func() { _ = c.CloseNow() })
	defer stopClosing()
	readCtx := context.WithoutCancel(sctx)
	// Only messages the decoder reads count as signs of life, so a feed
	// that sends nothing, or nothing but garbage, is given up on — unless
	// the feed is checked by pings instead (a quiet account is no fault).
	var good *lifeSigns
	if f.Timing.PingInterval > 0 {
		go keepAlive(sctx, c, f.Timing, cancel)
	} else {
		good = newLifeSigns()
		go good.watch(sctx, f.Timing.IdleTimeout, cancel)
	}
	var buf bytes.Buffer // one buffer for every message: decoders do not keep msg
	for {
		// The library answers the server's pings while a read runs.
		msg, err := readMessage(readCtx, c, &buf)
		if err != nil {
			if cause := context.Cause(sctx); errors.Is(cause, ErrStale) && ctx.Err() == nil {
				return delivered, cause
			}
			return delivered, err
		}
		qs, err := decode(msg)
		for _, m := range outbox {
			wctx, wcancel := context.WithTimeout(sctx, f.Timing.IdleTimeout)
			werr := c.Write(wctx, websocket.MessageText, m)
			wcancel()
			if werr != nil {
				return delivered, werr
			}
		}
		outbox = outbox[:0]
		if err != nil {
			if errors.Is(err, ErrResync) || IsFatal(err) || IsPollNow(err) {
				return delivered, err
			}
			f.Log.Debug(f.Venue+": skipping unreadable stream message", "err", &MalformedError{Venue: f.Venue, Err: err})
			continue
		}
		if good != nil {
			good.seen()
		}
		for _, q := range qs {
			delivered = true
			if err := fn(q); err != nil {
				return delivered, &fnError{err}
			}
		}
	}
}

// readMessage reads one data message into buf, reusing its memory, and
// returns its bytes, valid until the next read.
func readMessage(ctx context.Context, c *websocket.Conn, buf *bytes.Buffer) ([]byte, error) {
	_, r, err := c.Reader(ctx)
	if err != nil {
		return nil, err
	}
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// lifeSigns is when a session last read a message its decoder understood,
// on the monotonic clock, for the idle watchdog. A frame stores the time
// (one clock read); only the watchdog, woken once per idle timeout at
// most, compares it.
type lifeSigns struct {
	start time.Time
	last  atomic.Int64 // time since start of the last good message
}

func newLifeSigns() *lifeSigns { return &lifeSigns{start: time.Now()} }

func (l *lifeSigns) seen() { l.last.Store(int64(time.Since(l.start))) }

// watch ends the session (cause ErrStale) once nothing good has been read
// for idle: it sleeps until the moment the session would be idle for that
// long, and looks again if a message came meanwhile.
func (l *lifeSigns) watch(ctx context.Context, idle time.Duration, end context.CancelCauseFunc) {
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		quiet := time.Since(l.start) - time.Duration(l.last.Load())
		if quiet >= idle {
			end(fmt.Errorf("%w: nothing for %s", ErrStale, idle))
			return
		}
		t.Reset(idle - quiet)
	}
}

// keepAlive pings the server every PingInterval until ctx ends, and ends
// the session (cause ErrStale) when a pong does not come back within the
// idle timeout.
func keepAlive(ctx context.Context, c *websocket.Conn, t Timing, end context.CancelCauseFunc) {
	tick := time.NewTicker(t.PingInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		pctx, cancel := context.WithTimeout(ctx, t.IdleTimeout)
		err := c.Ping(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			end(fmt.Errorf("%w: no pong within %s", ErrStale, t.IdleTimeout))
			return
		}
	}
}

// pollFor reads items every PollInterval for PollFor (or until ctx ends).
// Transient failures wait (Retry-After when the venue gives one) and try
// again; others end the stream.
func pollFor[T any](ctx context.Context, f *Feed, poll func(context.Context) ([]T, error), fn func(T) error) error {
	t := f.Timing
	var until time.Time
	if t.PollFor > 0 {
		until = time.Now().Add(t.PollFor)
	}
	for {
		qs, err := poll(ctx)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		wait := t.PollInterval
		switch {
		case err == nil:
			for _, q := range qs {
				if err := fn(q); err != nil {
					return err
				}
			}
		case exchange.Retryable(err):
			if d, ok := exchange.RetryAfter(err); ok && d > wait {
				wait = d
			}
			f.Log.Info(f.Venue+": quote poll failed, retrying", "profile", f.Profile, "in", wait, "err", err)
		default:
			return err
		}
		if !until.IsZero() && !time.Now().Add(wait).Before(until) {
			return nil
		}
		if err := f.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}
