package speech

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// MaxRepeat bounds how often an announcement says its text.
const MaxRepeat = 3

// Gap is the silence between the text's repetitions and before the
// prompt (LeadPause comes on top).
const Gap = 400 * time.Millisecond

// Script is what an announcement says: the request's text in the voice
// (the text's own language wins, see VoiceForText), said Repeat times
// (0 is once, at most MaxRepeat), then the Prompt ("press 1 to connect",
// in the portal's language), if any.
type Script struct {
	Text   string
	Voice  string // Bitrix24 voice id
	Repeat int
	Prompt string
}

// Announcement is what to play to the employee.
type Announcement struct {
	Path   string // WAV, 8 kHz mono 16-bit, ready for PlayFile
	Speech bool   // false: Path is the Beep fallback
	Err    error  // why there is no speech (an *Error); nil when Speech
}

// AnnouncementKey is the key of every announcement Announce makes of
// text, whatever its voice, repetitions and prompt: what to remove when
// that text must go (see Remove).
func (c *Cache) AnnouncementKey(text string) string {
	h := sha256.Sum256([]byte(keyVersion + "\x00announcement\x00" + Clean(text, DefaultMaxText)))
	return hex.EncodeToString(h[:])
}

// announcementName is the file name (without .wav) of the announcement of
// the cleaned text with voice v: AnnouncementKey, '-', and 16 hex digits
// of the engine, the voice, the repetitions and the prompt.
func (c *Cache) announcementName(text string, s Script, v Voice) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00%s", engineKey(c.Engine), v.ID, v.Language, v.Gender, s.Repeat, Clean(s.Prompt, DefaultMaxText))
	return c.AnnouncementKey(text) + "-" + hex.EncodeToString(h.Sum(nil)[:8])
}

// Announce returns the announcement of a script: its text (cleaned and cut
// to DefaultMaxText characters) spoken as telephone audio (see ForPhone),
// repeated and followed by the prompt; or, when the text is empty or no
// engine works, the Beep with the reason in Err, so the call is still
// connected and the reason can be reported. The error is non-nil only when
// ctx ends or not even the beep can be written.
func (c *Cache) Announce(ctx context.Context, s Script) (Announcement, error) {
	s.Repeat = min(max(s.Repeat, 1), MaxRepeat)
	text := Clean(s.Text, DefaultMaxText)
	v := VoiceForText(s.Voice, text)
	path, err := c.file(ctx, c.announcementName(text, s, v), func(ctx context.Context) (*Audio, error) {
		return c.compose(ctx, text, v, s)
	})
	if err == nil {
		return Announcement{Path: path, Speech: true}, nil
	}
	if ctx.Err() != nil {
		return Announcement{}, err
	}
	beep, berr := c.BeepFile()
	if berr != nil {
		return Announcement{}, errors.Join(err, berr)
	}
	return Announcement{Path: beep, Err: err}, nil
}

// compose speaks the text s.Repeat times and then the prompt, in the
// prompt's own language (with v's gender).
func (c *Cache) compose(ctx context.Context, text string, v Voice, s Script) (*Audio, error) {
	a, err := c.speak(ctx, text, v)
	if err != nil {
		return nil, err
	}
	gap := make([]int16, int(Gap.Seconds()*Rate))
	out := append([]int16(nil), a.Samples...)
	for range s.Repeat - 1 {
		out = append(append(out, gap...), a.Samples...)
	}
	if prompt := Clean(s.Prompt, DefaultMaxText); prompt != "" {
		pv := v
		pv.Language = TextLanguage(prompt, v.Language)
		p, err := c.speak(ctx, prompt, pv)
		if err != nil {
			return nil, err
		}
		out = append(append(out, gap...), p.Samples...)
	}
	return &Audio{Samples: out, Rate: Rate}, nil
}
