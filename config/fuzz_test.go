package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary files to Load: it returns a configuration that
// validates, or *Errors; it never panics.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"callbackline.example.yaml", "callbackline.company.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("sip: {trunks: x}\nlines: [{policy: {hours: {monday: [[1]]}}}]\n"))
	f.Add([]byte("defaults: {policy: {client_attempts: ~, hours: {time_zone: &z UTC, holidays: [*z]}}}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, nil)
		if err != nil {
			problems(t, err)
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Load returned a configuration that does not validate: %v", err)
		}
		if _, err := c.DomainLines(); err != nil {
			t.Fatalf("DomainLines of a loaded configuration: %v", err)
		}
		_ = c.String()
	})
}
