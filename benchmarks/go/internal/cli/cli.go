// Package cli is the command line handling the benchmark programs share: flags are parsed, then
// checked; -h prints the usage and exits 0, a bad argument prints one line and the usage and
// exits 2.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

// Parse parses args into flags (made with flag.ContinueOnError) and runs check on what it got; it
// exits the program on -h and on bad arguments.
func Parse(flags *flag.FlagSet, args []string, check func(rest []string) error) {
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2) // the flag package has printed the error and the usage
	}
	if err := check(flags.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", flags.Name(), err)
		flags.Usage()
		os.Exit(2)
	}
}

// FirstError returns the first of errs that is not nil.
func FirstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// NoArguments fails when anything is left after the flags.
func NoArguments(rest []string) error {
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	return nil
}

// AtLeast fails when the named flag's value is below min.
func AtLeast(name string, value, min int) error {
	if value < min {
		return fmt.Errorf("%s must be at least %d, not %d", name, min, value)
	}
	return nil
}

// Positive fails when the named duration flag is zero or negative.
func Positive(name string, value time.Duration) error {
	if value <= 0 {
		return fmt.Errorf("%s must be positive, not %v", name, value)
	}
	return nil
}

// HostPort fails when the named flag is not host:port.
func HostPort(name, value string) error {
	if _, _, err := net.SplitHostPort(value); err != nil {
		return fmt.Errorf("%s must be host:port: %v", name, err)
	}
	return nil
}
