package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/speech"
)

// TestBadSectionValues gives the keys of sip:, speech:, recordings: and
// defaults: bad values through the environment and the file; each message
// names the key and where the value came from.
func TestBadSectionValues(t *testing.T) {
	cases := []struct {
		key, value, problemKey, says string
	}{
		{"sip.listen", "5060", "", `"5060" is not IP:port`},
		{"sip.listen", "sip.example.com:5060", "", "is not IP:port"},
		{"sip.listen", "0.0.0.0:70000", "", "is not 0–65535"},
		{"sip.transport", "sctp", "", `"sctp" is not udp, tcp or tls`},
		{"sip.transport", "tls", "sip.tls", "needs cert_file and key_file"},
		{"sip.external_address", "not a host!", "", "is not a host name or IP address"},
		{"sip.external_address", "203.0.113.5:0", "", "is not 1–65535"},
		{"sip.rtp_ports.min", "80", "sip.rtp_ports", "must lie in 1024-65535"},
		{"sip.rtp_ports.max", "20001", "sip.rtp_ports", "hold at least 4 ports"},
		{"sip.rtp_ports.max", "many", "", `"many" is not a whole number`},
		{"sip.codecs", "pcmu,opus", "sip.codecs[1]", `"opus" is not pcmu or pcma`},
		{"sip.user_agent", "call back", "", "may hold only letters"},
		{"sip.inbound.accept", "maybe", "", `"maybe" is not true or false`},
		{"speech.engine", "festival", "", `"festival" is not auto, espeak, command or none`},
		{"speech.espeak.path", " ", "", "name the program"},
		{"speech.espeak.speed", "20", "", "must be 80–450"},
		{"speech.espeak.speed", "fast", "", "is not a whole number"},
		{"speech.espeak.variant", "F3 loud", "", "is not an espeak-ng variant"},
		{"speech.command.args", "--model,{model}", "", "holds {model}, which is not one of {text}"},
		{"speech.command.package", "Piper TTS", "", "is not a Debian package name"},
		{"speech.cache_max_bytes", "1000", "", "must be at least 1MiB"},
		{"speech.cache_max_bytes", "lots", "", "is not a size"},
		{"notify.failures_in_a_row", "0", "", "must be 1–1000"},
		{"notify.failures_in_a_row", "1001", "", "must be 1–1000"},
		{"notify.failures_in_a_row", "some", "", `"some" is not a whole number`},
		{"recordings.keep_days", "-1", "", "must not be negative (0 keeps recordings forever)"},
		{"recordings.keep_days", "a month", "", "is not a whole number"},
		{"defaults.policy.employee_ring_timeout", "0s", "", "must be more than 0"},
		{"defaults.policy.client_ring_timeout", "-5s", "", "must be more than 0"},
		{"defaults.policy.client_attempts", "0", "", "must be at least 1"},
		{"defaults.policy.client_retry_after", "soon", "", "is not a duration"},
		{"defaults.policy.employee_rounds", "0", "", "must be at least 1"},
		{"defaults.policy.employee_retry_after", "0", "", "must be more than 0"},
		{"defaults.policy.max_age", "-24h", "", "must be more than 0"},
		{"defaults.policy.max_call_length", "0m", "", "must be more than 0"},
		{"defaults.policy.announce_repeat", "0", "", "the text is said 1 to 3 times"},
		{"defaults.policy.announce_repeat", "4", "", "the text is said 1 to 3 times"},
		{"defaults.policy.voice", "robotvoice", "", `"robotvoice" is not a Bitrix24 voice id`},
		{"speech.allow_noncommercial", "sometimes", "", `"sometimes" is not true or false`},
		{"defaults.policy.ring_mode", "random", "", `"random" is not sequential or all`},
		{"defaults.policy.skip_absent", "sometimes", "", "is not true or false"},
		{"defaults.policy.require_workday", "2", "", "is not true or false"},
		{"defaults.policy.require_accept", "y", "", "is not true or false"},
		{"defaults.policy.announce", "loud", "", "is not true or false"},
		{"defaults.policy.todo", "maybe", "", "is not true or false"},
		{"defaults.policy.hours.time_zone", "Europe/Atlantis", "", `"Europe/Atlantis" is not a known IANA time zone`},
		{"defaults.policy.hours.time_zone", "", "", "is not an IANA time zone name"},
		{"defaults.policy.hours.time_zone", "Local", "", "is not an IANA time zone name"},
		{"defaults.policy.hours.monday", "9-18", "", `"9-18" is not HH:MM-HH:MM`},
		{"defaults.policy.hours.tuesday", "18:00-09:00", "", "with the end after the start"},
		{"defaults.policy.hours.wednesday", "09:00-25:00", "", "is not HH:MM-HH:MM"},
		{"defaults.policy.hours.saturday", "10:00", "", "is not HH:MM-HH:MM"},
		{"defaults.policy.hours.holidays", "25.12.2026", "", `"25.12.2026" is not a date YYYY-MM-DD`},
		{"defaults.policy.hours.holidays", "2026-02-30", "", "is not a date"},
	}
	for _, c := range cases {
		key := c.problemKey
		if key == "" {
			key = c.key
		}
		env := []string{EnvName(c.key) + "=" + c.value}
		_, err := Load("", env)
		if err == nil {
			t.Errorf("%s loaded", env[0])
			continue
		}
		hasProblem(t, err, key, c.says)
		if key == "sip.tls" { // not set: the transport asks for it
			continue
		}
		hasProblem(t, err, key, "(from "+EnvName(c.key)+")")

		refusedInFile(t, fileWith(c.key, c.value), key, c.says)
	}
}

func TestGoodSectionValues(t *testing.T) {
	for _, env := range [][]string{
		{"CALLBACKLINE_SIP_LISTEN=127.0.0.1:0"},
		{"CALLBACKLINE_SIP_LISTEN=[::]:5060"},
		{"CALLBACKLINE_SIP_EXTERNAL_ADDRESS=sip.example.com:5080"},
		{"CALLBACKLINE_SIP_TRANSPORT=TCP"},
		{"CALLBACKLINE_SPEECH_ENGINE=none"},
		{"CALLBACKLINE_SPEECH_ENGINE=command", "CALLBACKLINE_SPEECH_COMMAND_PATH=RHVoice-test",
			"CALLBACKLINE_SPEECH_COMMAND_ARGS=-p,{voice},-o,{out},--json={\"a\":1}"},
		{"CALLBACKLINE_SPEECH_ESPEAK_SPEED=80"},
		{"CALLBACKLINE_SPEECH_ESPEAK_SPEED=450"},
		{"CALLBACKLINE_SPEECH_CACHE_MAX_BYTES=1MiB"},
		{"CALLBACKLINE_RECORDINGS_KEEP_DAYS=0"},
		{"CALLBACKLINE_DEFAULTS_POLICY_RING_MODE=All"},
		{"CALLBACKLINE_DEFAULTS_POLICY_HOURS_TIME_ZONE=America/New_York"},
		{"CALLBACKLINE_DEFAULTS_POLICY_HOURS_SUNDAY=00:00-24:00"},
		{"CALLBACKLINE_DEFAULTS_POLICY_HOURS_HOLIDAYS=2028-02-29"},
	} {
		if _, err := Load("", env); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
}

// TestNoTrunkIsNotAnError: the service starts without a trunk.
func TestNoTrunkIsNotAnError(t *testing.T) {
	c := Default()
	if len(c.SIP.Trunks) != 0 || c.SIP.Listen != "0.0.0.0:5060" {
		t.Errorf("default sip = %+v", c.Redacted().SIP)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("no trunk: %v", err)
	}
	// The dialer starts without one too (the portals bring their own).
	if err := c.SIP.Validate(); err != nil {
		t.Errorf("sip.Config.Validate refuses no trunk: %v", err)
	}
	// A line naming a trunk that does not exist is still an error.
	c.SIP.Lines = []sip.Line{{Number: "sales", Trunk: "pbx"}}
	hasProblem(t, c.Validate(), "sip.lines[0].trunk", `no trunk named "pbx"`)
}

func TestSIPTrunksFromFile(t *testing.T) {
	path := write(t, `
sip:
  trunks:
    - name: pbx
      employee: "sip:{extension}@pbx.example.com"
      client: "sip:{digits}@pbx.example.com"
      username: cb
      password: pw-123456
      register: true
      register_expiry: 10m
      outbound_proxy: proxy.example.com:5060
      caller_id: {number: "+4930123456", name: Example}
  lines:
    - number: sales
      trunk: pbx
      caller_id: {number: "+4930123456"}
`)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := c.SIP.Trunks
	if len(tr) != 1 || tr[0].Password != "pw-123456" || tr[0].RegisterExpiry.String() != "10m0s" || !tr[0].Register ||
		tr[0].CallerID.Name != "Example" || tr[0].OutboundProxy != "proxy.example.com:5060" {
		t.Errorf("trunks = %+v", c.Redacted().SIP.Trunks)
	}
	if len(c.SIP.Lines) != 1 || c.SIP.Lines[0].Trunk != "pbx" || c.SIP.Lines[0].CallerID.Number != "+4930123456" {
		t.Errorf("sip lines = %+v", c.SIP.Lines)
	}
	if c.SIP.Listen != "0.0.0.0:5060" || c.SIP.Transport != "udp" {
		t.Errorf("defaults lost beside the trunks: %+v", c.Redacted().SIP)
	}
}

func TestSIPFileProblems(t *testing.T) {
	cases := map[string]struct{ key, says string }{
		"sip:\n  trunks:\n    - name: pbx\n      employee: \"sip:pbx.example.com\"\n      client: \"sip:{number}@pbx.example.com\"\n":                                                                       {"sip.trunks[0].employee", "{extension}"},
		"sip:\n  trunks:\n    - name: pbx\n      employee: \"sip:{extension}@h\"\n      client: \"sip:{number}@h\"\n      password: x\n":                                                                    {"sip.trunks[0].username", "a password needs a username"},
		"sip:\n  trunks:\n    - name: a\n      employee: \"sip:{extension}@h\"\n      client: \"sip:{number}@h\"\n    - name: a\n      employee: \"sip:{extension}@h\"\n      client: \"sip:{number}@h\"\n": {"sip.trunks[1].name", `trunk name "a" is used twice`},
		"sip:\n  trunks:\n    - nmae: pbx\n": {"sip.trunks[0].nmae", "did you mean sip.trunks[0].name?"},
		"sip:\n  trunks: pbx\n":              {"sip.trunks", "must be a list of mappings"},
		"sip:\n  trunks:\n    - name: [a]\n": {"sip.trunks[0].name", "must be a single value"},
		"sip:\n  rtp_ports: 20000-29999\n":   {"sip.rtp_ports", "must be a mapping"},
	}
	for text, want := range cases {
		refusedInFile(t, text, want.key, want.says)
	}
}

// TestSIPListsNotFromEnv: lists of trunks are set in the file only, and
// the error says so.
func TestSIPListsNotFromEnv(t *testing.T) {
	_, err := Load("", []string{"CALLBACKLINE_SIP_TRUNKS=pbx", "CALLBACKLINE_SIP_LINES=sales"})
	hasProblem(t, err, "sip.trunks", "CALLBACKLINE_SIP_TRUNKS cannot be set in the environment")
	hasProblem(t, err, "sip.trunks", "write it in the configuration file")
	hasProblem(t, err, "sip.lines", "cannot be set in the environment")
	// The single values of sip: can.
	c, err := Load("", []string{"CALLBACKLINE_SIP_LISTEN=127.0.0.1:5070", "CALLBACKLINE_SIP_EXTERNAL_ADDRESS=198.51.100.7"})
	if err != nil || c.SIP.Listen != "127.0.0.1:5070" || c.SIP.ExternalAddress != "198.51.100.7" {
		t.Errorf("sip from env = %v, %v", c, err)
	}
	// The environment overrides the file's single values, keeping its trunks.
	path := write(t, "sip:\n  listen: 0.0.0.0:5062\n  trunks:\n    - name: pbx\n      employee: \"sip:{extension}@h\"\n      client: \"sip:{number}@h\"\n")
	c, err = Load(path, []string{"CALLBACKLINE_SIP_LISTEN=0.0.0.0:5064"})
	if err != nil || c.SIP.Listen != "0.0.0.0:5064" || len(c.SIP.Trunks) != 1 {
		t.Errorf("file + env = %v, %v", c, err)
	}
}

func TestSpeechEngine(t *testing.T) {
	c := Default()
	a, ok := c.SpeechEngine().(*speech.Auto)
	if !ok || a.Espeak == nil || a.Espeak.Path != "espeak-ng" || a.Espeak.Speed != 160 || a.Espeak.Variant != "f3" || a.AllowNonCommercial {
		t.Errorf("default engine = %#v", c.SpeechEngine())
	}
	c.Speech.Engine, c.Speech.AllowNonCommercial = EngineAuto, true
	if a, ok := c.SpeechEngine().(*speech.Auto); !ok || !a.AllowNonCommercial {
		t.Errorf("speech.allow_noncommercial: engine = %#v", c.SpeechEngine())
	}
	c.Speech.Engine = EngineEspeak
	e, ok := c.SpeechEngine().(*speech.Espeak)
	if !ok || e.Path != "espeak-ng" || e.Speed != 160 || e.Variant != "f3" {
		t.Errorf("espeak engine = %#v", c.SpeechEngine())
	}
	c, err := Load("", []string{
		"CALLBACKLINE_SPEECH_ENGINE=command", "CALLBACKLINE_SPEECH_COMMAND_PATH=/usr/bin/piper",
		"CALLBACKLINE_SPEECH_COMMAND_ARGS=--model,{voice},--output_file,{out}", "CALLBACKLINE_SPEECH_COMMAND_PACKAGE=piper-tts",
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd, ok := c.SpeechEngine().(*speech.Command)
	if !ok || cmd.Path != "/usr/bin/piper" || cmd.Package != "piper-tts" ||
		!reflect.DeepEqual(cmd.Args, []string{"--model", "{voice}", "--output_file", "{out}"}) {
		t.Fatalf("command engine = %#v", c.SpeechEngine())
	}
	cmd.Args[0] = "changed" // the engine's args are its own
	if c.Speech.Command.Args[0] != "--model" {
		t.Error("SpeechEngine shares its args with the configuration")
	}
	// Args from the file keep commas and spaces inside items.
	c, err = Load(write(t, "speech:\n  engine: command\n  command:\n    path: tts\n    args: [\"--rate=1,5\", \"{text}\", \" x \"]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Speech.Command.Args, []string{"--rate=1,5", "{text}", "x"}) {
		t.Errorf("args from the file = %q", c.Speech.Command.Args)
	}
	c, err = Load("", []string{"CALLBACKLINE_SPEECH_ENGINE=NONE"})
	if err != nil || c.SpeechEngine() != nil || c.Speech.Engine != "none" {
		t.Errorf("engine none = %v, %v", c, err)
	}
	_, err = Load("", []string{"CALLBACKLINE_SPEECH_ENGINE=command"})
	hasProblem(t, err, "speech.command.path", "is empty while speech.engine is command")
}

func TestDataDirFollowers(t *testing.T) {
	c, err := Load("", []string{"CALLBACKLINE_DATA_DIR=/srv/cb"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Speech.CacheDir != "/srv/cb/speech" || c.Recordings.Dir != "/srv/cb/recordings" ||
		c.SpeechCacheDir() != "/srv/cb/speech" || c.RecordingsDir() != "/srv/cb/recordings" {
		t.Errorf("dirs = %s, %s", c.Speech.CacheDir, c.Recordings.Dir)
	}
	// Set empty in the file: below data_dir too.
	c, err = Load(write(t, "data_dir: /d\nspeech:\n  cache_dir: \"\"\nrecordings:\n  dir: \"\"\n"), nil)
	if err != nil || c.Speech.CacheDir != "/d/speech" || c.Recordings.Dir != "/d/recordings" {
		t.Errorf("empty dirs = %v, %v", c, err)
	}
	// A Config built in code with empty dirs gets them from the methods.
	d := Default()
	d.DataDir, d.Speech.CacheDir, d.Recordings.Dir = "/x", "", ""
	if d.SpeechCacheDir() != "/x/speech" || d.RecordingsDir() != "/x/recordings" {
		t.Errorf("methods = %s, %s", d.SpeechCacheDir(), d.RecordingsDir())
	}
	if c.Speech.CacheMaxBytes != 256<<20 || c.Recordings.KeepDays != 30 {
		t.Errorf("defaults = %d, %d", c.Speech.CacheMaxBytes, c.Recordings.KeepDays)
	}
	c, err = Load(write(t, "speech:\n  cache_dir: /var/cache/cb\n  cache_max_bytes: 10 MiB\nrecordings:\n  dir: /srv/rec\n  keep_days: 7\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.SpeechCacheDir() != "/var/cache/cb" || c.RecordingsDir() != "/srv/rec" || c.Speech.CacheMaxBytes != 10<<20 || c.Recordings.KeepDays != 7 {
		t.Errorf("set dirs = %s, %s, %d, %d", c.SpeechCacheDir(), c.RecordingsDir(), c.Speech.CacheMaxBytes, c.Recordings.KeepDays)
	}
	if !strings.Contains(c.String(), "cache_max_bytes: 10MiB") {
		t.Errorf("String:\n%s", c)
	}
}
