package fakevenue

// Listing is a venue's instruments by name, kept in the order they were
// listed: a venue answers its instrument lists in a stable order, and so
// must its fake. The zero Listing is empty and ready to use; it is not
// safe for concurrent use (a fake guards it with its own lock).
type Listing[T any] struct {
	byName map[string]T
	names  []string
}

// Put lists v under name, or replaces what name lists in its place.
func (l *Listing[T]) Put(name string, v T) {
	if l.byName == nil {
		l.byName = map[string]T{}
	}
	if _, ok := l.byName[name]; !ok {
		l.names = append(l.names, name)
	}
	l.byName[name] = v
}

// Get returns what name lists.
func (l *Listing[T]) Get(name string) (T, bool) {
	v, ok := l.byName[name]
	return v, ok
}

// Names are the names listed, in the order they were first listed.
func (l *Listing[T]) Names() []string { return append([]string(nil), l.names...) }

// All is everything listed, in the order it was first listed.
func (l *Listing[T]) All() []T {
	out := make([]T, 0, len(l.names))
	for _, n := range l.names {
		out = append(out, l.byName[n])
	}
	return out
}

// Reset empties the listing.
func (l *Listing[T]) Reset() { *l = Listing[T]{} }
