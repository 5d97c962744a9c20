// Command influxd is a minimal entry point for the InfluxDB 2.x server,
// built from the upstream Go module (github.com/influxdata/influxdb/v2)
// around its launcher package. It registers the TSM1 storage engine and
// the TSI1 index and adds a "version" subcommand. Upstream's extra
// maintenance subcommands (upgrade, inspect, recovery, downgrade) are not
// included: this binary only serves.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/influxdata/influxdb/v2"
	"github.com/influxdata/influxdb/v2/cmd/influxd/launcher"
	_ "github.com/influxdata/influxdb/v2/tsdb/engine/tsm1"
	_ "github.com/influxdata/influxdb/v2/tsdb/index/tsi1"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// Set with -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = "dev"
	commit  = "none"
	date    = ""
)

func main() {
	if date == "" {
		date = time.Now().UTC().Format(time.RFC3339)
	}
	influxdb.SetBuildInfo(version, commit, date)

	cmd, err := launcher.NewInfluxdCommand(context.Background(), viper.New())
	if err != nil {
		fail(err)
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the influxd server version",
		Run: func(*cobra.Command, []string) {
			fmt.Printf("InfluxDB %s (git: %s) build_date: %s\n", version, commit, date)
		},
	})
	cmd.SilenceUsage = true
	if err := cmd.Execute(); err != nil {
		fail(fmt.Errorf("see '%s -h' for help", cmd.CommandPath()))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
