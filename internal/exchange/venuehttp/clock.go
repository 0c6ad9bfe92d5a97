package venuehttp

import (
	"fmt"
	"time"
)

// ClockSkew compares a venue's clock with ours from one round trip: the
// request left at start, the answer stamped venueTime arrived at end. The
// venue stamped its answer somewhere in between, so the skew is measured
// against the round trip's midpoint; skew > 0 means the venue is ahead and
// this machine behind.
func ClockSkew(start, end, venueTime time.Time) (skew, rtt time.Duration) {
	rtt = end.Sub(start)
	return venueTime.Sub(start.Add(rtt / 2)), rtt
}

// DescribeSkew says in words a trader can act on how far this machine's
// clock is from the venue's, to the millisecond, with the round trip the
// measure is only as good as.
func DescribeSkew(skew, rtt time.Duration) string {
	ms := skew.Milliseconds()
	switch {
	case ms > 0:
		return fmt.Sprintf("this machine's clock is %dms behind the venue's (round trip %dms)", ms, rtt.Milliseconds())
	case ms < 0:
		return fmt.Sprintf("this machine's clock is %dms ahead of the venue's (round trip %dms)", -ms, rtt.Milliseconds())
	}
	return fmt.Sprintf("this machine's clock agrees with the venue's (round trip %dms)", rtt.Milliseconds())
}
