package exchange

import (
	"testing"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestListFilterWorkingOnly(t *testing.T) {
	tests := []struct {
		name string
		f    ListFilter
		want bool
	}{
		{"open scope", ListFilter{Scope: ListOpen}, true},
		{"all, no statuses", ListFilter{Scope: ListAll}, false},
		{"all, working statuses", ListFilter{Scope: ListAll, Statuses: []trade.OrderStatus{trade.StatusOpen}}, true},
		{"all, a finished status", ListFilter{Scope: ListAll, Statuses: []trade.OrderStatus{trade.StatusOpen, trade.StatusFilled}}, false},
	}
	for _, tt := range tests {
		if got := tt.f.WorkingOnly(); got != tt.want {
			t.Errorf("%s: WorkingOnly() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
