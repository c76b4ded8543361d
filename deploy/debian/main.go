// Command debian builds callbackline's Debian package with nfpm (used as
// a library): the static binary, the hardened systemd unit
// (deploy/systemd/callbackline.service), the company configuration as a
// conffile, the state directory and the maintainer scripts beside this
// file. make package runs it:
//
//	go run ./deploy/debian -binary bin/callbackline -version 1.2.3 -out dist
//
// It prints the path of the .deb it wrote.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

// options say what to package and where to write it.
type options struct {
	Root    string // the repository: config/ and deploy/ are read from it
	Binary  string // the static callbackline binary
	Version string // any version string; see debVersion
	Arch    string // Go's GOARCH of the binary
	Out     string // the directory the .deb is written to
}

func main() {
	var o options
	flag.StringVar(&o.Root, "root", ".", "the repository's root")
	flag.StringVar(&o.Binary, "binary", "bin/callbackline", "the static callbackline binary (make build)")
	flag.StringVar(&o.Version, "version", "0.0.0", "the package version (git describe output is turned into a Debian version)")
	flag.StringVar(&o.Arch, "arch", runtime.GOARCH, "GOARCH of the binary")
	flag.StringVar(&o.Out, "out", "dist", "the directory the .deb is written to")
	flag.Parse()
	path, err := writeDeb(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "package:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}

// writeDeb writes the .deb and returns its path.
func writeDeb(o options) (string, error) {
	info := nfpm.WithDefaults(packageInfo(o))
	if err := nfpm.Validate(info); err != nil {
		return "", err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(o.Out, deb.Default.ConventionalFileName(info))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("building %s: %w", path, err)
	}
	return path, f.Close()
}

// packageInfo is the package's description and contents.
func packageInfo(o options) *nfpm.Info {
	here := func(name string) string { return filepath.Join(o.Root, "deploy", "debian", name) }
	mode := func(m os.FileMode) *files.ContentFileInfo {
		return &files.ContentFileInfo{Mode: m, Owner: "root", Group: "root"}
	}
	return &nfpm.Info{
		Name: "callbackline", Arch: o.Arch, Platform: "linux",
		Version: debVersion(o.Version), VersionSchema: "none",
		Section: "comm", Priority: "optional",
		Maintainer: "callbackline <root@localhost>",
		Homepage:   "https://github.com/callbackline/callbackline",
		Description: "Bitrix24 callback line\n" +
			"Takes a Bitrix24 CRM form's callback request, rings the employee over SIP,\n" +
			"speaks the request, dials the client, connects them, records the call and\n" +
			"logs it in the CRM. Runs as the systemd service callbackline.",
		Overridables: nfpm.Overridables{
			// espeak-ng speaks the request; ca-certificates lets it reach
			// Bitrix24 over https. Better voices are in Debian's non-free.
			Depends:  []string{"espeak-ng", "ca-certificates"},
			Suggests: []string{"rhvoice", "libttspico-utils"},
			Contents: files.Contents{
				{Source: o.Binary, Destination: "/usr/bin/callbackline", FileInfo: mode(0o755)},
				{Source: filepath.Join(o.Root, "deploy", "systemd", "callbackline.service"), Destination: "/lib/systemd/system/callbackline.service", FileInfo: mode(0o644)},
				{Source: filepath.Join(o.Root, "config", "callbackline.company.yaml"), Destination: "/etc/callbackline/callbackline.yaml",
					Type: files.TypeConfig, FileInfo: mode(0o640)},
				{Destination: "/etc/callbackline", Type: files.TypeDir, FileInfo: mode(0o755)},
				{Destination: "/var/lib/callbackline", Type: files.TypeDir, FileInfo: mode(0o750)},
			},
			Scripts: nfpm.Scripts{PostInstall: here("postinst"), PreRemove: here("prerm"), PostRemove: here("postrm")},
		},
	}
}

var (
	semverish = regexp.MustCompile(`^v?([0-9]+\.[0-9]+\.[0-9]+)(.*)$`)
	notDebian = regexp.MustCompile(`[^A-Za-z0-9.+~]+`)
)

// debVersion turns a version string into a Debian upstream version:
// "v1.2.3" → "1.2.3", "v1.2.3-4-gabc-dirty" → "1.2.3+4.gabc.dirty",
// anything else (a commit id) → "0.0.0~git.<it>", which sorts before any
// release.
func debVersion(v string) string {
	if m := semverish.FindStringSubmatch(v); m != nil {
		rest := strings.Trim(notDebian.ReplaceAllString(m[2], "."), ".")
		if rest == "" {
			return m[1]
		}
		return m[1] + "+" + rest
	}
	rest := strings.Trim(notDebian.ReplaceAllString(v, "."), ".")
	if rest == "" {
		rest = "unknown"
	}
	return "0.0.0~git." + rest
}
