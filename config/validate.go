package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
)

// Database drivers SplitDatabase returns.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// SplitDatabase splits the database setting into its driver and what the
// driver opens: "sqlite:./callbackline.db" → (SQLite, "./callbackline.db");
// "sqlite:///var/lib/cb.db" → (SQLite, "/var/lib/cb.db");
// "postgres://…" or "postgresql://…" → (Postgres, the whole URL).
func SplitDatabase(s string) (driver, source string, err error) {
	switch {
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		if _, err := url.Parse(s); err != nil {
			return "", "", errors.New("is not a valid PostgreSQL URL (e.g. postgres://user@host:5432/callbackline)")
		}
		return Postgres, s, nil
	case strings.HasPrefix(s, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(s, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New(`names no SQLite file (e.g. "sqlite:./callbackline.db")`)
		}
		return SQLite, path, nil
	}
	return "", "", fmt.Errorf(`%q is neither "sqlite:<file>" nor a postgres:// URL`, redactURL(s))
}

// EncryptionKeyBytes returns the 32-byte key of encryption_key, nil when
// none is configured.
func (c *Config) EncryptionKeyBytes() ([]byte, error) {
	if c.EncryptionKey == "" {
		return nil, nil
	}
	s := strings.TrimSpace(c.EncryptionKey)
	if len(s) == 64 {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	return nil, errors.New("is not 32 bytes in base64 or hex; make one with: openssl rand -base64 32")
}

// Policy returns the toll-fraud guard of the intake section.
func (c *Config) Policy() phone.Policy {
	return phone.Policy{BlockedTypes: c.Intake.BlockedNumberTypes, AllowedCountries: c.Intake.AllowedCountries}
}

// Level returns log_level as a slog level (info when it is not valid).
func (c *Config) Level() slog.Level {
	switch strings.ToLower(c.LogLevel) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// normalize puts case-insensitive values in their usual case.
func (c *Config) normalize() {
	c.LogLevel = strings.ToLower(c.LogLevel)
	c.LogFormat = strings.ToLower(c.LogFormat)
	c.DefaultRegion = strings.ToUpper(c.DefaultRegion)
	for i, t := range c.Intake.BlockedNumberTypes {
		c.Intake.BlockedNumberTypes[i] = strings.ToLower(t)
	}
	for i, r := range c.Intake.AllowedCountries {
		c.Intake.AllowedCountries[i] = strings.ToUpper(r)
	}
	c.SIP.Transport = strings.ToLower(c.SIP.Transport)
	c.Speech.Engine = strings.ToLower(c.Speech.Engine)
	lowerMode := func(p *Policy) {
		if p.RingMode != nil {
			p.RingMode = new(callbackline.RingMode(strings.ToLower(string(*p.RingMode))))
		}
	}
	lowerMode(&c.Defaults.Policy)
	for i := range c.Lines {
		lowerMode(&c.Lines[i].Policy)
	}
}

// Validate reports every problem of c, each an *Error, joined.
func (c *Config) Validate() error { return errors.Join(c.validate(nil)...) }

// The limits of intake.max_body.
const (
	minBody = 1 << 10
	maxBody = 16 << 20
)

// validate returns every problem of c; sources says where each key was
// set, for the messages.
func (c *Config) validate(sources map[string]string) []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		src := source(sources, key)
		errs = append(errs, newError(key, src, format, args))
	}
	c.checkServer(bad)
	c.checkLogging(bad)
	c.Bitrix24.check(bad)
	c.Intake.check(bad)
	errs = append(errs, checkLines(c.Lines, c.Defaults.Policy, &c.SIP, sources, bad)...)
	errs = append(errs, c.Defaults.Policy.check("defaults.policy", sources)...)
	if p := c.Defaults.Policy.Hours.checkOpen(); p != "" {
		bad("defaults.policy.hours", "is %s", p)
	}
	checkSIP(c.SIP, bad)
	errs = append(errs, c.checkPortals(sources)...)
	c.Speech.check(bad)
	c.checkStorage(bad)
	c.Retention.check(bad)
	return errs
}

// checkServer reports the problems of the HTTP server's settings: listen,
// public_url, database, the tokens and default_region.
func (c *Config) checkServer(bad func(key, format string, args ...any)) {
	if p := checkListen(c.Listen); p != "" {
		bad("listen", "%s", p)
	}
	c.TLS.check(c.Listen, bad)
	if c.PublicURL != "" {
		if p := checkURL(c.PublicURL, false); p != "" {
			bad("public_url", "%s", p)
		}
	}
	if _, _, err := SplitDatabase(c.Database); err != nil {
		bad("database", "%v", err)
	}
	for key, t := range map[string]string{"admin_token": c.AdminToken, "metrics_token": c.MetricsToken} {
		if t == "" {
			continue
		}
		if n := utf8.RuneCountInString(t); n < 16 {
			bad(key, "is %d characters long; use at least 16 (e.g. openssl rand -hex 24)", n)
		} else if strings.IndexFunc(t, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
			bad(key, "must be printable ASCII without spaces: it travels in an HTTP header")
		}
	}
	if c.DefaultRegion != "" && !phone.ValidRegion(c.DefaultRegion) {
		bad("default_region", "%q is not an ISO 3166 alpha-2 region code (e.g. RU, DE, US); leave it empty to use the portal's language", c.DefaultRegion)
	}
}

// checkLogging reports the problems of log_level and log_format.
func (c *Config) checkLogging(bad func(key, format string, args ...any)) {
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	switch strings.ToLower(c.LogFormat) {
	case "json", "text":
	default:
		bad("log_format", "%q is not json or text", c.LogFormat)
	}
}

// check reports the problems of the bitrix24 section.
func (b *Bitrix24) check(bad func(key, format string, args ...any)) {
	switch {
	case b.ClientID != "" && b.ClientSecret == "":
		bad("bitrix24.client_secret", "is empty while bitrix24.client_id is set; copy both from the application's page in Bitrix24")
	case b.ClientID == "" && b.ClientSecret != "":
		bad("bitrix24.client_id", "is empty while bitrix24.client_secret is set; copy both from the application's page in Bitrix24")
	}
	if p := checkURL(b.OAuthServer, true); p != "" {
		bad("bitrix24.oauth_server", "%s", p)
	}
	if !(b.Rate > 0) {
		bad("bitrix24.rate", "is %g; requests per second must be more than 0 (2, or 5 on Enterprise plans)", b.Rate)
	}
	if b.Burst < 1 {
		bad("bitrix24.burst", "is %d; must be at least 1 (50, or 250 on Enterprise plans)", b.Burst)
	}
	if _, err := ParseNetworks(b.AllowNetworks); err != nil {
		bad("bitrix24.allow_networks", "%v", err)
	}
	if b.EndEventWait < time.Second || b.EndEventWait > time.Hour {
		bad("bitrix24.end_event_wait", "is %s; between 1s and 1h (e.g. 2m)", formatDuration(b.EndEventWait))
	}
}

// check reports the problems of the intake section.
func (in *Intake) check(bad func(key, format string, args ...any)) {
	if in.DedupWindow < 0 {
		bad("intake.dedup_window", "is %s; must not be negative (0 turns de-duplication off)", in.DedupWindow)
	}
	if in.NumberLimit < 0 {
		bad("intake.number_limit", "is %d; must not be negative (0 means no limit)", in.NumberLimit)
	}
	if in.PortalLimit < 0 {
		bad("intake.portal_limit", "is %d; must not be negative (0 means no limit)", in.PortalLimit)
	}
	if in.NumberDialLimit < 0 {
		bad("intake.number_dial_limit", "is %d; must not be negative (0 means no limit)", in.NumberDialLimit)
	}
	if in.PortalDialLimit < 0 {
		bad("intake.portal_dial_limit", "is %d; must not be negative (0 means no limit)", in.PortalDialLimit)
	}
	for _, t := range in.BlockedNumberTypes {
		if !phone.ValidType(t) {
			bad("intake.blocked_number_types", "%q is not a number type; use any of %s", t, strings.Join(phone.Types(), ", "))
		}
	}
	for _, r := range in.AllowedCountries {
		if !phone.ValidRegion(r) {
			bad("intake.allowed_countries", "%q is not an ISO 3166 alpha-2 region code (e.g. RU, DE, US)", r)
		}
	}
	if in.MaxBody < minBody || in.MaxBody > maxBody {
		bad("intake.max_body", "is %s; must be between %s and %s", formatSize(in.MaxBody), formatSize(minBody), formatSize(maxBody))
	}
}

// The least retentions: a rejected request outlives the intake's hourly
// windows; a finished callback and its history outlive the dial limits'
// hour and a day's look at the app page.
const (
	minRejected = time.Hour
	minFinished = 24 * time.Hour
)

// check reports the problems of the retention section.
func (r *Retention) check(bad func(key, format string, args ...any)) {
	for _, k := range []struct {
		key   string
		d     time.Duration
		least time.Duration
	}{{"retention.rejected", r.Rejected, minRejected}, {"retention.finished", r.Finished, minFinished},
		{"retention.history", r.History, minFinished}} {
		if k.d != 0 && k.d < k.least {
			bad(k.key, "is %s; must be 0 (keep forever) or at least %s", formatDuration(k.d), formatDuration(k.least))
		}
	}
}

// checkStorage reports the problems of where and how data is kept:
// recordings, data_dir, shutdown_grace and encryption_key.
func (c *Config) checkStorage(bad func(key, format string, args ...any)) {
	if c.Recordings.KeepDays < 0 {
		bad("recordings.keep_days", "is %d; must not be negative (0 keeps recordings forever)", c.Recordings.KeepDays)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("data_dir", "is empty; name a directory for recordings and the speech cache (e.g. ./data)")
	}
	if c.ShutdownGrace < 0 {
		bad("shutdown_grace", "is %s; must not be negative", c.ShutdownGrace)
	}
	if d := c.Cluster.DeadAfter; d < 3*time.Second || d > 10*time.Minute {
		bad("cluster.dead_after", "is %s; must be between 3s and 10m (an instance's heartbeat older than it is taken for dead)", formatDuration(d))
	}
	if d := c.Cluster.PruneAfter; d < time.Hour || d > 90*24*time.Hour {
		bad("cluster.prune_after", "is %s; must be between 1h and 2160h (90 days): the row of an instance dead for longer is deleted", formatDuration(d))
	}
	if _, err := c.EncryptionKeyBytes(); err != nil {
		bad("encryption_key", "%v", err)
	}
	if n := c.Notify.FailuresInARow; n < 1 || n > 1000 {
		bad("notify.failures_in_a_row", "is %d; must be 1–1000 (callbacks failed one after another before the portal's administrators are told)", n)
	}
}

// source returns where key was set: its own source, else its list's
// ("lines" for "lines[0].number"), else the first key set within it
// ("sip.rtp_ports.min" for "sip.rtp_ports").
func source(sources map[string]string, key string) string {
	if src := sources[key]; src != "" {
		return src
	}
	base, _, _ := strings.Cut(key, "[")
	if src := sources[base]; src != "" {
		return src
	}
	inner := slices.Sorted(maps.Keys(sources))
	for _, k := range inner {
		if strings.HasPrefix(k, key+".") || strings.HasPrefix(k, key+"[") {
			return sources[k]
		}
	}
	return ""
}

// checkURL returns what is wrong with an absolute http(s) base URL, ""
// when nothing is. With httpsOnly, http is allowed for loopback hosts only.
func checkURL(s string, httpsOnly bool) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Sprintf("%q is not an absolute URL (e.g. https://callback.example.com/)", redactURL(s))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%q must start with https:// (or http://)", redactURL(s))
	case u.User != nil:
		return fmt.Sprintf("%q must not carry a user or password", redactURL(s))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Sprintf("%q must not have a query or fragment", s)
	case httpsOnly && u.Scheme == "http" && !loopback(u.Hostname()):
		return fmt.Sprintf("%q must use https: the client secret is sent there (http only for localhost)", s)
	}
	return ""
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redactURL hides a password in a URL for messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "xxxxx" + s[i:]
		}
	}
	return s
}

// checkLines reports the problems of a list of lines (config lines or a
// portal's own) through bad, and returns those of their policies.
func checkLines(lines []Line, defaults Policy, s *sip.Config, sources map[string]string, bad func(key, format string, args ...any)) []error {
	var errs []error
	numbers := map[string]int{}
	for i, l := range lines {
		key := fmt.Sprintf("lines[%d]", i)
		switch n := utf8.RuneCountInString(l.Number); {
		case strings.TrimSpace(l.Number) == "":
			bad(key+".number", "is empty; every line needs a number (free text, e.g. callbackline or +74951234567)", with(CodeNumberEmpty))
		case n > 50:
			bad(key+".number", "is %d characters long; Bitrix24 keeps at most 50", n, with(CodeTooLong, n, 50))
		case strings.TrimSpace(l.Number) != l.Number:
			bad(key+".number", "%q has spaces around it; Bitrix24 trims them", l.Number, with(CodeSpaces, l.Number))
		}
		if j, dup := numbers[l.Number]; dup {
			bad(key+".number", "%q is the number of lines[%d] too; line numbers must be unique", l.Number, j, with(CodeNumberTwice, l.Number, j+1))
		}
		numbers[l.Number] = i
		if n := utf8.RuneCountInString(l.Name); n > 255 {
			bad(key+".name", "is %d characters long; keep it under 255", n, with(CodeTooLong, n, 255))
		}
		l.checkRouting(key, s, bad)
		l.checkDialer(key, lines, bad)
		l.checkRecordNotice(key, bad)
		errs = append(errs, l.Policy.check(key+".policy", sources)...)
		if p := defaults.Merge(l.Policy).Hours.checkOpen(); p != "" && l.Policy.Hours.anyDay() {
			bad(key+".policy.hours", "with defaults.policy.hours is %s", p, with(CodeNeverOpen))
		}
	}
	return errs
}
