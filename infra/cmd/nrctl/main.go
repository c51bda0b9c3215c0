// Command nrctl does what operators need from a shell: verify the audit
// ledger, show a stream, make a checkpoint, and (added by their owners in
// their own files) seed demo data, rebuild reminders, generate load or get
// a development token.
//
// Each area registers its subcommands from an init function in its own
// file (ledger.go registers "ledger"); main.go only dispatches. Exit codes:
// 0 success, 1 the command ran and found something wrong (a broken
// ledger), 2 wrong usage, 3 the command could not run (no database, ...).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// env is what a subcommand gets from its surroundings; tests pass their own.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// get returns the environment variable name, or def when it is empty.
func (e *env) get(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// commandFunc runs one subcommand with the arguments after its name.
type commandFunc func(ctx context.Context, e *env, args []string) error

type command struct {
	summary string
	run     commandFunc
}

// commands is the registry of subcommands by name, filled by register.
var commands = map[string]command{}

// register adds a subcommand; call it from an init function in the file of
// its area. Registering a name twice is a programming error.
func register(name, summary string, run commandFunc) {
	if _, dup := commands[name]; dup {
		panic("nrctl: subcommand registered twice: " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

// exitError ends the command with code after printing err (when not nil).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErr reports wrong usage (exit 2).
func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// foundProblems reports that the command ran and found something wrong,
// which it has already printed (exit 1).
func foundProblems() error { return &exitError{code: 1} }

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nrctl <command> [arguments]")
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
}

// run executes nrctl with args (without the program name) and returns the
// exit code.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "nrctl: unknown command %q\n", args[0])
		usage(e.stderr)
		return 2
	}
	err := cmd.run(ctx, e, args[1:])
	if err == nil {
		return 0
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			fmt.Fprintf(e.stderr, "nrctl %s: %v\n", args[0], xe.err)
		}
		return xe.code
	}
	fmt.Fprintf(e.stderr, "nrctl %s: %v\n", args[0], err)
	return 3
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// splitFlags moves flags (arguments starting with "-") before positional
// arguments, so "show STREAM --payload" parses like "show --payload STREAM".
// valued names the flags that take a separate value.
func splitFlags(args []string, valued ...string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && slices.Contains(valued, name) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append(flags, "--"), pos...)
}
