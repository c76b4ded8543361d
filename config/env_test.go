package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
)

// fileOnly reports whether key is a list of mappings, set in the file only.
func fileOnly(key string) bool {
	for _, f := range fields() {
		if f.key == key {
			return f.fileOnly
		}
	}
	return false
}

// TestEnvNames sets every key through the variable the issue and the
// README name, and checks the value arrives.
func TestEnvNames(t *testing.T) {
	env := []string{
		"PATH=/usr/bin", // not ours: ignored
		"CALLBACKLINE_LISTEN=127.0.0.1:9000",
		"CALLBACKLINE_PUBLIC_URL=https://cb.example.com",
		"CALLBACKLINE_TLS_CERT_FILE=",
		"CALLBACKLINE_TLS_KEY_FILE=",
		"CALLBACKLINE_TLS_REDIRECT_LISTEN=:9080",
		"CALLBACKLINE_TLS_ACME_DOMAINS=cb.example.com,www.cb.example.com",
		"CALLBACKLINE_TLS_ACME_EMAIL=ops@example.com",
		"CALLBACKLINE_TLS_ACME_DIRECTORY=https://acme.example.com/directory",
		"CALLBACKLINE_TLS_ACME_CACHE_DIR=/srv/acme",
		"CALLBACKLINE_DATABASE=postgresql://cb@127.0.0.1/cb",
		"CALLBACKLINE_ADMIN_TOKEN=abcdefghijklmnopqrstuvwxyz",
		"CALLBACKLINE_METRICS_TOKEN=metrics-0123456789abcdef",
		"CALLBACKLINE_DEFAULT_REGION=de",
		"CALLBACKLINE_LOG_LEVEL=warn",
		"CALLBACKLINE_LOG_FORMAT=text",
		"CALLBACKLINE_BITRIX24_CLIENT_ID=app.123",
		"CALLBACKLINE_BITRIX24_CLIENT_SECRET=topsecret",
		"CALLBACKLINE_BITRIX24_OAUTH_SERVER=https://oauth.example.com/",
		"CALLBACKLINE_BITRIX24_RATE=0.5",
		"CALLBACKLINE_BITRIX24_BURST=10",
		"CALLBACKLINE_BITRIX24_OFFLINE_EVENTS=true",
		"CALLBACKLINE_BITRIX24_END_EVENT_WAIT=30s",
		"CALLBACKLINE_BITRIX24_ALLOW_NETWORKS=10.0.0.0/8, 192.168.1.20",
		"CALLBACKLINE_INTAKE_DEDUP_WINDOW=2m",
		"CALLBACKLINE_INTAKE_NUMBER_LIMIT=5",
		"CALLBACKLINE_INTAKE_PORTAL_LIMIT=0",
		"CALLBACKLINE_INTAKE_NUMBER_DIAL_LIMIT=4",
		"CALLBACKLINE_INTAKE_PORTAL_DIAL_LIMIT=0",
		"CALLBACKLINE_INTAKE_BLOCKED_NUMBER_TYPES=premium_rate, satellite_free_typo_fixed_below",
		"CALLBACKLINE_INTAKE_BLOCKED_NUMBER_TYPES=premium_rate, voip", // the later one wins
		"CALLBACKLINE_INTAKE_ALLOWED_COUNTRIES=ru,kz,,by",
		"CALLBACKLINE_INTAKE_MAX_BODY=128KiB",
		"CALLBACKLINE_LINES=+74951234567=Sales, support",
		"CALLBACKLINE_DATA_DIR=/srv/cb",
		"CALLBACKLINE_SHUTDOWN_GRACE=1m",
		"CALLBACKLINE_ENCRYPTION_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"CALLBACKLINE_TEST_POSTGRES=postgres://test", // the test suites' own: not a key, not an error
		"CALLBACKLINE_SIP_LISTEN=127.0.0.1:5070",
		"CALLBACKLINE_SIP_TRANSPORT=TCP",
		"CALLBACKLINE_SIP_TLS_CERT_FILE=/etc/cb/cert.pem",
		"CALLBACKLINE_SIP_TLS_KEY_FILE=/etc/cb/key.pem",
		"CALLBACKLINE_SIP_TLS_CA_FILE=/etc/cb/ca.pem",
		"CALLBACKLINE_SIP_EXTERNAL_ADDRESS=203.0.113.5",
		"CALLBACKLINE_SIP_RTP_PORTS_MIN=30000",
		"CALLBACKLINE_SIP_RTP_PORTS_MAX=30099",
		"CALLBACKLINE_SIP_CODECS=pcma",
		"CALLBACKLINE_SIP_USER_AGENT=cb-test",
		"CALLBACKLINE_SIP_INBOUND_ACCEPT=false",
		"CALLBACKLINE_SIP_INBOUND_ANNOUNCEMENT=/srv/cb/closed.wav",
		"CALLBACKLINE_SIP_PORTAL_NETWORKS=10.20.0.0/16, 192.168.5.7",
		"CALLBACKLINE_SPEECH_ENGINE=Command",
		"CALLBACKLINE_SPEECH_ALLOW_NONCOMMERCIAL=true",
		"CALLBACKLINE_SPEECH_ESPEAK_PATH=/usr/bin/espeak-ng",
		"CALLBACKLINE_SPEECH_ESPEAK_SPEED=140",
		"CALLBACKLINE_SPEECH_ESPEAK_VARIANT=m1",
		"CALLBACKLINE_SPEECH_COMMAND_PATH=piper",
		"CALLBACKLINE_SPEECH_COMMAND_ARGS=--model,{voice},--output_file,{out}",
		"CALLBACKLINE_SPEECH_COMMAND_PACKAGE=piper-tts",
		"CALLBACKLINE_SPEECH_CACHE_DIR=/var/cache/cb",
		"CALLBACKLINE_SPEECH_CACHE_MAX_BYTES=64MiB",
		"CALLBACKLINE_RECORDINGS_DIR=/srv/rec",
		"CALLBACKLINE_RECORDINGS_KEEP_DAYS=0",
		"CALLBACKLINE_RETENTION_REJECTED=48h",
		"CALLBACKLINE_RETENTION_FINISHED=2160h",
		"CALLBACKLINE_RETENTION_HISTORY=0",
		"CALLBACKLINE_DEFAULTS_POLICY_EMPLOYEE_RING_TIMEOUT=15s",
		"CALLBACKLINE_DEFAULTS_POLICY_CLIENT_RING_TIMEOUT=45s",
		"CALLBACKLINE_DEFAULTS_POLICY_CLIENT_ATTEMPTS=2",
		"CALLBACKLINE_DEFAULTS_POLICY_CLIENT_RETRY_AFTER=5m",
		"CALLBACKLINE_DEFAULTS_POLICY_EMPLOYEE_ROUNDS=1",
		"CALLBACKLINE_DEFAULTS_POLICY_EMPLOYEE_RETRY_AFTER=15m",
		"CALLBACKLINE_DEFAULTS_POLICY_MAX_AGE=48h",
		"CALLBACKLINE_DEFAULTS_POLICY_MAX_CALL_LENGTH=30m",
		"CALLBACKLINE_DEFAULTS_POLICY_RING_MODE=ALL",
		"CALLBACKLINE_DEFAULTS_POLICY_SKIP_ABSENT=true",
		"CALLBACKLINE_DEFAULTS_POLICY_REQUIRE_WORKDAY=true",
		"CALLBACKLINE_DEFAULTS_POLICY_REQUIRE_ACCEPT=true",
		"CALLBACKLINE_DEFAULTS_POLICY_ANNOUNCE=false",
		"CALLBACKLINE_DEFAULTS_POLICY_ANNOUNCE_REPEAT=2",
		"CALLBACKLINE_DEFAULTS_POLICY_VOICE=ruinternalfemale",
		"CALLBACKLINE_DEFAULTS_POLICY_TODO=true",
		"CALLBACKLINE_DEFAULTS_POLICY_HOURS_TIME_ZONE=Europe/Moscow",
		"CALLBACKLINE_DEFAULTS_POLICY_HOURS_MONDAY=09:00-13:00, 14:00-18:00",
		"CALLBACKLINE_DEFAULTS_POLICY_HOURS_TUESDAY=09:00-18:00",
		"CALLBACKLINE_DEFAULTS_POLICY_HOURS_WEDNESDAY=09:00-18:00",
		"CALLBACKLINE_DEFAULTS_POLICY_HOURS_THURSDAY=09:00-18:00",
		"CALLBACKLINE_DEFAULTS_POLICY_HOURS_FRIDAY=09:00-17:00",
		"CALLBACKLINE_DEFAULTS_POLICY_HOURS_SATURDAY=",
		"CALLBACKLINE_DEFAULTS_POLICY_HOURS_SUNDAY=",
		"CALLBACKLINE_DEFAULTS_POLICY_HOURS_HOLIDAYS=2026-12-25,2027-01-01",
		"CALLBACKLINE_PORTAL_LIMITS_LINES=5",
		"CALLBACKLINE_PORTAL_LIMITS_EMPLOYEES=4",
		"CALLBACKLINE_PORTAL_LIMITS_EMPLOYEE_RING_TIMEOUT=40s",
		"CALLBACKLINE_PORTAL_LIMITS_CLIENT_RING_TIMEOUT=50s",
		"CALLBACKLINE_PORTAL_LIMITS_CLIENT_ATTEMPTS=2",
		"CALLBACKLINE_PORTAL_LIMITS_CLIENT_RETRY_AFTER=5m",
		"CALLBACKLINE_PORTAL_LIMITS_EMPLOYEE_ROUNDS=2",
		"CALLBACKLINE_PORTAL_LIMITS_EMPLOYEE_RETRY_AFTER=0",
		"CALLBACKLINE_PORTAL_LIMITS_MAX_AGE=72h",
		"CALLBACKLINE_PORTAL_LIMITS_MAX_CALL_LENGTH=20m",
		"CALLBACKLINE_CLUSTER_DEAD_AFTER=12s",
		"CALLBACKLINE_CLUSTER_PRUNE_AFTER=48h",
		"CALLBACKLINE_CLUSTER_CALLS=false",
		"CALLBACKLINE_NOTIFY_FAILURES_IN_A_ROW=7",
	}
	t.Chdir(t.TempDir())
	c, err := Load("", env)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Listen: "127.0.0.1:9000", PublicURL: "https://cb.example.com", Database: "postgresql://cb@127.0.0.1/cb",
		TLS: TLS{RedirectListen: ":9080", ACME: ACME{Domains: []string{"cb.example.com", "www.cb.example.com"}, Email: "ops@example.com",
			Directory: "https://acme.example.com/directory", CacheDir: "/srv/acme"}},
		AdminToken: "abcdefghijklmnopqrstuvwxyz", MetricsToken: "metrics-0123456789abcdef", DefaultRegion: "DE", LogLevel: "warn", LogFormat: "text",
		Bitrix24: Bitrix24{ClientID: "app.123", ClientSecret: "topsecret", OAuthServer: "https://oauth.example.com/", Rate: 0.5, Burst: 10, OfflineEvents: true, EndEventWait: 30 * time.Second,
			AllowNetworks: []string{"10.0.0.0/8", "192.168.1.20"}},
		Intake: Intake{DedupWindow: 2 * time.Minute, NumberLimit: 5, PortalLimit: 0, NumberDialLimit: 4, PortalDialLimit: 0,
			BlockedNumberTypes: []string{"premium_rate", "voip"}, AllowedCountries: []string{"RU", "KZ", "BY"}, MaxBody: 128 << 10},
		Lines:   []Line{{Number: "+74951234567", Name: "Sales"}, {Number: "support"}},
		DataDir: "/srv/cb", ShutdownGrace: time.Minute,
		EncryptionKey: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		SIP: sip.Config{
			Listen: "127.0.0.1:5070", Transport: "tcp",
			TLS:             sip.TLSConfig{CertFile: "/etc/cb/cert.pem", KeyFile: "/etc/cb/key.pem", CAFile: "/etc/cb/ca.pem"},
			ExternalAddress: "203.0.113.5", RTPPorts: sip.PortRange{Min: 30000, Max: 30099},
			Codecs: []string{"pcma"}, UserAgent: "cb-test",
			Trunks: []sip.Trunk{}, Lines: []sip.Line{},
			Inbound:        sip.Inbound{Announcement: "/srv/cb/closed.wav"},
			PortalNetworks: []string{"10.20.0.0/16", "192.168.5.7"},
		},
		Speech: Speech{
			Engine: "command", AllowNonCommercial: true,
			Espeak:   Espeak{Path: "/usr/bin/espeak-ng", Speed: 140, Variant: "m1"},
			Command:  Command{Path: "piper", Args: []string{"--model", "{voice}", "--output_file", "{out}"}, Package: "piper-tts"},
			CacheDir: "/var/cache/cb", CacheMaxBytes: 64 << 20,
		},
		Recordings: Recordings{Dir: "/srv/rec", KeepDays: 0},
		Retention:  Retention{Rejected: 48 * time.Hour, Finished: 90 * 24 * time.Hour},
		Defaults: Defaults{Policy: Policy{
			EmployeeRingTimeout: new(15 * time.Second), ClientRingTimeout: new(45 * time.Second),
			ClientAttempts: new(2), ClientRetryAfter: new(5 * time.Minute),
			EmployeeRounds: new(1), EmployeeRetryAfter: new(15 * time.Minute),
			MaxAge: new(48 * time.Hour), MaxCallLength: new(30 * time.Minute),
			RingMode: new(callbackline.RingAll), SkipAbsent: new(true), RequireWorkday: new(true),
			RequireAccept: new(true), Announce: new(false), AnnounceRepeat: new(2), Voice: new("ruinternalfemale"), Todo: new(true),
			Hours: Hours{
				TimeZone: new("Europe/Moscow"),
				Monday:   []string{"09:00-13:00", "14:00-18:00"}, Tuesday: []string{"09:00-18:00"},
				Wednesday: []string{"09:00-18:00"}, Thursday: []string{"09:00-18:00"}, Friday: []string{"09:00-17:00"},
				Saturday: []string{}, Sunday: []string{},
				Holidays: []string{"2026-12-25", "2027-01-01"},
			},
		}},
		PortalLimits: PortalLimits{Lines: 5, Employees: 4, EmployeeRingTimeout: 40 * time.Second, ClientRingTimeout: 50 * time.Second,
			ClientAttempts: 2, ClientRetryAfter: 5 * time.Minute, EmployeeRounds: 2, EmployeeRetryAfter: 0,
			MaxAge: 72 * time.Hour, MaxCallLength: 20 * time.Minute},
		Portals: []Portal{},
		Cluster: Cluster{DeadAfter: 12 * time.Second, PruneAfter: 48 * time.Hour, Calls: false},
		Notify:  Notify{FailuresInARow: 7},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load =\n%v\nwant\n%v", c, want)
	}
	// Every key has its variable, and the test above sets each one.
	joined := strings.Join(env, "\n")
	for _, k := range Keys() {
		if fileOnly(k) {
			continue
		}
		if !strings.Contains(joined, EnvName(k)+"=") {
			t.Errorf("TestEnvNames does not set %s (%s)", EnvName(k), k)
		}
	}
	if k, err := c.EncryptionKeyBytes(); err != nil || len(k) != 32 || k[1] != 1 {
		t.Errorf("base64 key = %x, %v", k, err)
	}
}

func TestEnvEmptyValues(t *testing.T) {
	c, err := Load("", []string{"CALLBACKLINE_INTAKE_BLOCKED_NUMBER_TYPES=", "CALLBACKLINE_LINES=", "CALLBACKLINE_PUBLIC_URL="})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Intake.BlockedNumberTypes) != 0 || len(c.Lines) != 0 || c.PublicURL != "" {
		t.Errorf("empty variables must empty lists: %v", c)
	}
}

func TestPrecedence(t *testing.T) {
	path := write(t, "listen: :7000\nlog_level: warn\nintake:\n  dedup_window: 1m\n")
	c, err := Load(path, []string{"CALLBACKLINE_LOG_LEVEL=error", "CALLBACKLINE_INTAKE_DEDUP_WINDOW=0s"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":7000" { // file over default
		t.Errorf("listen = %q, want the file's", c.Listen)
	}
	if c.LogLevel != "error" || c.Intake.DedupWindow != 0 { // env over file
		t.Errorf("log_level = %q, dedup_window = %v; want the environment's", c.LogLevel, c.Intake.DedupWindow)
	}
	if c.Database != Default().Database { // default where neither says
		t.Errorf("database = %q, want the default", c.Database)
	}
}

func TestUnknownEnv(t *testing.T) {
	_, err := Load("", []string{
		"CALLBACKLINE_LISTN=:1",
		"CALLBACKLINE_BITRIX24_CLIENTID=x",
		"CALLBACKLINE_FROBNICATE=1",
		"CALLBACKLINE_BITRIX24=1",
		"CALLBACKLINE_TEST_ANYTHING=1",
		"CALLBACKLINE_CONFIG=",
	})
	hasProblem(t, err, "", "CALLBACKLINE_LISTN names no configuration key; did you mean CALLBACKLINE_LISTEN?")
	hasProblem(t, err, "", "did you mean CALLBACKLINE_BITRIX24_CLIENT_ID?")
	hasProblem(t, err, "", "CALLBACKLINE_FROBNICATE names no configuration key")
	hasProblem(t, err, "", "CALLBACKLINE_BITRIX24 names no configuration key")
	if n := len(problems(t, err)); n != 4 {
		t.Errorf("%d problems, want 4: %v", n, err)
	}
}

// TestBadValues gives every key a bad value, through the environment and
// through the file, and checks the message names the key, the problem
// and where the value came from.
func TestBadValues(t *testing.T) {
	cases := []struct {
		key, value, says string
	}{
		{"listen", "8080", `"8080" is not host:port`},
		{"listen", ":99999", "no port number"},
		{"listen", ":http", "no port number"},
		{"public_url", "cb.example.com", "is not an absolute URL"},
		{"public_url", "ftp://cb.example.com/", "must start with https://"},
		{"public_url", "https://cb.example.com/?x=1", "must not have a query"},
		{"public_url", "https://u:p@cb.example.com/", "must not carry a user"},
		{"database", "mysql://x", `is neither "sqlite:<file>" nor a postgres:// URL`},
		{"database", "./callbackline.db", "is neither"},
		{"database", "sqlite:", "names no SQLite file"},
		{"admin_token", "short", "is 5 characters long; use at least 16"},
		{"admin_token", "sixteen chars ok but spaces", "without spaces"},
		{"default_region", "RUS", `"RUS" is not an ISO 3166 alpha-2`},
		{"default_region", "XX", `"XX" is not an ISO 3166`},
		{"log_level", "verbose", `"verbose" is not one of debug, info, warn, error`},
		{"log_format", "xml", `"xml" is not json or text`},
		{"bitrix24.client_id", "", ""}, // placeholder, replaced below
		{"bitrix24.oauth_server", "http://oauth.example.com/", "must use https"},
		{"bitrix24.oauth_server", "oauth.bitrix.info", "is not an absolute URL"},
		{"bitrix24.rate", "0", "must be more than 0"},
		{"bitrix24.rate", "fast", `"fast" is not a number`},
		{"bitrix24.rate", "NaN", "is not a number"},
		{"bitrix24.burst", "0", "must be at least 1"},
		{"bitrix24.burst", "1.5", `"1.5" is not a whole number`},
		{"intake.dedup_window", "abc", `"abc" is not a duration (e.g. 10m)`},
		{"intake.dedup_window", "10", `"10" is not a duration`},
		{"intake.dedup_window", "-1m", "must not be negative"},
		{"intake.number_limit", "-1", "must not be negative"},
		{"intake.number_limit", "three", "is not a whole number"},
		{"intake.portal_limit", "-5", "must not be negative"},
		{"intake.number_dial_limit", "-1", "must not be negative (0 means no limit)"},
		{"intake.portal_dial_limit", "-3", "must not be negative (0 means no limit)"},
		{"intake.portal_dial_limit", "many", "is not a whole number"},
		{"retention.rejected", "30m", "must be 0 (keep forever) or at least 1h"},
		{"retention.rejected", "-1h", "must be 0 (keep forever) or at least 1h"},
		{"retention.finished", "2h", "must be 0 (keep forever) or at least 24h"},
		{"retention.history", "1h", "must be 0 (keep forever) or at least 24h"},
		{"retention.history", "a week", "is not a duration"},
		{"intake.blocked_number_types", "premium", `"premium" is not a number type; use any of fixed_line`},
		{"intake.allowed_countries", "RU,Russia", `"RUSSIA" is not an ISO 3166 alpha-2`},
		{"intake.max_body", "lots", `"lots" is not a size`},
		{"intake.max_body", "10", "must be between 1KiB and 16MiB"},
		{"intake.max_body", "1GiB", "is not a size"},
		{"intake.max_body", "100MiB", "must be between"},
		{"lines", "a=x,a=y", `"a" is the number of lines[0] too`},
		{"lines", strings.Repeat("n", 51), "Bitrix24 keeps at most 50"},
		{"lines", "=nameless", "is empty"},
		{"data_dir", " ", "is empty"},
		{"shutdown_grace", "-1s", "must not be negative"},
		{"shutdown_grace", "soon", "is not a duration"},
		{"cluster.dead_after", "1s", "must be between 3s and 10m"},
		{"cluster.dead_after", "1h", "must be between 3s and 10m"},
		{"cluster.prune_after", "10m", "must be between 1h and 2160h"},
		{"cluster.prune_after", "2161h", "must be between 1h and 2160h"},
		{"cluster.prune_after", "0", "must be between 1h and 2160h"},
		{"cluster.calls", "sometimes", "cluster.calls"},
		{"encryption_key", "tooshort", "is not 32 bytes in base64 or hex"},
		{"encryption_key", strings.Repeat("ab", 31), "is not 32 bytes"},
	}
	for _, c := range cases {
		if c.key == "bitrix24.client_id" {
			continue
		}
		env := []string{EnvName(c.key) + "=" + c.value}
		_, err := Load("", env)
		if err == nil {
			t.Errorf("%s=%q loaded", env[0], c.value)
			continue
		}
		key := c.key
		if key == "lines" {
			key = findKey(t, err, "lines[")
		}
		hasProblem(t, err, key, c.says)
		hasProblem(t, err, key, "(from "+EnvName(c.key)+")")

		// The same value from a file names the file and line.
		refusedInFile(t, fileWith(c.key, c.value), key, c.says)
	}
}

// findKey returns the key of the first problem that starts with prefix.
func findKey(t *testing.T, err error, prefix string) string {
	for _, e := range problems(t, err) {
		if strings.HasPrefix(e.Key, prefix) {
			return e.Key
		}
	}
	return prefix
}

// fileWith writes key: value as YAML, nested as the dots say, lists as
// flow sequences.
func fileWith(key, value string) string {
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
	var v string
	switch {
	case key == "lines":
		var items []string
		for _, i := range strings.Split(value, ",") {
			number, name, _ := strings.Cut(i, "=")
			items = append(items, "{number: "+quote(number)+", name: "+quote(name)+"}")
		}
		v = "[" + strings.Join(items, ", ") + "]"
	case isList(key):
		var items []string
		for _, i := range strings.Split(value, ",") {
			items = append(items, quote(i))
		}
		v = "[" + strings.Join(items, ", ") + "]"
	default:
		v = quote(value)
	}
	parts := strings.Split(key, ".")
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(strings.Repeat("  ", i) + p + ":")
		if i == len(parts)-1 {
			b.WriteString(" " + v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// isList reports whether key holds a list of single values.
func isList(key string) bool {
	for _, f := range fields() {
		if f.key == key {
			return f.typ.Kind() == reflect.Slice
		}
	}
	return false
}

func TestAllProblemsAtOnce(t *testing.T) {
	_, err := Load("", []string{
		"CALLBACKLINE_LISTEN=nope",
		"CALLBACKLINE_LOG_LEVEL=loud",
		"CALLBACKLINE_INTAKE_DEDUP_WINDOW=abc",
		"CALLBACKLINE_BITRIX24_CLIENT_ID=app.1",
	})
	ps := problems(t, err)
	keys := map[string]bool{}
	for _, p := range ps {
		keys[p.Key] = true
	}
	for _, k := range []string{"listen", "log_level", "intake.dedup_window", "bitrix24.client_secret"} {
		if !keys[k] {
			t.Errorf("no problem for %s in %v", k, err)
		}
	}
	want := `config: intake.dedup_window: "abc" is not a duration (e.g. 10m) (from CALLBACKLINE_INTAKE_DEDUP_WINDOW)`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error text\n%v\ndoes not contain\n%s", err, want)
	}
}

func TestClientIDAndSecretTogether(t *testing.T) {
	_, err := Load("", []string{"CALLBACKLINE_BITRIX24_CLIENT_SECRET=x"})
	hasProblem(t, err, "bitrix24.client_id", "is empty while bitrix24.client_secret is set")
	_, err = Load("", []string{"CALLBACKLINE_BITRIX24_CLIENT_ID=x"})
	hasProblem(t, err, "bitrix24.client_secret", "is empty while bitrix24.client_id is set")
}

func TestGoodEdgeValues(t *testing.T) {
	for _, env := range [][]string{
		{"CALLBACKLINE_BITRIX24_OAUTH_SERVER=http://127.0.0.1:8081/"},
		{"CALLBACKLINE_BITRIX24_OAUTH_SERVER=http://localhost/"},
		{"CALLBACKLINE_BITRIX24_OAUTH_SERVER=http://[::1]:9/"},
		{"CALLBACKLINE_DATABASE=sqlite:///var/lib/cb.db"},
		{"CALLBACKLINE_DATABASE=postgres://u:p@h:5432/db?sslmode=disable"},
		{"CALLBACKLINE_INTAKE_MAX_BODY=65536"},
		{"CALLBACKLINE_INTAKE_MAX_BODY=16MiB"},
		{"CALLBACKLINE_INTAKE_MAX_BODY=64 kb"},
		{"CALLBACKLINE_INTAKE_DEDUP_WINDOW=0"},
		{"CALLBACKLINE_LISTEN=[::1]:0"},
		{"CALLBACKLINE_ENCRYPTION_KEY=" + strings.Repeat("0f", 32)},
		{"CALLBACKLINE_ENCRYPTION_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
		{"CALLBACKLINE_INTAKE_BLOCKED_NUMBER_TYPES=" + "fixed_line,mobile,fixed_line_or_mobile,toll_free,premium_rate,shared_cost,voip,personal_number,pager,uan,voicemail,unknown"},
	} {
		if _, err := Load("", env); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
	d, src, err := SplitDatabase("sqlite:///var/lib/cb.db")
	if d != SQLite || src != "/var/lib/cb.db" || err != nil {
		t.Errorf("SplitDatabase = %q, %q, %v", d, src, err)
	}
}
