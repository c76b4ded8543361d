package web_test

import (
	"context"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/stats/statstest"
)

// screenshotsEnv names a folder to copy the dashboard's screenshots into
// (make screenshots sets it to docs/); unset, they stay in the test's
// temporary folder.
const screenshotsEnv = "CALLBACKLINE_SCREENSHOTS"

// screenshot renders url headless in Chromium at width × height and
// returns the PNG's path.
func screenshot(t *testing.T, url, name string, width, height int) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not found: install the Debian package chromium")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), name)
	out, err := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir="+t.TempDir(), "--virtual-time-budget=5000",
		fmt.Sprintf("--window-size=%d,%d", width, height), "--screenshot="+path, url).CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	if dir := os.Getenv(screenshotsEnv); dir != "" {
		b, err := os.ReadFile(path)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// pixels reads a PNG and counts its pixels of the colour c.
func pixels(t *testing.T, path string, c color.RGBA) (image.Rectangle, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				n++
			}
		}
	}
	return b, n
}

// calledGreen is the colour of the called-back bars.
var calledGreen = color.RGBA{0x2f, 0x8f, 0x5b, 0xff}

// newFrame serves the Bitrix24 frame: a page that posts the frame's
// fields into the app page, as Bitrix24 opens it.
func newFrame(t *testing.T, h *harness) string {
	t.Helper()
	frame := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body onload="document.forms[0].submit()">
<form method="post" action="%s/bitrix24/app?DOMAIN=example.bitrix24.de&amp;PROTOCOL=1&amp;LANG=en">
<input name="AUTH_ID" value="x"><input name="member_id" value="%s"><input name="APPLICATION_TOKEN" value="%s">
<input name="PLACEMENT" value="DEFAULT"></form></body></html>`, h.http.URL, exampleMember, html.EscapeString(exampleToken))
	}))
	t.Cleanup(frame.Close)
	return frame.URL + "/"
}

// legendGreen counts the green of the empty dashboard: the legend's key.
var legendGreen int

// testEmptyScreenshot opens the app page with no requests in Chromium the
// way Bitrix24 does and takes a screenshot (docs/dashboard-empty.png
// through make screenshots): no bar is drawn.
func testEmptyScreenshot(t *testing.T, frame string) {
	empty := screenshot(t, frame, "dashboard-empty.png", 1200, 1100)
	b, n := pixels(t, empty, calledGreen) // the legend's key only
	if b.Dx() != 1200 || n == 0 || n > 400 {
		t.Errorf("empty dashboard: %v, %d green pixels", b, n)
	}
	legendGreen = n
}

// testMonthScreenshot takes the month's screenshot
// (docs/dashboard-month.png): the chart's green bars are on the picture,
// and the page Chromium rendered shows the month's numbers.
func testMonthScreenshot(t *testing.T, frame string, truth *statstest.Truth) {
	month := screenshot(t, frame, "dashboard-month.png", 1200, 1900)
	if _, n := pixels(t, month, calledGreen); n-legendGreen < 30*20 {
		t.Errorf("the month's chart has %d green pixels beside the legend's: no bars drawn", n-legendGreen)
	}
	dom := chromium(t, frame)
	want := fmt.Sprintf(`id="requests">%d<`, truth.Requests)
	if !strings.Contains(dom, want) || !strings.Contains(dom, "<svg") {
		t.Errorf("the rendered page lacks %s", want)
	}
}
