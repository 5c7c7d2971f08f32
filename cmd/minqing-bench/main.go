// Command minqing-bench measures the minqing webhook. It is a binary of its
// own so that the service carries no benchmark code.
//
//	minqing-bench loadtest   send signed WeChat traffic to a webhook and report
//	minqing-bench echo       a bare WeChat SDK echo handler: the load baseline
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	return map[string]command{
		"loadtest": {"send signed WeChat traffic to a webhook and report throughput, latency and cost per message", cmdLoadtest},
		"echo":     {"serve a bare WeChat SDK echo handler (the load-test baseline)", cmdEcho},
	}
}

// run runs the subcommand named by args[0] and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name, args := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	c, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "minqing-bench: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return c.run(ctx, args, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: minqing-bench command [flags]\n\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}
