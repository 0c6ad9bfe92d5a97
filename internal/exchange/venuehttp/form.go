package venuehttp

import (
	"net/url"
	"strings"
)

// Form is an application/x-www-form-urlencoded string, a query string or
// a POST body, built in the order its parameters are added. A venue that
// signs the exact bytes it is sent needs that: url.Values.Encode sorts the
// keys, so the bytes signed could drift from the bytes sent (or from a
// venue's documented signing vectors); built here, they are one string.
type Form struct {
	b strings.Builder
}

// Add appends name=value, both percent-encoded as url.QueryEscape does
// (non-ASCII included).
func (f *Form) Add(name, value string) {
	if f.b.Len() > 0 {
		f.b.WriteByte('&')
	}
	f.b.WriteString(url.QueryEscape(name))
	f.b.WriteByte('=')
	f.b.WriteString(url.QueryEscape(value))
}

// String is the encoded form; "" for a nil one, a request without
// parameters.
func (f *Form) String() string {
	if f == nil {
		return ""
	}
	return f.b.String()
}
