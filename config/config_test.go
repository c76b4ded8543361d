package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// write puts a configuration file into a temporary directory.
func write(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "callbackline.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// problems returns the *Errors in err.
func problems(t *testing.T, err error) []*Error {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		var e *Error
		if errors.As(err, &e) && e == err {
			out = append(out, e)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if errors.As(err, &e) {
			out = append(out, e)
			return
		}
		t.Errorf("%v (%T) is not a *config.Error", err, err)
	}
	walk(err)
	return out
}

// hasProblem fails unless err has an *Error for key whose text says want.
func hasProblem(t *testing.T, err error, key, want string) {
	t.Helper()
	for _, e := range problems(t, err) {
		if e.Key == key && strings.Contains(e.Error(), want) {
			return
		}
	}
	t.Errorf("no problem with %q saying %q in:\n%v", key, want, err)
}

// refusedInFile writes text as the configuration file and checks that
// Load refuses it with a problem of key saying says, at the file's line.
func refusedInFile(t *testing.T, text, key, says string) {
	t.Helper()
	path := write(t, text)
	_, err := Load(path, nil)
	if err == nil {
		t.Errorf("%q loaded", text)
		return
	}
	hasProblem(t, err, key, says)
	hasProblem(t, err, key, "(at "+path+":")
}

func TestNoFileGivesDefaults(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("Load with nothing = %v, want the defaults", c)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	c := Default()
	checks := map[string]bool{
		"listen":              c.Listen == ":8080",
		"public_url":          c.PublicURL == "",
		"database":            c.Database == "sqlite:./callbackline.db",
		"admin_token":         c.AdminToken == "",
		"log_level":           c.LogLevel == "info",
		"log_format":          c.LogFormat == "json",
		"oauth_server":        c.Bitrix24.OAuthServer == "https://oauth.bitrix.info/",
		"rate":                c.Bitrix24.Rate == 2 && c.Bitrix24.Burst == 50,
		"dedup_window":        c.Intake.DedupWindow == 10*time.Minute,
		"limits":              c.Intake.NumberLimit == 3 && c.Intake.PortalLimit == 100,
		"blocked types":       strings.Join(c.Intake.BlockedNumberTypes, ",") == "premium_rate,shared_cost,unknown",
		"countries":           len(c.Intake.AllowedCountries) == 0,
		"max_body":            c.Intake.MaxBody == 64*1024,
		"lines":               len(c.Lines) == 1 && c.Lines[0].Number != "",
		"data_dir":            c.DataDir == "./data",
		"shutdown_grace":      c.ShutdownGrace == 30*time.Second,
		"cluster.dead_after":  c.Cluster.DeadAfter == 30*time.Second,
		"cluster.prune_after": c.Cluster.PruneAfter == 24*time.Hour,
		"cluster.calls":       c.Cluster.Calls,
		"encryption_key":      c.EncryptionKey == "",
		"policy":              c.Policy().Validate() == nil && len(c.Policy().BlockedTypes) == 3,
		"keys start":          Keys()[0] == "listen",
		"env name of key":     EnvName("bitrix24.oauth_server") == "CALLBACKLINE_BITRIX24_OAUTH_SERVER",
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("default %s is wrong", what)
		}
	}
}

// TestExampleFile keeps the documented example equal to Default and
// listing every key, so the docs never drift.
func TestExampleFile(t *testing.T) {
	c, err := Load("callbackline.example.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("the example file is not the defaults:\n%v\nwant\n%v", c, Default())
	}
	data, err := os.ReadFile("callbackline.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := prefix + n.Content[i].Value
			if v := n.Content[i+1]; v.Kind == yaml.MappingNode {
				walk(v, key+".")
			} else {
				listed[key] = true
			}
		}
	}
	walk(doc.Content[0], "")
	for _, k := range Keys() {
		if !listed[k] {
			t.Errorf("callbackline.example.yaml does not list %s", k)
		}
	}
	if len(listed) != len(Keys()) {
		t.Errorf("the example lists %d keys, Config has %d", len(listed), len(Keys()))
	}
}

func TestFileSetsEveryKey(t *testing.T) {
	path := write(t, `
listen: 127.0.0.1:9090
tls:
  cert_file: /etc/callbackline/tls/fullchain.pem
  key_file: /etc/callbackline/tls/privkey.pem
  redirect_listen: 127.0.0.1:9080
public_url: https://cb.example.com/
database: postgres://cb@db.example.com:5432/cb?sslmode=require
admin_token: 0123456789abcdef0123
default_region: ru
log_level: DEBUG
log_format: text
bitrix24:
  client_id: local.abc
  client_secret: s3cr3t
  oauth_server: http://127.0.0.1:9999/
  rate: 5
  burst: 250
  allow_networks: [127.0.0.0/8, "::1"]
intake:
  dedup_window: 1h30m
  number_limit: 0
  portal_limit: 1000
  number_dial_limit: 6
  portal_dial_limit: 500
  blocked_number_types: [premium_rate, VOIP]
  allowed_countries: [ru, KZ]
  max_body: 1 MiB
lines:
  - number: "+74951234567"
    name: Sales
  - number: support
data_dir: /var/lib/callbackline
shutdown_grace: 5s
encryption_key: 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
`)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Listen: "127.0.0.1:9090", PublicURL: "https://cb.example.com/",
		TLS: TLS{CertFile: "/etc/callbackline/tls/fullchain.pem", KeyFile: "/etc/callbackline/tls/privkey.pem", RedirectListen: "127.0.0.1:9080",
			ACME: ACME{Domains: []string{}, Directory: LetsEncrypt}},
		Database:   "postgres://cb@db.example.com:5432/cb?sslmode=require",
		AdminToken: "0123456789abcdef0123", DefaultRegion: "RU", LogLevel: "debug", LogFormat: "text",
		Bitrix24: Bitrix24{ClientID: "local.abc", ClientSecret: "s3cr3t", OAuthServer: "http://127.0.0.1:9999/", Rate: 5, Burst: 250,
			AllowNetworks: []string{"127.0.0.0/8", "::1"}, EndEventWait: 2 * time.Minute},
		Intake: Intake{DedupWindow: 90 * time.Minute, NumberLimit: 0, PortalLimit: 1000, NumberDialLimit: 6, PortalDialLimit: 500,
			BlockedNumberTypes: []string{"premium_rate", "voip"}, AllowedCountries: []string{"RU", "KZ"}, MaxBody: 1 << 20},
		Lines:   []Line{{Number: "+74951234567", Name: "Sales"}, {Number: "support"}},
		DataDir: "/var/lib/callbackline", ShutdownGrace: 5 * time.Second,
		EncryptionKey: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	}
	d := Default() // the sections the file leaves out
	want.SIP, want.Speech, want.Recordings, want.Defaults, want.Retention = d.SIP, d.Speech, d.Recordings, d.Defaults, d.Retention
	want.PortalLimits, want.Portals, want.Cluster, want.Notify = d.PortalLimits, d.Portals, d.Cluster, d.Notify
	want.Speech.CacheDir, want.Recordings.Dir = "/var/lib/callbackline/speech", "/var/lib/callbackline/recordings" // follow data_dir
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load =\n%+v\nwant\n%+v", *c.Redacted(), *want.Redacted())
	}
	driver, source, err := SplitDatabase(c.Database)
	if driver != Postgres || source != c.Database || err != nil {
		t.Errorf("SplitDatabase = %q, %q, %v", driver, source, err)
	}
	key, err := c.EncryptionKeyBytes()
	if err != nil || len(key) != 32 || key[31] != 0x1f {
		t.Errorf("EncryptionKeyBytes = %x, %v", key, err)
	}
}

func TestEmptyAndNullKeepDefaults(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "listen:\nintake:\n  dedup_window: ~\n", "---\n"} {
		c, err := Load(write(t, text), nil)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if !reflect.DeepEqual(c, Default()) {
			t.Errorf("%q: not the defaults: %v", text, c)
		}
	}
}

func TestExplicitPathMustExist(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.yaml does not exist") {
		t.Errorf("Load(missing) = %v", err)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("%v is not a *config.Error", err)
	}
	_, err = Load("", []string{"CALLBACKLINE_CONFIG=" + filepath.Join(t.TempDir(), "gone.yaml")})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load with CALLBACKLINE_CONFIG missing = %v", err)
	}
}

func TestDefaultPathAndConfigEnv(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(DefaultPath, []byte("listen: :7070\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load("", nil)
	if err != nil || c.Listen != ":7070" {
		t.Fatalf("./callbackline.yaml not read: %v, %v", c, err)
	}
	other := write(t, "listen: :6060\n")
	c, err = Load("", []string{"CALLBACKLINE_CONFIG=" + other})
	if err != nil || c.Listen != ":6060" {
		t.Errorf("CALLBACKLINE_CONFIG not read: %v", err)
	}
	c, err = Load(other, []string{"CALLBACKLINE_CONFIG=" + filepath.Join(dir, DefaultPath)})
	if err != nil || c.Listen != ":6060" {
		t.Errorf("an explicit path must win over CALLBACKLINE_CONFIG: %v", err)
	}
}

func TestUnknownKeys(t *testing.T) {
	path := write(t, "listen: :8080\nlistne: :1\nbitrix24:\n  client_idd: x\n  zzz: 1\nsipp:\n  listen: :5060\n")
	_, err := Load(path, nil)
	hasProblem(t, err, "listne", "did you mean listen?")
	hasProblem(t, err, "listne", path+":2")
	hasProblem(t, err, "bitrix24.client_idd", "did you mean bitrix24.client_id?")
	hasProblem(t, err, "bitrix24.client_idd", ":4")
	hasProblem(t, err, "bitrix24.zzz", "known in bitrix24: client_id, client_secret, oauth_server, rate, burst")
	hasProblem(t, err, "sipp", "did you mean sip?")
	if n := len(problems(t, err)); n != 4 {
		t.Errorf("%d problems, want 4: %v", n, err)
	}
}

func TestBadYAML(t *testing.T) {
	cases := map[string]struct{ key, says string }{
		"listen: [:8080\n":                       {"", "is not valid YAML"},
		"- listen\n":                             {"", "must be a mapping"},
		"bitrix24: oauth\n":                      {"bitrix24", "must be a mapping"},
		"listen: :1\nlisten: :2\n":               {"listen", "is given twice (first at line 1)"},
		"listen: {a: 1}\n":                       {"listen", "must be a single value"},
		"intake:\n  allowed_countries: [[RU]]\n": {"intake.allowed_countries[0]", "must be a single value"},
		"lines: [{number: a, nmae: b}]\n":        {"lines[0].nmae", "did you mean lines[0].name?"},
		"a: 1\n---\nb: 2\n":                      {"", "more than one YAML document"},
	}
	for text, want := range cases {
		_, err := Load(write(t, text), nil)
		if err == nil {
			t.Errorf("%q loaded", text)
			continue
		}
		hasProblem(t, err, want.key, want.says)
	}
}

func TestFileTooLarge(t *testing.T) {
	_, err := Load(write(t, "# "+strings.Repeat("x", maxFile)+"\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "larger than 1MiB") {
		t.Errorf("Load(huge) = %v", err)
	}
}

func TestAliasesResolve(t *testing.T) {
	c, err := Load(write(t, "log_level: &lvl warn\nintake:\n  allowed_countries: &c [RU]\nlog_format: text\n"), nil)
	if err != nil || c.LogLevel != "warn" || c.Intake.AllowedCountries[0] != "RU" {
		t.Errorf("Load with anchors = %v, %v", c, err)
	}
}

// The fingerprint changes with a shared setting (not with one of the
// instance's own), is the same for one key written as base64 or hex, and
// does not contain the key.
func TestFingerprint(t *testing.T) {
	a := Default()
	a.EncryptionKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	b := *a
	b.EncryptionKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	b.Listen, b.SIP.Listen, b.DataDir = "127.0.0.1:9999", "127.0.0.1:5099", "/other"
	b.Cluster.Calls = false // an intake instance beside callers
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("the same shared settings (one key in hex and base64, other listen addresses, an intake instance) give other fingerprints")
	}
	for name, change := range map[string]func(c *Config){
		"encryption_key":         func(c *Config) { c.EncryptionKey = "" },
		"bitrix24.client_secret": func(c *Config) { c.Bitrix24.ClientSecret = "other" },
		"intake.number_limit":    func(c *Config) { c.Intake.NumberLimit++ },
		"cluster.dead_after":     func(c *Config) { c.Cluster.DeadAfter = time.Minute },
	} {
		c := *a
		change(&c)
		if c.Fingerprint() == a.Fingerprint() {
			t.Errorf("%s changed, the fingerprint did not", name)
		}
	}
	if fp := a.Fingerprint(); len(fp) != 16 || strings.Contains(a.EncryptionKey, fp) {
		t.Errorf("fingerprint %q", fp)
	}
}
