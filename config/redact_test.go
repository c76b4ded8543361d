package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

const (
	secretToken  = "TOKEN-0123456789abcdef"
	secretClient = "CLIENTSECRET-xyz"
	secretKey    = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	secretDBPass = "DBPASSWORD42"
)

func secretConfig(t *testing.T) *Config {
	t.Helper()
	c, err := Load("", []string{
		"CALLBACKLINE_ADMIN_TOKEN=" + secretToken,
		"CALLBACKLINE_BITRIX24_CLIENT_ID=local.1",
		"CALLBACKLINE_BITRIX24_CLIENT_SECRET=" + secretClient,
		"CALLBACKLINE_ENCRYPTION_KEY=" + secretKey,
		"CALLBACKLINE_DATABASE=postgres://cb:" + secretDBPass + "@db:5432/cb",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNoSecretInAnyOutput prints the configuration every way a program
// might, and finds no secret in any of it.
func TestNoSecretInAnyOutput(t *testing.T) {
	c := secretConfig(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	log.Info("config", "config", c, "value", *c, "bitrix24", c.Bitrix24)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "config", c)
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	jsB, _ := json.Marshal(c.Bitrix24)
	outputs := map[string]string{
		"String":       c.String(),
		"Redacted":     fmt.Sprintf("%v", c.Redacted()),
		"%v":           fmt.Sprintf("%v", c),
		"%+v":          fmt.Sprintf("%+v", *c),
		"%#v":          fmt.Sprintf("%#v", c),
		"%d":           fmt.Sprintf("%d", *c),
		"%s":           fmt.Sprintf("%s", c),
		"%x":           fmt.Sprintf("%x", *c),
		"bitrix24 %+v": fmt.Sprintf("%+v", c.Bitrix24),
		"bitrix24 %#v": fmt.Sprintf("%#v", c.Bitrix24),
		"slog":         logs.String(),
		"json":         string(js),
		"json b24":     string(jsB),
	}
	for how, out := range outputs {
		for _, s := range []string{secretToken, secretClient, secretKey, secretDBPass} {
			if strings.Contains(out, s) {
				t.Errorf("%s shows a secret: %s", how, out)
			}
		}
	}
	if !strings.Contains(c.String(), "admin_token: '[redacted]'") || !strings.Contains(c.String(), "cb:xxxxx@db") {
		t.Errorf("String does not mark what is set:\n%s", c)
	}
	// The original keeps its secrets.
	if c.AdminToken != secretToken || c.Bitrix24.ClientSecret != secretClient {
		t.Error("Redacted changed the original")
	}
}

func TestUnsetSecretsStayEmpty(t *testing.T) {
	r := Default().Redacted()
	if r.AdminToken != "" || r.Bitrix24.ClientSecret != "" || r.EncryptionKey != "" {
		t.Errorf("unset secrets shown as set: %+v", r)
	}
}

// TestStringLoadsBack: String is a configuration file, secrets aside.
func TestStringLoadsBack(t *testing.T) {
	c := secretConfig(t)
	c.Intake.AllowedCountries = []string{"RU"}
	c.Lines = append(c.Lines, Line{Number: "+74951234567", Name: "Sales: Moscow"})
	back, err := Load(write(t, c.String()), []string{
		"CALLBACKLINE_ADMIN_TOKEN=" + secretToken,
		"CALLBACKLINE_BITRIX24_CLIENT_SECRET=" + secretClient,
		"CALLBACKLINE_ENCRYPTION_KEY=" + secretKey,
		"CALLBACKLINE_DATABASE=" + c.Database,
	})
	if err != nil {
		t.Fatalf("String does not load back: %v\n%s", err, c)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("String loaded back differs:\n%s\nwant\n%s", back, c)
	}
}

func TestSecretParseErrorsHideTheValue(t *testing.T) {
	_, err := Load("", []string{"CALLBACKLINE_ENCRYPTION_KEY=not-a-key-but-a-secret-anyway", "CALLBACKLINE_ADMIN_TOKEN=short-secret"})
	if err == nil {
		t.Fatal("loaded")
	}
	if strings.Contains(err.Error(), "not-a-key-but-a-secret") || strings.Contains(err.Error(), "short-secret") {
		t.Errorf("error shows a secret: %v", err)
	}
	_, err = Load("", []string{"CALLBACKLINE_DATABASE=mysql://u:" + secretDBPass + "@h/db"})
	if err == nil || strings.Contains(err.Error(), secretDBPass) {
		t.Errorf("database error shows the password: %v", err)
	}
}

func TestLevel(t *testing.T) {
	for level, want := range map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError} {
		c := Default()
		c.LogLevel = level
		if c.Level() != want {
			t.Errorf("Level(%s) = %v", level, c.Level())
		}
	}
}

// TestRedactNested covers secrets in nested structs and lists, the shape
// a sip: section with trunk passwords will take.
func TestRedactNested(t *testing.T) {
	type trunk struct {
		User     string `yaml:"user"`
		Password string `yaml:"password" secret:"true"`
	}
	type section struct {
		Trunks []trunk `yaml:"trunks"`
		Key    string  `yaml:"key" secret:"true"`
	}
	v := section{Trunks: []trunk{{User: "a", Password: "pw1"}, {User: "b"}}, Key: "k"}
	r := v
	redact(reflect.ValueOf(&r).Elem())
	if r.Trunks[0].Password != redactedText || r.Trunks[1].Password != "" || r.Key != redactedText || r.Trunks[0].User != "a" {
		t.Errorf("redact = %+v", r)
	}
	if v.Trunks[0].Password != "pw1" || v.Key != "k" {
		t.Errorf("redact changed the original: %+v", v)
	}
}
