package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
)

func TestRunCommands(t *testing.T) {
	var out, errw bytes.Buffer
	if err := run(context.Background(), []string{"version"}, nil, &out, &errw); err != nil || !strings.Contains(out.String(), callbackline.Version) {
		t.Errorf("version: %v %q", err, out.String())
	}
	var ue usageError
	if err := run(context.Background(), nil, nil, &out, &errw); !errors.As(err, &ue) {
		t.Errorf("no command: %v", err)
	}
	if err := run(context.Background(), []string{"fly"}, nil, &out, &errw); !errors.As(err, &ue) {
		t.Errorf("unknown command: %v", err)
	}
	if err := run(context.Background(), []string{"serve", "extra"}, nil, &out, &errw); !errors.As(err, &ue) {
		t.Errorf("stray argument: %v", err)
	}
}

// TestBadConfigStopsStart: a bad value names its key and nothing starts.
func TestBadConfigStopsStart(t *testing.T) {
	var out, errw bytes.Buffer
	env := []string{"CALLBACKLINE_LISTEN=127.0.0.1:0", "CALLBACKLINE_BITRIX24_OAUTH_SERVER=not a url", "CALLBACKLINE_INTAKE_NUMBER_LIMIT=-1"}
	err := run(context.Background(), []string{"serve"}, env, &out, &errw)
	if err == nil {
		t.Fatal("serve started with a bad configuration")
	}
	for _, key := range []string{"bitrix24.oauth_server", "intake.number_limit"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("the error does not name %s: %v", key, err)
		}
	}
	if err := run(context.Background(), []string{"serve", "--config", "/nonexistent/callbackline.yaml"}, nil, &out, &errw); err == nil ||
		!strings.Contains(err.Error(), "/nonexistent/callbackline.yaml") {
		t.Errorf("missing config file: %v", err)
	}
}

// TestMigrate applies the migrations to a fresh SQLite file twice.
func TestMigrate(t *testing.T) {
	dsn := "sqlite:" + t.TempDir() + "/m.db"
	for range 2 {
		var out, errw bytes.Buffer
		if err := run(context.Background(), []string{"migrate"}, []string{"CALLBACKLINE_DATABASE=" + dsn}, &out, &errw); err != nil {
			t.Fatalf("migrate: %v %s", err, errw.String())
		}
		if !strings.Contains(out.String(), "migrations applied") {
			t.Errorf("output %q", out.String())
		}
	}
}
