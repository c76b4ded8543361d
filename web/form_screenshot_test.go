package web_test

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsScreenshot opens the app page at its lines' form the way
// Bitrix24 does, in English and in Russian, with a line of two employees
// and working hours saved, and takes screenshots (docs/settings-en.png,
// docs/settings-ru.png through make screenshots); the page Chromium
// rendered shows the form's fields filled in.
func TestSettingsScreenshot(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	lines := "- number: north\n  name: Sales North\n  employees: [1269, 1272]\n  policy:\n    ring_mode: all\n    client_attempts: 3\n" +
		"    client_retry_after: 15m\n    require_accept: true\n    hours:\n      time_zone: Europe/Berlin\n" +
		"      monday: [\"09:00-18:00\"]\n      tuesday: [\"09:00-18:00\"]\n      wednesday: [\"09:00-18:00\"]\n" +
		"      thursday: [\"09:00-18:00\"]\n      friday: [\"09:00-16:00\"]\n      holidays: [\"2026-12-24\", \"2026-12-25\"]\n"
	if code, page := lh.save(exampleToken, admin.AccessToken, lines); code != http.StatusOK {
		t.Fatalf("save: %d %s", code, page)
	}
	frame := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body onload="document.forms[0].submit()">
<form method="post" action="%s/bitrix24/app?DOMAIN=example.bitrix24.de&amp;PROTOCOL=1&amp;LANG=%s">
<input name="AUTH_ID" value="%s"><input name="member_id" value="%s"><input name="APPLICATION_TOKEN" value="%s">
<input name="PLACEMENT" value="DEFAULT"></form></body></html>`, lh.http.URL, html.EscapeString(r.URL.Query().Get("lang")),
			html.EscapeString(admin.AccessToken), exampleMember, html.EscapeString(exampleToken))
	}))
	defer frame.Close()
	for lang, want := range map[string]string{"en": "Who answers", "ru": "Кто отвечает"} {
		name := "settings-" + lang + ".png"
		path := cropToForm(t, screenshot(t, frame.URL+"/?lang="+lang, name, 1200, 6000), name)
		// The form's fieldset is drawn: its background fills much of the picture.
		if b, n := pixels(t, path, fieldsetColor); n < b.Dx()*b.Dy()/10 {
			t.Errorf("%s: the form's fieldset covers %d pixels of %v: not in view", lang, n, b)
		}
		dom := chromium(t, frame.URL+"/?lang="+lang)
		for _, w := range []string{want, `value="Sales North"`, "Max Müller", "Lena Schmidt", `name="l0.hours.friday.to" value="16:00"`,
			`value="2026-12-24"`} {
			if !strings.Contains(dom, w) {
				t.Errorf("%s: the rendered page lacks %q", lang, w)
			}
		}
	}
}

// fieldsetColor is the background of a line's fieldset.
var fieldsetColor = color.RGBA{0xfa, 0xfb, 0xfd, 0xff}

// cropToForm cuts the page's screenshot at path to 1200 × 1500 pixels
// from a little above the first line's fieldset, and writes it where
// screenshot put the page (and into CALLBACKLINE_SCREENSHOTS as name).
func cropToForm(t *testing.T, path, name string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	top := -1
	for y := b.Min.Y; y < b.Max.Y && top < 0; y++ {
		n := 0
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == fieldsetColor.R && uint8(g>>8) == fieldsetColor.G && uint8(bl>>8) == fieldsetColor.B {
				n++
			}
		}
		if n > b.Dx()/3 {
			top = y
		}
	}
	if top < 0 {
		t.Fatalf("%s: no fieldset drawn", name)
	}
	top = max(b.Min.Y, top-330)
	rect := image.Rect(b.Min.X, top, b.Max.X, min(b.Max.Y, top+1500))
	crop := image.NewRGBA(image.Rect(0, 0, rect.Dx(), rect.Dy()))
	draw.Draw(crop, crop.Bounds(), img, rect.Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, crop); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv(screenshotsEnv); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}
