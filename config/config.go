// Package config reads callbackline's process configuration: a YAML file
// (every key optional) and CALLBACKLINE_* environment variables, on top of
// defaults that let `callbackline serve` run with neither.
//
// Keys are dotted paths of the YAML file ("intake.dedup_window"); the
// environment variable of a key is CALLBACKLINE_ and the key in upper case
// with dots as underscores (CALLBACKLINE_INTAKE_DEDUP_WINDOW). Lists are
// comma-separated there. callbackline.example.yaml lists every key with
// its default.
//
// A new section (sip:, speech:, defaults:) is a new struct field with a
// yaml tag: the file, the environment, unknown-key checks, redaction and
// the example test follow from the tags. Tag a secret field `secret:"true"`
// and a byte-size field `unit:"bytes"`.
package config

import "time"

// Config is the process configuration. Per-portal settings (lines'
// trunks, routing, voices, …) live in the store, not here.
type Config struct {
	// Listen is the HTTP listen address, host:port.
	Listen string `yaml:"listen"`
	// PublicURL is the absolute http(s) base URL Bitrix24 reaches us at;
	// "" when not known yet.
	PublicURL string `yaml:"public_url"`
	// Database is "sqlite:<path>" or a postgres:// (postgresql://) URL;
	// see SplitDatabase.
	Database string `yaml:"database"`
	// AdminToken opens the JSON API (Authorization: Bearer); "" keeps the
	// API off. At least 16 characters.
	AdminToken string `yaml:"admin_token" secret:"true"`
	// DefaultRegion is the ISO 3166 alpha-2 region of numbers typed without
	// a country code; "" takes it from the portal's language.
	DefaultRegion string `yaml:"default_region"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// LogFormat is json or text.
	LogFormat string `yaml:"log_format"`
	// Bitrix24 is the application's registration in Bitrix24.
	Bitrix24 Bitrix24 `yaml:"bitrix24"`
	// Intake governs how events are taken in and the toll-fraud guard.
	Intake Intake `yaml:"intake"`
	// Lines are the external lines registered in every portal.
	Lines []Line `yaml:"lines"`
	// DataDir holds recordings and the speech cache.
	DataDir string `yaml:"data_dir"`
	// ShutdownGrace is how long a stop waits for running work.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// EncryptionKey encrypts tokens and SIP passwords at rest: 32 bytes,
	// base64 or hex; "" stores them in the clear. See Key.
	EncryptionKey string `yaml:"encryption_key" secret:"true"`
}

// Bitrix24 is the application's registration in Bitrix24 and the REST
// rate limit per portal.
type Bitrix24 struct {
	// ClientID is the application's client_id ("app.…" or "local.…").
	ClientID string `yaml:"client_id"`
	// ClientSecret is the application's client_secret.
	ClientSecret string `yaml:"client_secret" secret:"true"`
	// OAuthServer is the only host the client secret is sent to.
	OAuthServer string `yaml:"oauth_server"`
	// Rate is REST requests per second per portal (Enterprise plans: 5).
	Rate float64 `yaml:"rate"`
	// Burst is the leaky bucket's size (Enterprise plans: 250).
	Burst int `yaml:"burst"`
}

// Intake governs POST /bitrix24/events.
type Intake struct {
	// DedupWindow folds repeats of a request (same portal, number, CRM
	// entity) into one callback; 0 turns it off.
	DedupWindow time.Duration `yaml:"dedup_window"`
	// NumberLimit is callbacks per number per hour; 0 means no limit.
	NumberLimit int `yaml:"number_limit"`
	// PortalLimit is callbacks per portal per hour; 0 means no limit.
	PortalLimit int `yaml:"portal_limit"`
	// BlockedNumberTypes are never dialled (see phone.Types).
	BlockedNumberTypes []string `yaml:"blocked_number_types"`
	// AllowedCountries are ISO 3166 alpha-2 codes; empty allows all.
	AllowedCountries []string `yaml:"allowed_countries"`
	// MaxBody is the largest event body in bytes ("64KiB" in the file).
	MaxBody int64 `yaml:"max_body" unit:"bytes"`
}

// Line is an external line registered in Bitrix24
// (telephony.externalLine.add): what a CRM form picks as callback line
// and what arrives as LINE_NUMBER.
type Line struct {
	// Number identifies the line; free text, at most 50 characters.
	Number string `yaml:"number"`
	// Name is shown in Bitrix24 next to the number.
	Name string `yaml:"name"`
}

// Default returns the configuration used when nothing is configured.
func Default() *Config {
	return &Config{
		Listen:    ":8080",
		Database:  "sqlite:./callbackline.db",
		LogLevel:  "info",
		LogFormat: "json",
		Bitrix24: Bitrix24{
			OAuthServer: "https://oauth.bitrix.info/",
			Rate:        2,
			Burst:       50,
		},
		Intake: Intake{
			DedupWindow:        10 * time.Minute,
			NumberLimit:        3,
			PortalLimit:        100,
			BlockedNumberTypes: []string{"premium_rate", "shared_cost", "unknown"},
			AllowedCountries:   []string{},
			MaxBody:            64 << 10,
		},
		Lines:         []Line{{Number: "callbackline", Name: "callbackline"}},
		DataDir:       "./data",
		ShutdownGrace: 30 * time.Second,
	}
}
