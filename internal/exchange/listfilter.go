package exchange

// WorkingOnly reports whether the filter can match working orders only:
// the open scope, or statuses that are all working ones. Adapters answer
// it from the venue's open-orders list instead of its history.
func (f ListFilter) WorkingOnly() bool {
	if f.Scope == ListOpen {
		return true
	}
	if len(f.Statuses) == 0 {
		return false
	}
	for _, s := range f.Statuses {
		if !s.Working() {
			return false
		}
	}
	return true
}
