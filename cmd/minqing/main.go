// Command minqing is the minqing service and its tools, in one binary.
// The load tester and its echo baseline are a separate binary,
// cmd/minqing-bench, so the service carries no benchmark code.
//
//	minqing [serve]      run the service (the default)
//	minqing migrate      bring the database schema up to date and exit
//	minqing parse        print what the message parser understands of a text
//	minqing import       import staff or students from a spreadsheet
//	minqing schools      list, rename, merge or remove schools
//	minqing staff        remove or deactivate a staff member
//	minqing audit        list the administrative changes
//	minqing codes        write the staff's bind codes to hand out
//	minqing rebind       reset a staff member's WeChat binding
//	minqing settings     show or set a school's settings
//	minqing demo         seed a demo school for the simulator
//	minqing menu         show or install the custom menu
//	minqing chat         talk to a running service as a WeChat user, in the terminal
//	minqing health       check that the local service is ready
//	minqing version      print the version
package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	_ "time/tzdata" // the distroless image has no zoneinfo
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// env is what a subcommand may use of the process: arguments aside, every
// input and output goes through it, so that tests run commands in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func commands() map[string]command {
	return map[string]command{
		"serve":        {"run the service (default)", cmdServe},
		"migrate":      {"bring the database schema up to date and exit", cmdMigrate},
		"health":       {"check that the local service is ready (for container health checks)", cmdHealth},
		"parse":        {"print what the message parser understands of a text (--json)", cmdParse},
		"import":       {"import staff or students from .xlsx/.csv: import staff FILE --school NAME [--new]", cmdImport},
		"schools":      {"list the schools; schools rename|merge|remove", cmdSchools},
		"staff":        {"remove or deactivate a staff member: staff remove|deactivate --school NAME WHO", cmdStaff},
		"audit":        {"list the administrative changes (audit trail)", cmdAudit},
		"codes":        {"write the staff's bind codes: codes --school NAME -o codes.xlsx", cmdCodes},
		"rebind":       {"unbind a staff member and issue a new bind code: rebind --school NAME WHO", cmdRebind},
		"demo":         {"seed a demo school for the simulator's personas (demo --remove deletes it)", cmdDemo},
		"menu":         {"show or install the custom menu: menu show|sync [--file menu.json]", cmdMenu},
		"chat":         {"talk to a running service as a WeChat user, in the terminal", cmdChat},
		"settings":     {"show or set a school's settings (JSON): settings --school NAME [--set FILE]", cmdSettings},
		"digest":       {"print or send a week's digest: digest --school NAME [--week 2026-W47] [--send] [--text|--json]", cmdDigest},
		"gen-district": {"generate a district to measure the digest on: gen-district [--schools 50] [--scale 1]", cmdGenDistrict},
		"export":       {"export the ledger or a semester's register: export ledger|study|visits|observations --school NAME [--week W|--semester S] -o FILE.xlsx", cmdExport},
		"excuse":       {"excuse a staff member's study weeks: excuse --school NAME --from DAY [--to DAY] WHO", cmdExcuse},
		"version": {"print the version", func(ctx context.Context, e *env, args []string) int {
			fmt.Fprintln(e.stdout, "minqing", version)
			return 0
		}},
	}
}

// run runs the subcommand named by args[0] ("serve" when there is none)
// and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	c, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "minqing: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return c.run(ctx, e, args)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: minqing [command] [flags]\n\ncommands:")
	cmds := commands()
	for _, n := range slices.Sorted(maps.Keys(cmds)) {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from MINQING_* environment variables; see README.md.")
}
