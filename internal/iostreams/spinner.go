package iostreams

import (
	"fmt"
	"sync"
	"time"
)

// Spinner shows progress on stderr, only when stderr is a terminal; on a
// pipe or in a log file it writes nothing, so scripts see clean output.
type Spinner struct {
	s     *IOStreams
	mu    sync.Mutex
	label string
	stop  chan struct{}
	done  chan struct{}
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// StartSpinner starts a spinner with a label. Stop it with Stop.
func (s *IOStreams) StartSpinner(label string) *Spinner {
	sp := &Spinner{s: s, label: label}
	if !s.stderrTTY {
		return sp
	}
	sp.stop, sp.done = make(chan struct{}), make(chan struct{})
	go sp.run()
	return sp
}

func (sp *Spinner) run() {
	defer close(sp.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		sp.mu.Lock()
		fmt.Fprintf(sp.s.ErrOut, "\r\x1b[K%s %s", spinnerFrames[i%len(spinnerFrames)], sp.label)
		sp.mu.Unlock()
		select {
		case <-sp.stop:
			fmt.Fprint(sp.s.ErrOut, "\r\x1b[K")
			return
		case <-t.C:
		}
	}
}

// SetLabel changes what the spinner says.
func (sp *Spinner) SetLabel(label string) {
	sp.mu.Lock()
	sp.label = label
	sp.mu.Unlock()
}

// Stop clears the spinner's line. It is safe to call more than once.
func (sp *Spinner) Stop() {
	if sp.stop == nil {
		return
	}
	select {
	case <-sp.stop:
	default:
		close(sp.stop)
	}
	<-sp.done
}
