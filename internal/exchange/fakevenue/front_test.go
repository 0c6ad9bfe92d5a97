package fakevenue_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange/fakevenue"
)

// tagged is a fake's own request type: the log entry plus what the fake
// adds to it.
type tagged struct {
	Route string
	Tag   string
}

func TestFront(t *testing.T) {
	v := newVenue(t)
	front := fakevenue.NewFront(v.Venue, func(r fakevenue.Request) tagged { return tagged{Route: r.Route(), Tag: "seen"} })
	if front.URL() != v.URL() {
		t.Errorf("URL = %s, want the main host's %s", front.URL(), v.URL())
	}
	if got := front.LastRequest(); got != (tagged{Route: fakevenue.Request{}.Route(), Tag: "seen"}) {
		t.Errorf("LastRequest before any request = %+v, want the zero request converted", got)
	}
	ctx := context.Background()

	front.FailNextAfterAccept("POST /api/order", 502, "bad gateway", http.Header{"Content-Type": {"text/plain"}})
	if got := v.do(t, ctx, "GET", "/api/price", ""); got != ok("/api/price") {
		t.Errorf("another route took the failure: %+v", got)
	}
	handled := v.handled.Load()
	got := v.do(t, ctx, "POST", "/api/order", "")
	if want := (answer{Status: 502, Body: "bad gateway", Used: "1", ContentType: "text/plain"}); got != want {
		t.Errorf("order after accept = %+v, want %+v", got, want)
	}
	if v.handled.Load() != handled+1 {
		t.Error("the order was not handled before the failure answered")
	}

	front.DropNextAfterAccept("POST /api/order")
	if got := v.do(t, ctx, "POST", "/api/order", ""); !got.Err {
		t.Errorf("dropped order = %+v, want no answer", got)
	}
	if v.handled.Load() != handled+2 {
		t.Error("the dropped order was not handled")
	}

	front.FailNext(503, "down", nil)
	if got := v.do(t, ctx, "GET", "/api/price", ""); got.Status != 503 || got.Body != "down" || got.Used != "" {
		t.Errorf("FailNext = %+v, want 503 down without the handler's headers", got)
	}

	want := []tagged{{"GET /api/price", "seen"}, {"POST /api/order", "seen"}, {"POST /api/order", "seen"}, {"GET /api/price", "seen"}}
	if diff := cmp.Diff(want, front.Requests()); diff != "" {
		t.Errorf("Requests (-want +got):\n%s", diff)
	}
	if got := front.LastRequest(); got != want[3] {
		t.Errorf("LastRequest = %+v, want %+v", got, want[3])
	}
	if n := front.Count("POST", "/api/order"); n != 2 {
		t.Errorf("Count(POST /api/order) = %d, want 2", n)
	}
	if n := front.Count("", "/api/price"); n != 2 {
		t.Errorf("Count(any /api/price) = %d, want 2", n)
	}
}
