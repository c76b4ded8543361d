//go:build tools

// This file pins the modules callbackline builds on while the packages that
// import them are being written, so that `go mod tidy` keeps them.
package callbackline

import (
	_ "github.com/emiago/diago"
	_ "github.com/emiago/sipgo"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/riverqueue/river"
	_ "github.com/riverqueue/river/riverdriver/riverpgxv5"
	_ "github.com/riverqueue/river/riverdriver/riversqlite"
	_ "github.com/riverqueue/river/rivermigrate"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
