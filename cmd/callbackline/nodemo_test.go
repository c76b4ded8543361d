//go:build !demo

package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestDemoNotBuiltIn: a production binary's `callbackline demo` fails and
// says how to build the demo.
func TestDemoNotBuiltIn(t *testing.T) {
	err := run(context.Background(), []string{"demo"}, nil, io.Discard, io.Discard)
	if !errors.Is(err, errNoDemo) || !strings.Contains(err.Error(), "make demo") {
		t.Errorf("demo in a production binary: %v", err)
	}
}
