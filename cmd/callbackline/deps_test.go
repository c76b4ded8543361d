package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testDoubles are the packages that stand in for Bitrix24, phones and
// speech in tests and in the demo.
var testDoubles = []string{"bitrix24test", "siptest", "speechtest", "storetest", "httpstest"}

// TestNoTestDoublesInBinary: the production binary (built without the tag
// demo) links no test double; the demo's binary does.
func TestNoTestDoublesInBinary(t *testing.T) {
	deps := func(tags ...string) []string {
		args := append([]string{"list"}, tags...)
		out, err := exec.Command("go", append(args, "-deps", ".")...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("go list: %v\n%s", err, ee.Stderr)
			}
			t.Fatalf("go list: %v", err)
		}
		return strings.Fields(string(out))
	}
	linked := func(pkgs []string) (found []string) {
		for _, p := range pkgs {
			for _, d := range testDoubles {
				if strings.HasSuffix(p, "/"+d) {
					found = append(found, p)
				}
			}
		}
		return found
	}
	if found := linked(deps()); len(found) > 0 {
		t.Errorf("the production binary links test doubles: %v", found)
	}
	if found := linked(deps("-tags", "demo")); len(found) == 0 {
		t.Error("the demo binary (tag demo) links no test double: is the check looking at the right packages?")
	}
}

// TestAptComponents: make deps and .ci/run enable Debian's contrib and
// non-free components (RHVoice, SVOX Pico) in the Debian archive's
// entries of both apt layouts, leave other archives alone, and change
// nothing the second time.
func TestAptComponents(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "apt", "sources.list.d")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][2]string{ // path: before, after
		"etc/apt/sources.list.d/debian.sources": {
			"Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main non-free-firmware\n",
			"Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main contrib non-free\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main non-free-firmware contrib non-free\n"},
		"etc/apt/sources.list.d/other.sources": {
			"Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n",
			"Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n"},
		"etc/apt/sources.list": {
			"# deb http://deb.debian.org/debian bookworm main\ndeb http://ftp.de.debian.org/debian/ bookworm main contrib\ndeb [arch=amd64] http://deb.debian.org/debian bookworm main\ndeb https://packages.example.com/apt stable main\n",
			"# deb http://deb.debian.org/debian bookworm main\ndeb http://ftp.de.debian.org/debian/ bookworm main contrib non-free\ndeb [arch=amd64] http://deb.debian.org/debian bookworm main contrib non-free\ndeb https://packages.example.com/apt stable main\n"},
	}
	for p, c := range files {
		if err := os.WriteFile(filepath.Join(root, p), []byte(c[0]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func() string {
		cmd := exec.Command("sh", "../../.ci/apt-components")
		cmd.Env = append(os.Environ(), "APT_ROOT="+root)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("apt-components: %v\n%s", err, out)
		}
		return string(out)
	}
	out := run()
	for p, c := range files {
		got, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c[1] {
			t.Errorf("%s:\n%s\nwant\n%s", p, got, c[1])
		}
		if said := strings.Contains(out, p); said != (c[0] != c[1]) {
			t.Errorf("output %q: names %s = %v", out, p, said)
		}
	}
	if again := run(); again != "" {
		t.Errorf("second run changed something: %q", again)
	}
}
