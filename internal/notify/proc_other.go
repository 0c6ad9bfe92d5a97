//go:build !unix

package notify

import "os/exec"

// Without process groups only the shell itself can be killed; WaitDelay
// keeps a surviving child from holding the command up.
func setProcessGroup(*exec.Cmd) {}

func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
