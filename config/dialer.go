package config

import (
	"regexp"
	"strings"

	"github.com/callbackline/callbackline"
)

// fromLineID is what a Bitrix24 line id (voximplant.line.get) may hold:
// reg151083, sip7, a number.
var fromLineID = regexp.MustCompile(`^[A-Za-z0-9+._:-]{1,50}$`)

// voiceID is what a Bitrix24 voice id (voximplant.tts.voices.get) may hold.
var voiceID = regexp.MustCompile(`^[a-z]{2,40}$`)

// domainDialer is the line's dialer; "" is sip.
func (l Line) domainDialer() callbackline.Dialer {
	if l.Dialer == "" {
		return callbackline.DialerSIP
	}
	return callbackline.Dialer(l.Dialer)
}

// checkDialer reports the problems of a line's dialer keys (dialer,
// from_line, voice, fallback). lines are all the lines saved with it: a
// from_line that is one of them (or REST_APP:…) is an application's line,
// which Bitrix24 does not dial but sends back to callbackline as a new
// request (docs/bitrix24.md §7.1).
func (l Line) checkDialer(key string, lines []Line, bad func(key, format string, args ...any)) {
	b24 := string(callbackline.DialerBitrix24)
	switch l.Dialer {
	case "", string(callbackline.DialerSIP), b24:
	default:
		bad(key+".dialer", "is %q; sip (callbackline's SIP trunk) or bitrix24 (the portal's own Bitrix24 telephony)", l.Dialer, with(CodeDialer, l.Dialer))
	}
	switch {
	case l.Fallback != "" && l.Fallback != b24:
		bad(key+".fallback", "is %q; the only fallback is bitrix24 (leave it out for none)", l.Fallback, with(CodeFallback, l.Fallback))
	case l.Fallback != "" && l.Dialer == b24:
		bad(key+".fallback", "is set on a line that dials through Bitrix24 already; remove it", with(CodeFallbackTwice))
	}
	uses := l.Dialer == b24 || l.Fallback == b24
	switch {
	case uses && l.FromLine == "":
		bad(key+".from_line", "is empty; the Bitrix24 dialer calls from one of the portal's own Bitrix24 lines (a rented number or SIP connector, e.g. reg151083; the application page lists them)", with(CodeFromLineEmpty))
	case !uses && l.FromLine != "":
		bad(key+".from_line", "is set, but the line dials over SIP; set dialer: bitrix24 (or fallback: bitrix24), or remove from_line", with(CodeFromLineOnSIP))
	case l.FromLine != "" && !fromLineID.MatchString(l.FromLine):
		bad(key+".from_line", "%q is not a Bitrix24 line id (letters, digits and +._:- up to 50, e.g. reg151083)", l.FromLine, with(CodeFromLineID, l.FromLine))
	case l.FromLine != "" && ownLine(l.FromLine, lines):
		bad(key+".from_line", "%q is one of callbackline's own lines: Bitrix24 would not dial but send the request back to callbackline; choose one of the portal's own Bitrix24 lines (rented number, SIP connector)", l.FromLine, with(CodeFromLineOwn, l.FromLine))
	}
	if l.Voice != "" && !voiceID.MatchString(l.Voice) {
		bad(key+".voice", "%q is not a Bitrix24 voice id (lower-case letters, e.g. eurgermanfemale; the application page lists them)", l.Voice, with(CodeTelVoice, l.Voice))
	}
}

// checkRecordNotice reports a record_notice the line cannot keep: it
// would say that a call is recorded that is not, or the call is not
// callbackline's to speak in.
func (l Line) checkRecordNotice(key string, bad func(key, format string, args ...any)) {
	switch {
	case l.RecordNotice == nil || !*l.RecordNotice:
	case l.Record != nil && !*l.Record:
		bad(key+".record_notice", "is true, but record is false: the client would hear that the call is recorded while it is not; remove one of them", with(CodeNoticeNoRecord))
	case l.Dialer == string(callbackline.DialerBitrix24):
		bad(key+".record_notice", "is set on a line that dials through Bitrix24: Bitrix24's telephony, not callbackline, speaks to the client there; remove it", with(CodeNoticeBitrix24))
	}
}

// ownLine reports whether id names an application's line: REST_APP:…, or
// the number of one of lines.
func ownLine(id string, lines []Line) bool {
	if strings.HasPrefix(strings.ToUpper(id), "REST_APP:") {
		return true
	}
	for _, l := range lines {
		if l.Number == id {
			return true
		}
	}
	return false
}
