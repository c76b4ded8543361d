//go:build !demo

package main

import (
	"context"
	"errors"
	"io"
)

// demoOptions tune a demo run; this binary runs none.
type demoOptions struct {
	Dialer string // sip or bitrix24
}

// errNoDemo is what `callbackline demo` says in a production binary.
var errNoDemo = errors.New("this binary was built without the demo; `make demo` builds it (go build -tags demo ./cmd/callbackline)")

// demo is left out of the production binary: it runs the simulated
// Bitrix24 portal and the test phones, which only a binary built with the
// tag demo carries.
func demo(context.Context, io.Writer, demoOptions) error { return errNoDemo }
