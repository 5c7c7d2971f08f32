// Command minqing-bench measures the minqing webhook. It is a binary of its
// own so that the service carries no benchmark code.
//
//	minqing-bench loadtest   send signed WeChat traffic to a webhook and report
//	minqing-bench echo       a bare WeChat SDK echo handler: the load baseline
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
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
	for _, n := range slices.Sorted(maps.Keys(cmds)) {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}

// accountEnv names the environment variable each account flag defaults to.
var accountEnv = map[string]string{
	"token":   "MINQING_WECHAT_TOKEN",
	"appid":   "MINQING_WECHAT_APPID",
	"aes-key": "MINQING_WECHAT_AES_KEY",
}

// accountFlags defines the WeChat account's -token, -appid and -aes-key
// (described by aesHelp) on fs. Not given, they default from the
// environment after parsing (parseFlags), so that -h never prints them.
func accountFlags(fs *flag.FlagSet, token, appID, aesKey *string, aesHelp string) {
	fs.StringVar(token, "token", "", "account Token (default $"+accountEnv["token"]+")")
	fs.StringVar(appID, "appid", "", "account AppID (default $"+accountEnv["appid"]+")")
	fs.StringVar(aesKey, "aes-key", "", aesHelp+" (default $"+accountEnv["aes-key"]+")")
}

// parseFlags parses a command's args with fs, refusing positional
// arguments, and sets the account flags not given from the environment. It
// returns false with the exit code when the command stops there: 0 after
// -h, 2 on bad usage.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected arguments %q\n", fs.Name(), fs.Args())
		return 2, false
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, env := range accountEnv {
		if fs.Lookup(name) != nil && !given[name] {
			fs.Set(name, os.Getenv(env)) // a string flag takes any value
		}
	}
	return 0, true
}
