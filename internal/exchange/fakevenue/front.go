package fakevenue

import "net/http"

// Front is the part of a fake's API that is the same on every venue: the
// main host's URL and client, Close, the request log in the fake's own
// Request type, and failures injected into the next request on any route.
// A fake embeds it, so these methods are written once, and adds what
// speaks its venue's format (a rate-limit answer, an order accepted and
// then failed); a method of the fake's own with the same name wins.
type Front[R any] struct {
	v       *Venue
	request func(Request) R
}

// NewFront is the Front of v; request turns a logged request into the
// fake's Request, adding what the fake noted about it.
func NewFront[R any](v *Venue, request func(Request) R) Front[R] {
	return Front[R]{v: v, request: request}
}

// URL is the main host's base URL, e.g. http://127.0.0.1:41234.
func (f Front[R]) URL() string { return f.v.URL() }

// Client returns an HTTP client for the venue's hosts.
func (f Front[R]) Client() *http.Client { return f.v.Client() }

// Close stops every host, releasing hanging requests first.
func (f Front[R]) Close() { f.v.Close() }

// Requests returns every request received so far, oldest first.
func (f Front[R]) Requests() []R { return Convert(f.v.Requests(), f.request) }

// LastRequest returns the most recent request, or a zero Request.
func (f Front[R]) LastRequest() R { return f.request(f.v.Last()) }

// Count returns how many requests hit method and path ("" matches any
// method).
func (f Front[R]) Count(method, path string) int { return f.v.Count(Route(method, path)) }

// Inject queues failure; failures are used in order, each by the first
// request it matches.
func (f Front[R]) Inject(failure Failure) { f.v.Inject(failure) }

// FailNext answers the next request with status, body and header.
func (f Front[R]) FailNext(status int, body string, header http.Header) {
	f.v.FailNext("", 1, status, body, header)
}

// HangNext holds the next request until the client gives up.
func (f Front[R]) HangNext() { f.v.HangNext("", 1) }

// FailNextAfterAccept has the next request on route ("METHOD /path") acted
// on in full and then answered with status, body and header instead, like
// a 5xx whose outcome the client cannot know.
func (f Front[R]) FailNextAfterAccept(route string, status int, body string, header http.Header) {
	method, path := SplitRoute(route)
	f.v.Inject(Failure{Method: method, Path: path, Mode: AfterAccept, Status: status, Body: body, Header: header})
}

// DropNextAfterAccept has the next request on route acted on in full and
// its connection then closed without an answer.
func (f Front[R]) DropNextAfterAccept(route string) {
	method, path := SplitRoute(route)
	f.v.Inject(Failure{Method: method, Path: path, Mode: DropAfterAccept})
}
