package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/placement"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestClassify(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	venue := func(kind error) error {
		return fmt.Errorf("place order: %w", &exchange.Error{Kind: kind, Venue: "binance", RetryAfter: time.Second})
	}
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want Classification
	}{
		{"nil", nil, nil, Classification{0, "", false}},
		{"usage", nil, Usagef("bad"), Classification{2, "usage", false}},
		{"validation", nil, &trade.ValidationError{Field: "qty"}, Classification{2, "usage", false}},
		{"config", nil, &config.Error{Path: "c.yaml", Line: 3, Msg: "x"}, Classification{2, "usage", false}},
		{"setup", nil, &SetupError{Err: errors.New("unwritable")}, Classification{2, "usage", false}},
		{"not found", nil, venue(exchange.ErrNotFound), Classification{3, "not_found", false}},
		{"auth", nil, venue(exchange.ErrAuth), Classification{4, "auth", false}},
		{"funds", nil, venue(exchange.ErrInsufficientFunds), Classification{5, "insufficient_funds", false}},
		{"invalid order", nil, venue(exchange.ErrInvalidOrder), Classification{5, "invalid_order", false}},
		{"duplicate", nil, venue(exchange.ErrDuplicateClientID), Classification{5, "duplicate_client_id", false}},
		{"refused", nil, fmt.Errorf("limit: %w", ErrRefused), Classification{5, "rejected", false}},
		{"unavailable", nil, venue(exchange.ErrUnavailable), Classification{6, "unavailable", true}},
		{"timeout", nil, fmt.Errorf("x: %w", context.DeadlineExceeded), Classification{6, "timeout", true}},
		{"rate limited", nil, venue(exchange.ErrRateLimited), Classification{7, "rate_limited", true}},
		{"partial", nil, &PartialError{Failed: 1, Total: 2}, Classification{8, "partial", true}},
		{"unknown outcome", nil, venue(exchange.ErrUnknownOutcome), Classification{9, "unknown_outcome", false}},
		{"condition timeout", nil, fmt.Errorf("x: %w", ErrConditionTimeout), Classification{10, "condition_timeout", true}},
		{"not filled", nil, fmt.Errorf("x: %w", ErrNotFilled), Classification{11, "not_filled", false}},
		{"risk refusal", nil, &risk.RefusedError{Profile: "p", Breaches: []risk.Breach{{Limit: "max_order_qty", Message: "x"}}}, Classification{5, "rejected", false}},
		{"needs yes", nil, &confirm.NeedsYesError{Profile: "p", Exchange: "binance"}, Classification{2, "usage", false}},
		{"declined", nil, fmt.Errorf("x: %w", confirm.ErrDeclined), Classification{12, "declined", false}},
		{"key conflict", nil, &placement.KeyConflictError{Key: "client id c"}, Classification{2, "usage", false}},
		{"bad override", nil, fmt.Errorf("x: %w", risk.ErrBadOverride), Classification{2, "usage", false}},
		{"interrupted", canceled, fmt.Errorf("x: %w", context.Canceled), Classification{130, "interrupted", false}},
		{"other", nil, errors.New("boom"), Classification{1, "internal", false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Classify(tt.ctx, tt.err)); diff != "" {
				t.Errorf("Classify(%v) (-want +got):\n%s", tt.err, diff)
			}
		})
	}
}

func TestExitCodesDocumentedOnce(t *testing.T) {
	seen := map[int]bool{}
	for _, c := range ExitCodes {
		if seen[c.Code] {
			t.Errorf("exit code %d listed twice", c.Code)
		}
		seen[c.Code] = true
	}
	for _, code := range []int{ExitOK, ExitInternal, ExitUsage, ExitNotFound, ExitAuth, ExitRejected, ExitUnavailable, ExitRateLimited, ExitPartial, ExitUnknownOutcome, ExitConditionTimeout, ExitNotFilled, ExitInterrupted} {
		if !seen[code] {
			t.Errorf("exit code %d is not documented in ExitCodes", code)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "", want: time.Time{}},
		{in: "90m", want: now.Add(-90 * time.Minute)},
		{in: "7d", want: now.Add(-7 * 24 * time.Hour)},
		{in: "2026-11-01", want: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-11-01T09:30:00+01:00", want: time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC)},
		{in: "-5m", wantErr: true},
		{in: "yesterday", wantErr: true},
		{in: "1.5d", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in, now)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseSince(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseSince(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
