// Command tradectl trades from the terminal, scripts and cron.
package main

import (
	"os"

	"github.com/tradectl/tradectl/internal/app"
)

func main() { os.Exit(app.Main()) }
