//go:build !unix

package venuews

import "net"

// Without a receive low-water mark every frame is read as it comes.
const haveLowWaterMark = false

func lowWaterMark(net.Conn) (func(bytes int) error, bool) { return nil, false }
