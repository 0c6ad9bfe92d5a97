package venuetest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// recorder is a testing.TB that keeps what a check reported instead of
// failing the test that runs it.
type recorder struct {
	testing.TB
	errors int
	fatal  bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Error(...any)          { r.errors++ }
func (r *recorder) Errorf(string, ...any) { r.errors++ }
func (r *recorder) Fatal(...any)          { r.fatal = true }
func (r *recorder) Fatalf(string, ...any) { r.fatal = true }
func (r *recorder) String() string        { return fmt.Sprintf("errors %d fatal %v", r.errors, r.fatal) }

func TestWantError(t *testing.T) {
	refused := fmt.Errorf("%w: price below the tick", exchange.ErrInvalidOrder)
	tests := []struct {
		name      string
		err       error
		target    error
		want      string
		wantOK    bool
		wantFatal bool
	}{
		{name: "no error wanted, none", wantOK: true},
		{name: "no error wanted, one", err: refused, wantOK: true, wantFatal: true},
		{name: "wanted and got", err: refused, target: exchange.ErrInvalidOrder, want: "tick"},
		{name: "any error will do", err: refused, want: "tick"},
		{name: "wrong kind", err: refused, target: exchange.ErrNotFound, want: "tick", wantFatal: true},
		{name: "wrong words", err: refused, target: exchange.ErrInvalidOrder, want: "lot", wantFatal: true},
		{name: "wanted, none", target: exchange.ErrInvalidOrder, want: "tick", wantFatal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			ok := venuetest.WantError(r, tt.err, tt.target, tt.want)
			if ok != tt.wantOK || r.fatal != tt.wantFatal {
				t.Errorf("WantError = %v, %s; want %v, fatal %v", ok, r, tt.wantOK, tt.wantFatal)
			}
		})
	}
}

func TestCheckErrorsHide(t *testing.T) {
	tests := []struct {
		name    string
		errs    []error
		secrets []string
		want    int
	}{
		{name: "clean", errs: []error{errors.New("401 unauthorized")}, secrets: []string{"k3y", "s3cret"}},
		{name: "quotes a secret", errs: []error{errors.New("bad key k3y"), errors.New("ok")}, secrets: []string{"k3y", "s3cret"}, want: 1},
		{name: "nil error", errs: []error{nil}, want: 1},
		{name: "empty secret ignored", errs: []error{errors.New("x")}, secrets: []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			venuetest.CheckErrorsHide(r, tt.errs, tt.secrets...)
			if r.errors != tt.want {
				t.Errorf("reported %d errors, want %d", r.errors, tt.want)
			}
		})
	}
}

type route string

func (r route) Route() string { return string(r) }

func TestCheckNotSent(t *testing.T) {
	log := []route{"GET /v2/orders/abc", "DELETE /v2/orders/abc", "GET /v2/account"}
	r := &recorder{TB: t}
	venuetest.CheckNotSent(r, log, "/account", "..")
	if r.errors != 1 {
		t.Errorf("reported %d requests, want the one to /v2/account", r.errors)
	}
	r = &recorder{TB: t}
	venuetest.CheckNotSent(r, log, "..")
	if r.errors != 0 {
		t.Errorf("reported %d requests, want none", r.errors)
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := venuetest.NewClock(start)
	if err := c.Sleep(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	if got, want := c.Now(), start.Add(time.Minute+time.Second); !got.Equal(want) {
		t.Errorf("Now = %v, want %v", got, want)
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ended, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep with an ended context = %v, want context.Canceled", err)
	}
	c.CancelSleeps(true)
	if err := c.Sleep(context.Background(), 2*time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep while canceling = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, c.Slept()); diff != "" {
		t.Errorf("Slept (-want +got):\n%s", diff)
	}
	if got, want := c.Now(), start.Add(time.Minute+time.Second); !got.Equal(want) {
		t.Errorf("a canceled sleep moved the clock to %v", got)
	}
	c.ForgetSleeps()
	if got := c.Slept(); len(got) != 0 {
		t.Errorf("Slept after ForgetSleeps = %v", got)
	}
}
