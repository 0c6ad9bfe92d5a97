// Command gendocs writes tradectl's man pages from its command tree
// (`make man`, and the release's before hook). It is a program of its own
// so the tradectl binary does not carry, and start up, the man-page
// renderer.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmd/gendocs"
	"github.com/tradectl/tradectl/internal/cmd/root"
	"github.com/tradectl/tradectl/internal/iostreams"
)

func main() {
	dir := flag.String("man", "", "directory to write the man pages into")
	flag.Parse()
	if *dir == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gendocs --man DIR")
		os.Exit(2)
	}
	f := factory.New(iostreams.System(os.Getenv), os.Getenv, nil)
	date, err := gendocs.DocDate(f)
	if err == nil {
		var n int
		n, err = gendocs.WriteMan(root.NewCmdRoot(f), *dir, date)
		if err == nil {
			fmt.Fprintf(os.Stderr, "wrote %d man pages to %s\n", n, *dir)
			return
		}
	}
	fmt.Fprintln(os.Stderr, "gendocs:", err)
	os.Exit(1)
}
