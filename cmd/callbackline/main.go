// Command callbackline runs the Bitrix24 callback line.
//
//	callbackline demo                       see the whole flow on this machine (build tag demo)
//	callbackline serve    [--config FILE]   run the service
//	callbackline migrate  [--config FILE]   apply the database migrations and exit
//	callbackline doctor   [--config FILE]   check what callbackline needs
//	callbackline voices   [--config FILE]   how each Bitrix24 voice is spoken, what to install
//	callbackline lines sync [--config FILE] [--prune]  register the lines in every portal
//	callbackline version                    print the version
//
// Configuration comes from a YAML file (--config, default ./callbackline.yaml
// when present) and CALLBACKLINE_* environment variables; every key has a
// default, so `callbackline serve` runs with none. This package only wires
// the others together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/callbackline/callbackline"
)

const usage = `callbackline: a Bitrix24 callback line

Usage:
  callbackline demo [--dialer bitrix24]  see the whole flow on this machine, nothing to configure
                                         (in the binary that make demo builds); --dialer bitrix24:
                                         a line on Bitrix24's own telephony
  callbackline serve   [--config FILE]   run the service
  callbackline migrate [--config FILE]   apply the database migrations and exit
  callbackline doctor  [--config FILE]   check the database, speech, SIP and Bitrix24 settings
  callbackline voices  [--config FILE]   how each Bitrix24 voice id is spoken: engine, voice,
                                         licence, natural or fallback, what to install
  callbackline lines sync [--config FILE] [--prune]
                                         register the configured lines in every installed portal
  callbackline version                   print the version

Configuration: a YAML file (--config, default ./callbackline.yaml if present)
and CALLBACKLINE_* environment variables (e.g. CALLBACKLINE_DATABASE).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "callbackline:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run executes one command; it returns when the command is done or ctx is
// cancelled.
func run(ctx context.Context, args, env []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file (default ./callbackline.yaml when present)")
	prune := fs.Bool("prune", false, "lines sync: also delete lines the configuration no longer has")
	switch cmd {
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "callbackline", callbackline.Version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	case "demo":
		var o demoOptions
		switch {
		case len(rest) == 2 && rest[0] == "--dialer" && (rest[1] == "sip" || rest[1] == "bitrix24"):
			o.Dialer = rest[1]
		case len(rest) > 0:
			return usageError{fmt.Sprintf("demo takes only --dialer sip or --dialer bitrix24, got %q", rest)}
		}
		return demo(ctx, stdout, o)
	case "lines":
		if len(rest) == 0 || rest[0] != "sync" {
			return usageError{"lines takes one subcommand: lines sync"}
		}
		rest = rest[1:]
	case "serve", "migrate", "doctor", "voices":
	default:
		fmt.Fprint(stderr, usage)
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
	if err := fs.Parse(rest); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s takes no arguments, got %q", cmd, fs.Args())}
	}
	cfg, err := loadConfig(*configPath, env)
	if err != nil {
		return err
	}
	switch cmd {
	case "migrate":
		return migrate(ctx, cfg, stdout)
	case "doctor":
		return doctor(ctx, cfg, stdout)
	case "voices":
		return voices(cfg, stdout)
	case "lines":
		return syncLines(ctx, cfg, stdout, *prune)
	default:
		return serve(ctx, cfg, stderr)
	}
}
