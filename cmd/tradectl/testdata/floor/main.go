// Command floor prints a line and exits, linked with the libraries every
// tradectl command starts with. BenchmarkProcess times it beside a bare
// hello-world: the start-up no tradectl built on them can go below.
package main

import (
	"fmt"
	_ "net/http"

	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/shopspring/decimal"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "modernc.org/sqlite"
)

func main() { fmt.Println("hello") }
