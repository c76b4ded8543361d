package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestEnvNames sets every key through the variable the issue and the
// README name, and checks the value arrives.
func TestEnvNames(t *testing.T) {
	env := []string{
		"PATH=/usr/bin", // not ours: ignored
		"CALLBACKLINE_LISTEN=127.0.0.1:9000",
		"CALLBACKLINE_PUBLIC_URL=https://cb.example.com",
		"CALLBACKLINE_DATABASE=postgresql://cb@127.0.0.1/cb",
		"CALLBACKLINE_ADMIN_TOKEN=abcdefghijklmnopqrstuvwxyz",
		"CALLBACKLINE_DEFAULT_REGION=de",
		"CALLBACKLINE_LOG_LEVEL=warn",
		"CALLBACKLINE_LOG_FORMAT=text",
		"CALLBACKLINE_BITRIX24_CLIENT_ID=app.123",
		"CALLBACKLINE_BITRIX24_CLIENT_SECRET=topsecret",
		"CALLBACKLINE_BITRIX24_OAUTH_SERVER=https://oauth.example.com/",
		"CALLBACKLINE_BITRIX24_RATE=0.5",
		"CALLBACKLINE_BITRIX24_BURST=10",
		"CALLBACKLINE_INTAKE_DEDUP_WINDOW=2m",
		"CALLBACKLINE_INTAKE_NUMBER_LIMIT=5",
		"CALLBACKLINE_INTAKE_PORTAL_LIMIT=0",
		"CALLBACKLINE_INTAKE_BLOCKED_NUMBER_TYPES=premium_rate, satellite_free_typo_fixed_below",
		"CALLBACKLINE_INTAKE_BLOCKED_NUMBER_TYPES=premium_rate, voip", // the later one wins
		"CALLBACKLINE_INTAKE_ALLOWED_COUNTRIES=ru,kz,,by",
		"CALLBACKLINE_INTAKE_MAX_BODY=128KiB",
		"CALLBACKLINE_LINES=+74951234567=Sales, support",
		"CALLBACKLINE_DATA_DIR=/srv/cb",
		"CALLBACKLINE_SHUTDOWN_GRACE=1m",
		"CALLBACKLINE_ENCRYPTION_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"CALLBACKLINE_TEST_POSTGRES=postgres://test", // the test suites' own: not a key, not an error
	}
	t.Chdir(t.TempDir())
	c, err := Load("", env)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Listen: "127.0.0.1:9000", PublicURL: "https://cb.example.com", Database: "postgresql://cb@127.0.0.1/cb",
		AdminToken: "abcdefghijklmnopqrstuvwxyz", DefaultRegion: "DE", LogLevel: "warn", LogFormat: "text",
		Bitrix24: Bitrix24{ClientID: "app.123", ClientSecret: "topsecret", OAuthServer: "https://oauth.example.com/", Rate: 0.5, Burst: 10},
		Intake: Intake{DedupWindow: 2 * time.Minute, NumberLimit: 5, PortalLimit: 0,
			BlockedNumberTypes: []string{"premium_rate", "voip"}, AllowedCountries: []string{"RU", "KZ", "BY"}, MaxBody: 128 << 10},
		Lines:   []Line{{Number: "+74951234567", Name: "Sales"}, {Number: "support"}},
		DataDir: "/srv/cb", ShutdownGrace: time.Minute,
		EncryptionKey: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load =\n%v\nwant\n%v", c, want)
	}
	// Every key has its variable, and the test above sets each one.
	joined := strings.Join(env, "\n")
	for _, k := range Keys() {
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
		path := write(t, fileWith(c.key, c.value))
		_, err = Load(path, nil)
		if err == nil {
			t.Errorf("file with %s: %q loaded", c.key, c.value)
			continue
		}
		hasProblem(t, err, key, c.says)
		hasProblem(t, err, key, "(at "+path+":")
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

// fileWith writes key: value as YAML, lists as flow sequences.
func fileWith(key, value string) string {
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
	var v string
	switch key {
	case "intake.blocked_number_types", "intake.allowed_countries":
		var items []string
		for _, i := range strings.Split(value, ",") {
			items = append(items, quote(i))
		}
		v = "[" + strings.Join(items, ", ") + "]"
	case "lines":
		var items []string
		for _, i := range strings.Split(value, ",") {
			number, name, _ := strings.Cut(i, "=")
			items = append(items, "{number: "+quote(number)+", name: "+quote(name)+"}")
		}
		v = "[" + strings.Join(items, ", ") + "]"
	default:
		v = quote(value)
	}
	section, leaf, nested := strings.Cut(key, ".")
	if nested {
		return section + ":\n  " + leaf + ": " + v + "\n"
	}
	return key + ": " + v + "\n"
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
