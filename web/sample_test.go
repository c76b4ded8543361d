package web_test

import (
	"context"
	"fmt"
	"github.com/callbackline/callbackline/speech/speechtest"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/web"
	"github.com/callbackline/callbackline/words"
)

// sampleRig is a harness whose app page plays voice samples spoken by
// espeak-ng through the speech cache, on a clock the test moves.
type sampleRig struct {
	*harness
	cache *speech.Cache
	mu    sync.Mutex
	now   time.Time
}

func (r *sampleRig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *sampleRig) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.now = r.now.Add(d)
}

func newSampleRig(t *testing.T) *sampleRig {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng not found: install the Debian package espeak-ng")
	}
	cache, err := speech.NewCache(speechtest.Espeak(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &sampleRig{cache: cache, now: time.Now()}
	r.harness = newHarnessWith(t, openSQLite(t), intake.Rules{}, testLogger(t), func(o *web.Options) {
		o.Now = r.clock
		o.Samples = &web.Samples{Key: []byte("0123456789abcdef0123456789abcdef"), TTL: 10 * time.Minute,
			Voices: speech.VoiceIDs(), Speak: r.speak}
	})
	r.install()
	return r
}

func (r *sampleRig) speak(ctx context.Context, id string) (string, error) {
	a, err := r.cache.Announce(ctx, speech.Script{Text: words.Sample(speech.VoiceFor(id).Language), Voice: id})
	if err == nil && !a.Speech {
		err = a.Err
	}
	return a.Path, err
}

var sampleSrc = regexp.MustCompile(`<audio id="sample"[^>]* src="([^"]+)"`)

// listen posts the app page's Listen form for voice and returns the
// page's status, policy and the sample's URL ("" when none).
func (r *sampleRig) listen(voice string) (int, string, string) {
	r.t.Helper()
	res, err := http.PostForm(r.url("/bitrix24/app"), url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken},
		"action": {"listen"}, "voice": {voice}})
	if err != nil {
		r.t.Fatal(err)
	}
	body := readAll(r.t, res)
	src := ""
	if m := sampleSrc.FindStringSubmatch(body); m != nil {
		src = html.UnescapeString(m[1])
	}
	return res.StatusCode, res.Header.Get("Content-Security-Policy"), src
}

// fetch GETs a path of the server and returns status, type and body.
func (r *sampleRig) fetch(path string) (int, string, string) {
	r.t.Helper()
	res, err := http.Get(r.url(path))
	if err != nil {
		r.t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), readAll(r.t, res)
}

// The Listen form gives a signed URL of the sample; the URL serves the
// voice as WAV while it is good, and is refused when forged, moved to
// another portal or voice, or expired.
func TestSampleURL(t *testing.T) {
	r := newSampleRig(t)
	status, csp, src := r.listen("eurgermanfemale")
	if status != http.StatusOK || src == "" || !strings.Contains(csp, "media-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("listen: %d, policy %q, sample %q", status, csp, src)
	}
	code, typ, body := r.fetch(src)
	a, err := speech.ParseWAV([]byte(body))
	if code != http.StatusOK || typ != "audio/wav" || err != nil || a.Rate != speech.Rate || a.Duration() < time.Second || a.RMS() < 0.01 {
		t.Fatalf("the sample: %d %s, %v (%v)", code, typ, err, a.Duration())
	}
	u, _ := url.Parse(src)
	for name, change := range map[string]func(q url.Values){
		"forged":    func(q url.Values) { q.Set("s", strings.Repeat("A", 43)) },
		"no sig":    func(q url.Values) { q.Del("s") },
		"portal":    func(q url.Values) { q.Set("m", "another-member") },
		"voice":     func(q url.Values) { q.Set("v", "ruinternalmale") },
		"prolonged": func(q url.Values) { q.Set("e", fmt.Sprint(r.clock().Add(time.Hour).Unix())) },
	} {
		q := u.Query()
		change(q)
		if code, _, body := r.fetch(u.Path + "?" + q.Encode()); code != http.StatusForbidden || !strings.Contains(body, "not valid") {
			t.Errorf("%s URL: %d %s", name, code, body)
		}
	}
	r.advance(11 * time.Minute)
	if code, _, body := r.fetch(src); code != http.StatusForbidden || !strings.Contains(body, "expired") {
		t.Errorf("an expired URL: %d %s", code, body)
	}
	if status, _, src := r.listen("klingonmale"); status != http.StatusBadRequest || src != "" {
		t.Errorf("an unknown voice: %d %q", status, src)
	}
	if code, _, _ := r.fetch("/bitrix24/sample"); code != http.StatusForbidden {
		t.Errorf("no fields: %d", code)
	}
}

// TestListenInBrowser opens the app page in Chromium as Bitrix24 does and
// presses Listen: the page (default-src 'none', media-src 'self') shows
// an audio player whose URL, fetched by the browser, serves the sample as
// WAV; the same URL with a forged signature is refused.
func TestListenInBrowser(t *testing.T) {
	r := newSampleRig(t)
	mux := http.NewServeMux()
	mux.Handle("/", r.server)
	mux.HandleFunc("/frame", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body>
<form id="open" method="post" target="app" action="/bitrix24/app?DOMAIN=example.bitrix24.de&amp;PROTOCOL=1&amp;LANG=ru">
<input name="AUTH_ID" value="x"><input name="member_id" value="%s"><input name="APPLICATION_TOKEN" value="%s"></form>
<iframe name="app" id="app"></iframe><div id="result"></div>
<script>
var out = document.getElementById("result");
function report(s) { out.textContent += s + " "; }
function head(res) {
  return res.arrayBuffer().then(function (b) {
    return res.status + ":" + res.headers.get("Content-Type") + ":" + String.fromCharCode.apply(null, new Uint8Array(b.slice(0, 4)));
  });
}
document.getElementById("app").onload = function () {
  var d = this.contentDocument;
  if (!d || d.location.pathname !== "/bitrix24/app") { return; }
  var player = d.getElementById("sample");
  if (!player) {
    report("form:" + !!d.querySelector("select[name=voice] option"));
    d.querySelector("select[name=voice]").value = "ruinternalfemale";
    d.querySelector("input[name=action][value=listen]").form.submit();
    return;
  }
  report("player:" + player.controls + ":" + new URL(player.src).pathname);
  fetch(player.src).then(head).then(function (h) {
    report("sample:" + h);
    return fetch(player.src.replace(/s=[^&]+/, "s=AAAA")).then(head);
  }).then(function (h) { report("forged:" + h.split(":")[0]); });
};
document.getElementById("open").submit();
</script></body></html>`, exampleMember, exampleToken)
	})
	same := httptest.NewServer(mux)
	defer same.Close()
	dom := chromium(t, same.URL+"/frame")
	if want := "form:true player:true:/bitrix24/sample sample:200:audio/wav:RIFF forged:403"; !strings.Contains(dom, want) {
		t.Fatalf("the browser's page lacks %q:\n%s", want, dom)
	}
}
