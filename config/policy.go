package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked the same on hosts without tzdata
	"unicode/utf8"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/words"
)

// Policy is how a line handles its callbacks, as written in the file
// (defaults.policy and lines[].policy). Every key is a pointer (a slice for
// the days of hours): nil means "not set here", so that a line's policy
// overrides defaults.policy key by key, and defaults.policy overrides
// callbackline.DefaultPolicy the same way. The keys of hours merge one by
// one too: a line that sets only hours.saturday keeps the other days of
// defaults.policy.hours; write `monday: []` to close a day the defaults
// open.
type Policy struct {
	// EmployeeRingTimeout is how long an employee's phone rings.
	EmployeeRingTimeout *time.Duration `yaml:"employee_ring_timeout"`
	// ClientRingTimeout is how long the client's phone rings.
	ClientRingTimeout *time.Duration `yaml:"client_ring_timeout"`
	// ClientAttempts is how many times the client is called on busy, no
	// answer or unavailable.
	ClientAttempts *int `yaml:"client_attempts"`
	// ClientRetryAfter is the time between calls to the client.
	ClientRetryAfter *time.Duration `yaml:"client_retry_after"`
	// EmployeeRounds is how many rounds over all employees are tried.
	EmployeeRounds *int `yaml:"employee_rounds"`
	// EmployeeRetryAfter is the time between rounds when nobody answered.
	EmployeeRetryAfter *time.Duration `yaml:"employee_retry_after"`
	// MaxAge: requests older than this are not called.
	MaxAge *time.Duration `yaml:"max_age"`
	// MaxCallLength ends a connected call after this long.
	MaxCallLength *time.Duration `yaml:"max_call_length"`
	// RingMode is sequential or all.
	RingMode *callbackline.RingMode `yaml:"ring_mode"`
	// SkipAbsent skips employees marked absent.
	SkipAbsent *bool `yaml:"skip_absent"`
	// RequireWorkday skips employees whose workday is not open.
	RequireWorkday *bool `yaml:"require_workday"`
	// RequireAccept makes the employee press 1 to take the call.
	RequireAccept *bool `yaml:"require_accept"`
	// Announce speaks the request's text to the employee.
	Announce *bool `yaml:"announce"`
	// AnnounceRepeat is how often the text is said (1–3).
	AnnounceRepeat *int `yaml:"announce_repeat"`
	// Voice is the Bitrix24 voice id (e.g. ruinternalfemale) spoken when
	// a request names none.
	Voice *string `yaml:"voice"`
	// Todo also adds a to-do for the responsible on final failure.
	Todo *bool `yaml:"todo"`
	// Hours are when callbacks are made.
	Hours Hours `yaml:"hours"`
}

// Hours are the working hours as written in the file. A day lists its
// opening times ("09:00-18:00"); when any day is set, a day left out or
// empty is closed; when no day is set, every day is open all day.
type Hours struct {
	// TimeZone is an IANA time zone name ("Europe/Berlin"); nil is UTC.
	TimeZone  *string  `yaml:"time_zone"`
	Monday    []string `yaml:"monday"`
	Tuesday   []string `yaml:"tuesday"`
	Wednesday []string `yaml:"wednesday"`
	Thursday  []string `yaml:"thursday"`
	Friday    []string `yaml:"friday"`
	Saturday  []string `yaml:"saturday"`
	Sunday    []string `yaml:"sunday"`
	// Holidays are closed dates, "2026-12-25", in TimeZone.
	Holidays []string `yaml:"holidays"`
}

// days returns the days of h by time.Weekday, with their keys.
func (h *Hours) days() [7]struct {
	key   string
	spans *[]string
} {
	return [7]struct {
		key   string
		spans *[]string
	}{
		{"sunday", &h.Sunday}, {"monday", &h.Monday}, {"tuesday", &h.Tuesday},
		{"wednesday", &h.Wednesday}, {"thursday", &h.Thursday}, {"friday", &h.Friday},
		{"saturday", &h.Saturday},
	}
}

// fullPolicy returns p with every key set.
func fullPolicy(p callbackline.Policy) Policy {
	return Policy{
		EmployeeRingTimeout: new(p.EmployeeRingTimeout),
		ClientRingTimeout:   new(p.ClientRingTimeout),
		ClientAttempts:      new(p.ClientAttempts),
		ClientRetryAfter:    new(p.ClientRetryAfter),
		EmployeeRounds:      new(p.EmployeeRounds),
		EmployeeRetryAfter:  new(p.EmployeeRetryAfter),
		MaxAge:              new(p.MaxAge),
		MaxCallLength:       new(p.MaxCallLength),
		RingMode:            new(p.RingMode),
		SkipAbsent:          new(p.SkipAbsent),
		RequireWorkday:      new(p.RequireWorkday),
		RequireAccept:       new(p.RequireAccept),
		Announce:            new(p.Announce),
		AnnounceRepeat:      new(p.AnnounceRepeat),
		Voice:               new(p.Voice),
		Todo:                new(p.Todo),
		Hours:               Hours{TimeZone: new("UTC")},
	}
}

// Merge returns p with every key that o sets taken from o.
func (p Policy) Merge(o Policy) Policy {
	pick(&p.EmployeeRingTimeout, o.EmployeeRingTimeout)
	pick(&p.ClientRingTimeout, o.ClientRingTimeout)
	pick(&p.ClientAttempts, o.ClientAttempts)
	pick(&p.ClientRetryAfter, o.ClientRetryAfter)
	pick(&p.EmployeeRounds, o.EmployeeRounds)
	pick(&p.EmployeeRetryAfter, o.EmployeeRetryAfter)
	pick(&p.MaxAge, o.MaxAge)
	pick(&p.MaxCallLength, o.MaxCallLength)
	pick(&p.RingMode, o.RingMode)
	pick(&p.SkipAbsent, o.SkipAbsent)
	pick(&p.RequireWorkday, o.RequireWorkday)
	pick(&p.RequireAccept, o.RequireAccept)
	pick(&p.Announce, o.Announce)
	pick(&p.AnnounceRepeat, o.AnnounceRepeat)
	pick(&p.Voice, o.Voice)
	pick(&p.Todo, o.Todo)
	pick(&p.Hours.TimeZone, o.Hours.TimeZone)
	pd, od := p.Hours.days(), o.Hours.days()
	for i := range pd {
		if *od[i].spans != nil {
			*pd[i].spans = *od[i].spans
		}
	}
	if o.Hours.Holidays != nil {
		p.Hours.Holidays = o.Hours.Holidays
	}
	return p
}

func pick[T any](dst **T, src *T) {
	if src != nil {
		*dst = src
	}
}

// toDomain turns p into the service's policy: keys p leaves out take
// callbackline.DefaultPolicy's values. key prefixes the keys of errors
// ("lines[0].policy").
func (p Policy) toDomain(key string) (callbackline.Policy, error) {
	if errs := p.check(key, nil); len(errs) > 0 {
		return callbackline.Policy{}, errs[0]
	}
	m := fullPolicy(callbackline.DefaultPolicy()).Merge(p)
	d := callbackline.Policy{
		EmployeeRingTimeout: *m.EmployeeRingTimeout,
		ClientRingTimeout:   *m.ClientRingTimeout,
		ClientAttempts:      *m.ClientAttempts,
		ClientRetryAfter:    *m.ClientRetryAfter,
		EmployeeRounds:      *m.EmployeeRounds,
		EmployeeRetryAfter:  *m.EmployeeRetryAfter,
		MaxAge:              *m.MaxAge,
		MaxCallLength:       *m.MaxCallLength,
		RingMode:            callbackline.RingMode(strings.ToLower(string(*m.RingMode))),
		SkipAbsent:          *m.SkipAbsent,
		RequireWorkday:      *m.RequireWorkday,
		RequireAccept:       *m.RequireAccept,
		Announce:            *m.Announce,
		AnnounceRepeat:      *m.AnnounceRepeat,
		Voice:               strings.ToLower(strings.TrimSpace(*m.Voice)),
		Todo:                *m.Todo,
	}
	h, err := m.Hours.domain(key + ".hours")
	if err != nil {
		return callbackline.Policy{}, err
	}
	d.Hours = h
	return d, nil
}

// domain converts h, which check has passed.
func (h Hours) domain(key string) (callbackline.WorkingHours, error) {
	var w callbackline.WorkingHours
	zone := "UTC"
	if h.TimeZone != nil {
		zone = *h.TimeZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return w, &Error{Key: key + ".time_zone", Problem: fmt.Sprintf("%q is not a known IANA time zone (e.g. Europe/Berlin)", zone), Code: CodeZone, Args: []string{zone}}
	}
	w.Location = loc
	anyDay := false
	for i, d := range h.days() {
		if *d.spans != nil {
			anyDay = true
		}
		for _, s := range *d.spans {
			span, err := callbackline.ParseSpan(s)
			if err != nil {
				return w, &Error{Key: key + "." + d.key, Problem: fmt.Sprintf("%q is not HH:MM-HH:MM with the end after the start (e.g. 09:00-18:00)", s), Code: CodeSpan, Args: []string{s}}
			}
			w.Days[i] = append(w.Days[i], span)
		}
	}
	if len(h.Holidays) > 0 {
		w.Holidays = map[string]bool{}
		for _, day := range h.Holidays {
			t, err := time.Parse(time.DateOnly, strings.TrimSpace(day))
			if err != nil {
				return w, &Error{Key: key + ".holidays", Problem: fmt.Sprintf("%q is not a date YYYY-MM-DD (e.g. 2026-12-25)", day), Code: CodeDate, Args: []string{day}}
			}
			w.Holidays[t.Format(time.DateOnly)] = true
		}
	}
	if !anyDay && len(w.Holidays) > 0 {
		// No day set is always open; holidays still close.
		for i := range w.Days {
			w.Days[i] = []callbackline.Span{{From: 0, To: 24 * time.Hour}}
		}
	}
	return w, nil
}

// check returns the problems of the keys p sets, named under key.
// sources maps keys to where they were set.
func (p Policy) check(key string, sources map[string]string) []error {
	var errs []error
	bad := func(k, format string, args ...any) {
		k = key + "." + k
		errs = append(errs, newError(k, source(sources, k), format, args))
	}
	for name, d := range map[string]*time.Duration{
		"employee_ring_timeout": p.EmployeeRingTimeout, "client_ring_timeout": p.ClientRingTimeout,
		"client_retry_after": p.ClientRetryAfter, "employee_retry_after": p.EmployeeRetryAfter,
		"max_age": p.MaxAge, "max_call_length": p.MaxCallLength,
	} {
		if d != nil && *d <= 0 {
			bad(name, "is %s; must be more than 0 (e.g. 30s, 10m, 24h)", formatDuration(*d), with(CodeMoreThanZero, formatDuration(*d)))
		}
	}
	if p.ClientAttempts != nil && *p.ClientAttempts < 1 {
		bad("client_attempts", "is %d; must be at least 1 (1 calls the client once)", *p.ClientAttempts, with(CodeAtLeast, *p.ClientAttempts, 1))
	}
	if p.EmployeeRounds != nil && *p.EmployeeRounds < 1 {
		bad("employee_rounds", "is %d; must be at least 1 (1 tries every employee once)", *p.EmployeeRounds, with(CodeAtLeast, *p.EmployeeRounds, 1))
	}
	if p.AnnounceRepeat != nil && (*p.AnnounceRepeat < 1 || *p.AnnounceRepeat > speech.MaxRepeat) {
		bad("announce_repeat", "is %d; the text is said 1 to %d times", *p.AnnounceRepeat, speech.MaxRepeat, with(CodeRange, *p.AnnounceRepeat, 1, speech.MaxRepeat))
	}
	if p.Voice != nil && *p.Voice != "" && !speech.KnownVoice(*p.Voice) {
		bad("voice", "%q is not a Bitrix24 voice id (e.g. ruinternalfemale, eurgermanfemale, usenglishmale; `callbackline voices` lists them)", *p.Voice, with(CodeVoice, *p.Voice))
	}
	if p.RingMode != nil {
		switch callbackline.RingMode(strings.ToLower(string(*p.RingMode))) {
		case callbackline.RingSequential, callbackline.RingAll:
		default:
			bad("ring_mode", "%q is not sequential or all", *p.RingMode, with(CodeRingMode, *p.RingMode))
		}
	}
	h := p.Hours
	if h.TimeZone != nil {
		if z := *h.TimeZone; z == "" || z == "Local" {
			bad("hours.time_zone", "%q is not an IANA time zone name (e.g. Europe/Berlin, UTC)", z, with(CodeZone, z))
		} else if _, err := time.LoadLocation(z); err != nil {
			bad("hours.time_zone", "%q is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)", z, with(CodeZone, z))
		}
	}
	for _, d := range h.days() {
		for _, s := range *d.spans {
			if _, err := callbackline.ParseSpan(s); err != nil {
				bad("hours."+d.key, "%q is not HH:MM-HH:MM with the end after the start (e.g. 09:00-18:00)", s, with(CodeSpan, s))
			}
		}
	}
	for _, day := range h.Holidays {
		if _, err := time.Parse(time.DateOnly, strings.TrimSpace(day)); err != nil {
			bad("hours.holidays", "%q is not a date YYYY-MM-DD (e.g. 2026-12-25)", day, with(CodeDate, day))
		}
	}
	return errs
}

// anyDay reports whether h sets any day.
func (h Hours) anyDay() bool {
	for _, d := range h.days() {
		if *d.spans != nil {
			return true
		}
	}
	return false
}

// checkOpen reports merged hours that never open (every day set, none
// with a span).
func (h Hours) checkOpen() string {
	set, open := 0, 0
	for _, d := range h.days() {
		if *d.spans != nil {
			set++
		}
		if len(*d.spans) > 0 {
			open++
		}
	}
	if set > 0 && open == 0 {
		return "open on no day; give at least one day opening times (e.g. monday: [09:00-18:00]) or leave every day out for always open"
	}
	return ""
}

// callerNumber is what a presented number may hold.
var callerNumber = regexp.MustCompile(`^[0-9A-Za-z+*._-]{1,64}$`)

// checkRouting reports the problems of a line's routing (not its number and
// name, nor its policy). s is the sip section, whose trunk for the line
// has the extension rule a fixed target must pass.
func (l Line) checkRouting(key string, s *sip.Config, bad func(key, format string, args ...any)) {
	if l.CallerID != "" && !callerNumber.MatchString(l.CallerID) {
		bad(key+".caller_id", "%q may hold only +, digits, letters and -._* (e.g. +4930123456)", l.CallerID, with(CodeCallerIDChars, l.CallerID))
	}
	if n := utf8.RuneCountInString(l.CallerName); n > 64 || strings.ContainsAny(l.CallerName, "\"\\\r\n<>") {
		bad(key+".caller_name", "must be at most 64 characters without quotes, backslashes, <> or line breaks", with(CodeCallerName))
	}
	if l.Language != "" && !words.Known(l.Language) {
		bad(key+".language", "%q is not a language callbackline writes; use one of %s, or leave it out for the portal's language",
			l.Language, strings.Join(words.Languages, ", "), with(CodeLanguage, l.Language, strings.Join(words.Languages, ", ")))
	}
	seen := map[int64]bool{}
	for j, id := range l.Employees {
		switch {
		case id <= 0:
			bad(key+".employees", "item %d is %d; Bitrix24 user ids are more than 0 (see the user's profile URL)", j, id, with(CodeEmployeeID, id))
		case seen[id]:
			bad(key+".employees", "user %d is listed twice", id, with(CodeEmployeeTwice, id))
		}
		seen[id] = true
	}
	rule, rerr := s.ExtensionRule(l.Number) // a bad pattern is reported at its own key
	switch {
	case l.Target != "" && rerr == nil && !rule.Allows(l.Target):
		bad(key+".target", "%q is not an extension the trunk allows (its extension_pattern %q; the default allows 2–6 digits without a leading 0, e.g. 600)",
			sip.MaskExtension(l.Target), rule.String(), with(CodeTargetExt, sip.MaskExtension(l.Target), rule.String()))
	case l.Target != "" && l.TargetUser <= 0:
		bad(key+".target_user", "is %d; a line with a target needs the Bitrix24 user id its calls are registered for", l.TargetUser, with(CodeTargetUser))
	case l.Target == "" && l.TargetUser != 0:
		bad(key+".target_user", "is set without target; set target (e.g. 600) or remove target_user", with(CodeTargetUserAlone))
	}
	if l.Target != "" && len(l.Employees) > 0 {
		bad(key+".employees", "are set together with target; a line rings either a fixed target or employees", with(CodeTargetEmployees))
	}
}

// language is the line's language as words.Lang gives it; "" when unset.
func (l Line) language() string {
	if l.Language == "" {
		return ""
	}
	return words.Lang(l.Language)
}

// DomainLines returns the configured lines as the service's lines: each
// line's policy is callbackline.DefaultPolicy overridden by
// defaults.policy, then by the line's own policy, key by key. The error is
// an *Error naming the key at fault (Load has already reported it).
func (c *Config) DomainLines() ([]callbackline.Line, error) {
	base := c.Defaults.Policy
	out := make([]callbackline.Line, 0, len(c.Lines))
	for i, l := range c.Lines {
		key := fmt.Sprintf("lines[%d]", i)
		if errs := base.check("defaults.policy", nil); len(errs) > 0 {
			return nil, errs[0]
		}
		var errs []error
		l.checkRouting(key, &c.SIP, func(k, format string, args ...any) {
			errs = append(errs, newError(k, "", format, args))
		})
		if len(errs) > 0 {
			return nil, errs[0]
		}
		p, err := base.Merge(l.Policy).toDomain(key + ".policy")
		if err != nil {
			return nil, err
		}
		out = append(out, callbackline.Line{
			Number:       l.Number,
			Name:         l.Name,
			CallerID:     l.CallerID,
			CallerName:   l.CallerName,
			Language:     l.language(),
			Employees:    append([]int64(nil), l.Employees...),
			Target:       l.Target,
			TargetUser:   l.TargetUser,
			Policy:       p,
			Dialer:       l.domainDialer(),
			FromLine:     l.FromLine,
			Voice:        l.Voice,
			Fallback:     l.Fallback == string(callbackline.DialerBitrix24),
			NoRecord:     l.Record != nil && !*l.Record,
			RecordNotice: l.RecordNotice != nil && *l.RecordNotice,
		})
	}
	return out, nil
}
