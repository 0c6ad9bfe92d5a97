//go:build unix

package venuews

import (
	"net"
	"syscall"
)

const haveLowWaterMark = true

// lowWaterMark returns a func that sets conn's receive low-water mark, if
// conn is a socket.
func lowWaterMark(conn net.Conn) (func(bytes int) error, bool) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil, false
	}
	return func(bytes int) error {
		var serr error
		if err := raw.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVLOWAT, bytes)
		}); err != nil {
			return err
		}
		return serr
	}, true
}
