package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/callbackline/callbackline"
)

// Samples lets the app page play a sample of a voice ("listen"): the
// administrator hears what employees will hear. The page runs no script
// and is opened by a POST, so the sample is an <audio> element whose
// source is a short-lived URL signed for the portal
// (GET /bitrix24/sample?m=&v=&e=&s=).
type Samples struct {
	// Key signs the URLs (HMAC-SHA256); at least 32 bytes, the same on
	// every instance behind one address.
	Key []byte
	// TTL is how long a URL is good; 0 is DefaultSampleTTL.
	TTL time.Duration
	// Voices are the voice ids offered, in order.
	Voices []string
	// Speak returns the WAV file of a sample spoken with the voice.
	Speak func(ctx context.Context, voiceID string) (path string, err error)
}

// DefaultSampleTTL is how long a sample's URL is good by default.
const DefaultSampleTTL = 10 * time.Minute

// minSampleKey is the shortest key Samples accepts.
const minSampleKey = 32

// The app page's form action and field that ask for a sample.
const (
	actionListen = "listen"
	voiceField   = "voice"
)

// sampleView is the app page's Listen section.
type sampleView struct {
	Voices []string
	Voice  string // the voice chosen; "" before any
	URL    string // the signed URL of its sample; "" before any
	AuthID string // the frame's AUTH_ID, posted back with the form
}

// ttl returns how long a URL is good.
func (o *Samples) ttl() time.Duration {
	if o.TTL <= 0 {
		return DefaultSampleTTL
	}
	return o.TTL
}

// sign returns the signature of a sample URL's fields.
func (o *Samples) sign(member, voice string, exp int64) string {
	m := hmac.New(sha256.New, o.Key)
	m.Write([]byte("callbackline sample\x00" + member + "\x00" + voice + "\x00" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// url returns the path and query of a sample of voice for the portal,
// good until now+TTL.
func (o *Samples) url(member, voice string, now time.Time) string {
	exp := now.Add(o.ttl()).Unix()
	q := url.Values{"m": {member}, "v": {voice}, "e": {strconv.FormatInt(exp, 10)}, "s": {o.sign(member, voice, exp)}}
	return "/bitrix24/sample?" + q.Encode()
}

// check returns the portal and voice a sample URL was signed for, or an
// error: EFORBIDDEN for a forged or expired URL, EINVALID for a voice not
// offered.
func (o *Samples) check(q url.Values, now time.Time) (member, voice string, err error) {
	member, voice = q.Get("m"), q.Get("v")
	exp, perr := strconv.ParseInt(q.Get("e"), 10, 64)
	sig := q.Get("s")
	if perr != nil || member == "" || len(sig) > 64 || !hmac.Equal([]byte(sig), []byte(o.sign(member, voice, exp))) {
		return "", "", callbackline.Errorf(callbackline.EFORBIDDEN, "this sample's link is not valid: open the application page again and press Listen")
	}
	if now.Unix() > exp {
		return "", "", callbackline.Errorf(callbackline.EFORBIDDEN, "this sample's link has expired: open the application page again and press Listen")
	}
	if !slices.Contains(o.Voices, voice) {
		return "", "", callbackline.Errorf(callbackline.EINVALID, "voice %q is not offered", voice)
	}
	return member, voice, nil
}

// listenSection is the app page's Listen section (nil without
// Options.Samples), with the sample's URL when the form asked for one
// (action=listen).
func (s *Server) listenSection(r *http.Request, p *callbackline.Portal) (*sampleView, error) {
	if s.samples == nil {
		return nil, nil
	}
	v := &sampleView{Voices: s.samples.Voices, AuthID: r.PostForm.Get("AUTH_ID")}
	if r.PostForm.Get(actionField) != actionListen {
		return v, nil
	}
	v.Voice = r.PostForm.Get(voiceField)
	if !slices.Contains(v.Voices, v.Voice) {
		return nil, callbackline.Errorf(callbackline.EINVALID, "voice %q is not offered; choose one from the list", v.Voice)
	}
	v.URL = s.samples.url(p.MemberID, v.Voice, s.now())
	return v, nil
}

// handleSample serves a voice sample to a signed URL (GET
// /bitrix24/sample): the URL names the portal, the voice and the expiry,
// signed with the server's key; the portal must still be installed.
func (s *Server) handleSample(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	if s.samples == nil {
		s.writeError(w, r, callbackline.Errorf(callbackline.ENOTFOUND, "this service plays no samples"))
		return
	}
	member, voice, err := s.samples.check(r.URL.Query(), s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.store.Portal(r.Context(), member)
	if err != nil || p.Status == callbackline.PortalUninstalled {
		s.writeError(w, r, callbackline.Errorf(callbackline.EFORBIDDEN, "the portal of this sample is not installed"))
		return
	}
	path, err := s.samples.Speak(r.Context(), voice)
	if err != nil {
		s.writeError(w, r, callbackline.Errorf(callbackline.EUNAVAILABLE, "the sample could not be spoken: %s", callbackline.ErrorMessage(err)))
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.writeError(w, r, callbackline.Errorf(callbackline.EINTERNAL, "the sample could not be read: %v", err))
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "private, max-age=60")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "sample.wav", time.Time{}, f)
}
