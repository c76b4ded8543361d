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
// (a field of another package's type, which cannot be tagged, is listed in
// secretFields: sip.Trunk.Password) and a byte-size field `unit:"bytes"`.
//
// A list of mappings (sip.trunks, sip.lines) is set in the file only; a
// variable naming it is an error that says so. CALLBACKLINE_LINES sets
// lines' numbers and names only; their routing and policy are set in the
// file.
//
// Policy keys are pointers and nil means "not set": a line's policy
// overrides defaults.policy key by key, which overrides
// callbackline.DefaultPolicy the same way (see Policy and DomainLines).
// Rendered by String, an unset key is null (~), which Load reads as unset.
package config

import (
	"path/filepath"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
)

// Config is the process configuration. The lines, their routing and
// policy configured here are what portals start from (see DomainLines).
type Config struct {
	// Listen is the HTTP listen address, host:port.
	Listen string `yaml:"listen"`
	// TLS serves the HTTP listener over HTTPS.
	TLS TLS `yaml:"tls"`
	// PublicURL is the absolute http(s) base URL Bitrix24 reaches us at;
	// "" when not known yet.
	PublicURL string `yaml:"public_url"`
	// Database is "sqlite:<path>" or a postgres:// (postgresql://) URL;
	// see SplitDatabase.
	Database string `yaml:"database"`
	// AdminToken opens the JSON API (Authorization: Bearer); "" keeps the
	// API off. At least 16 characters.
	AdminToken string `yaml:"admin_token" secret:"true"`
	// MetricsToken, when set, is required to read /metrics
	// (Authorization: Bearer); "" leaves /metrics open, for a scraper on
	// a private network. At least 16 characters.
	MetricsToken string `yaml:"metrics_token" secret:"true"`
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
	// SIP is the dialer's own configuration (see sip.Config), validated by
	// sip.Config.Validate except that no trunk is allowed. Its trunks and
	// lines are lists and can be set in the file only; its single values
	// have variables too (CALLBACKLINE_SIP_LISTEN, …). Trunk passwords are
	// secrets.
	SIP sip.Config `yaml:"sip"`
	// Speech is the text-to-speech engine of the announcement.
	Speech Speech `yaml:"speech"`
	// Recordings is where call recordings are kept and for how long.
	Recordings Recordings `yaml:"recordings"`
	// Retention is how long requests and callbacks are kept.
	Retention Retention `yaml:"retention"`
	// Defaults holds what every line starts from: a line's policy
	// overrides defaults.policy key by key.
	Defaults Defaults `yaml:"defaults"`
	// PortalLimits bound what a portal's administrator may set on the
	// portal's own lines (see PortalLines).
	PortalLimits PortalLimits `yaml:"portal_limits"`
	// Portals are what the operator grants single portals: the caller
	// IDs their own lines may show. A list of mappings, file only.
	Portals []Portal `yaml:"portals"`
	// Cluster is how instances sharing a database watch each other.
	Cluster Cluster `yaml:"cluster"`
	// Notify is when a portal's administrators are told in Bitrix24.
	Notify Notify `yaml:"notify"`
}

// Notify is when a portal's administrators are told in Bitrix24
// (im.notify) about a problem of the portal: once when it begins, once
// more when it is fixed (see docs/notify.md).
type Notify struct {
	// FailuresInARow is how many of a portal's callbacks must fail one
	// after another before its administrators are told; 1–1000.
	FailuresInARow int `yaml:"failures_in_a_row"`
}

// Cluster is how instances sharing one database watch each other (see
// docs/cluster.md).
type Cluster struct {
	// DeadAfter: an instance whose heartbeat is older is declared dead
	// and another takes its calls over. Every instance beats every
	// DeadAfter/6. Between 3s and 10m; the same on every instance.
	DeadAfter time.Duration `yaml:"dead_after"`
	// PruneAfter: the row of an instance declared dead and taken over
	// is deleted once its heartbeat is older (and no callback is still
	// claimed under it). Between 1h and 90 days (2160h).
	PruneAfter time.Duration `yaml:"prune_after"`
	// Calls: this instance places calls (true, the default). False makes
	// it an intake instance: it takes Bitrix24's events, serves the app
	// page and the API, runs the maintenance jobs (uninstall checks,
	// recordings' attachments) and takes over dead instances' calls, but
	// dials nothing and works no callback job: the instances that place
	// calls on the same database do. It needs no SIP address. Of this
	// instance alone, so not part of Fingerprint.
	Calls bool `yaml:"calls"`
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
	// AllowNetworks are networks (CIDR, or one address) a portal may be in
	// besides the public internet: a self-hosted Bitrix24 on an internal
	// network. Portals are reached only over https at public addresses,
	// or, over https or plain http, at addresses in these networks.
	AllowNetworks []string `yaml:"allow_networks"`
	// OfflineEvents also binds the telephony events as offline events and
	// polls them every minute, a safety net for lost deliveries. Off by
	// default: whether Bitrix24 queues telephony events offline at all is
	// not confirmed.
	OfflineEvents bool `yaml:"offline_events"`
	// EndEventWait is how long a call handed to Bitrix24's telephony
	// (a line with dialer: bitrix24) waits for ONVOXIMPLANTCALLEND before
	// its outcome is looked up in voximplant.statistic.get (then again at
	// a quarter of it, until the line's max_call_length has passed too).
	EndEventWait time.Duration `yaml:"end_event_wait"`
}

// Intake governs POST /bitrix24/events, the toll-fraud guard and the
// limits on calls placed.
type Intake struct {
	// DedupWindow folds repeats of a request (same portal, number, CRM
	// entity) into one callback; 0 turns it off.
	DedupWindow time.Duration `yaml:"dedup_window"`
	// NumberLimit is callback requests (not click-to-call) per number per
	// hour; 0 means no limit.
	NumberLimit int `yaml:"number_limit"`
	// PortalLimit is accepted (not rejected) callback requests (not
	// click-to-call) per portal per hour; 0 means no limit.
	PortalLimit int `yaml:"portal_limit"`
	// NumberDialLimit is calls placed to one number per hour, whichever
	// portal asks (redials and click-to-call count); 0 means no limit.
	NumberDialLimit int `yaml:"number_dial_limit"`
	// PortalDialLimit is calls placed by one portal per hour
	// (click-to-call included); 0 means no limit.
	PortalDialLimit int `yaml:"portal_dial_limit"`
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
	// CallerID is the number presented to the client; "" is the trunk's.
	CallerID string `yaml:"caller_id"`
	// CallerName is the display name presented to the client.
	CallerName string `yaml:"caller_name"`
	// Language is the language of what callbackline says and writes for
	// the line's callbacks (see words.Languages); "" is the portal's.
	Language string `yaml:"language"`
	// Employees are Bitrix24 user ids tried after the CRM responsible, in
	// order.
	Employees []int64 `yaml:"employees"`
	// Target is a fixed extension (a PBX queue or ring group) rung instead
	// of employees; "" is none.
	Target string `yaml:"target"`
	// TargetUser is the Bitrix24 user the calls to Target are registered
	// for; required with Target.
	TargetUser int64 `yaml:"target_user"`
	// Policy overrides defaults.policy key by key: a key left out (nil)
	// takes the default.
	Policy Policy `yaml:"policy"`
	// Dialer places the line's calls: sip (callbackline's SIP trunk, the
	// default) or bitrix24 (the portal's own telephony, from FromLine).
	Dialer string `yaml:"dialer"`
	// FromLine is the portal's own Bitrix24 line (a voximplant.line.get
	// id such as reg151083) the Bitrix24 dialer calls from.
	FromLine string `yaml:"from_line"`
	// Voice is the Bitrix24 voice id the Bitrix24 dialer speaks with; ""
	// is the request's (the portal language's default).
	Voice string `yaml:"voice"`
	// Fallback: bitrix24 sends a SIP line's callbacks through the
	// Bitrix24 dialer (FromLine) when the SIP side has no way out.
	Fallback string `yaml:"fallback"`
	// Record: false makes no recording of the line's connected calls
	// (nothing is recorded nor attached to the Bitrix24 call); left out
	// or true records as recordings.dir says.
	Record *bool `yaml:"record"`
	// RecordNotice: true tells the client, when they answer and before
	// they are connected, that the call is recorded (words.Recorded in
	// the callback's language, spoken by callbackline's speech). Needs
	// the recording on and a SIP line.
	RecordNotice *bool `yaml:"record_notice"`
}

// Recordings says where call recordings are kept and for how long.
type Recordings struct {
	// Dir holds the recordings. Load sets it to <data_dir>/recordings
	// when the file and environment leave it out or empty; RecordingsDir
	// does the same for a Config built in code.
	Dir string `yaml:"dir"`
	// KeepDays is how long a local recording is kept; 0 keeps it forever.
	KeepDays int `yaml:"keep_days"`
}

// Retention says how long requests and callbacks are kept; 0 keeps them
// forever. Each is deleted in bounded batches every hour.
type Retention struct {
	// Rejected is how long a rejected request is kept (its text is cut
	// to 200 characters anyway).
	Rejected time.Duration `yaml:"rejected"`
	// Finished is how long a done or failed callback is kept after its
	// last change, with its attempts and history.
	Finished time.Duration `yaml:"finished"`
	// History is how long a history entry is kept, even of a callback
	// still kept.
	History time.Duration `yaml:"history"`
}

// Defaults are the settings every line starts from.
type Defaults struct {
	// Policy is the policy of a line that sets none; a key left out
	// (nil) takes callbackline.DefaultPolicy's value.
	Policy Policy `yaml:"policy"`
}

// Default returns the configuration used when nothing is configured.
func Default() *Config {
	return &Config{
		Listen:    ":8080",
		TLS:       TLS{ACME: ACME{Domains: []string{}, Directory: LetsEncrypt}},
		Database:  "sqlite:./callbackline.db",
		LogLevel:  "info",
		LogFormat: "json",
		Bitrix24: Bitrix24{
			OAuthServer:   "https://oauth.bitrix.info/",
			EndEventWait:  2 * time.Minute,
			Rate:          2,
			Burst:         50,
			AllowNetworks: []string{},
		},
		Intake: Intake{
			DedupWindow:        10 * time.Minute,
			NumberLimit:        3,
			PortalLimit:        100,
			NumberDialLimit:    10,
			PortalDialLimit:    300,
			BlockedNumberTypes: []string{"premium_rate", "shared_cost", "unknown"},
			AllowedCountries:   []string{},
			MaxBody:            64 << 10,
		},
		Lines:         []Line{{Number: "callbackline", Name: "callbackline"}},
		DataDir:       "./data",
		ShutdownGrace: 30 * time.Second,
		SIP: sip.Config{
			Listen:    sip.DefaultListen,
			Transport: "udp",
			RTPPorts:  sip.PortRange{Min: sip.DefaultRTPMin, Max: sip.DefaultRTPMax},
			Codecs:    []string{"pcmu", "pcma"},
			UserAgent: sip.DefaultUserAgent,
			Trunks:    []sip.Trunk{},
			Lines:     []sip.Line{},

			PortalNetworks: []string{},
		},
		Speech: Speech{
			Engine:        EngineAuto,
			Espeak:        Espeak{Path: "espeak-ng", Speed: 160, Variant: "f3"},
			Command:       Command{Args: []string{}},
			CacheDir:      filepath.Join("./data", "speech"),
			CacheMaxBytes: 256 << 20,
		},
		Recordings:   Recordings{Dir: filepath.Join("./data", "recordings"), KeepDays: 30},
		Retention:    Retention{Rejected: 7 * 24 * time.Hour},
		Defaults:     Defaults{Policy: fullPolicy(callbackline.DefaultPolicy())},
		PortalLimits: defaultPortalLimits(),
		Portals:      []Portal{},
		Cluster:      Cluster{DeadAfter: 30 * time.Second, PruneAfter: 24 * time.Hour, Calls: true},
		Notify:       Notify{FailuresInARow: 5},
	}
}
