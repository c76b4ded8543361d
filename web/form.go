package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// LineForm lets the app page edit a portal's lines as a form besides
// their YAML (Settings.Form): both are the same settings, the form's
// fields written as the YAML and checked by Settings.Parse.
type LineForm struct {
	// Fields reads the lines' YAML into each line's fields
	// (config.FieldsOf): the key's path, "[]" ending a list's.
	Fields func(text string) ([]map[string][]string, error)
	// Text writes fields as the lines' YAML (config.FieldsText).
	Text func(lines []map[string][]string) (string, error)
	// Key names the line, the field and the problem of one error of
	// Settings.Parse (config.FieldKey); -1 for the lines as a whole.
	Key func(err error) (line int, key, problem string)
}

// Users finds a portal's employees for the form's employee picker.
type Users struct {
	// Search returns one page of the active employees whose name starts
	// with text (bitrix24.Client.SearchUsers), and whether there are
	// more.
	Search func(ctx context.Context, p *callbackline.Portal, text string) ([]bitrix24.User, bool, error)
	// Get returns the employees with these ids (bitrix24.Client.Users).
	Get func(ctx context.Context, p *callbackline.Portal, ids []int64) ([]bitrix24.User, error)
}

// The form's actions (the button pressed): form (the default button:
// shown again, searches run), save_form, add_line, and, with a line's
// index, remove_line, search, listen, and add_employee or remove_employee
// with the user's id ("add_employee 0 12").
const (
	actionForm           = "form"
	actionSaveForm       = "save_form"
	actionAddLine        = "add_line"
	actionRemoveLine     = "remove_line"
	actionSearch         = "search"
	actionListenLine     = "listen_line"
	actionAddEmployee    = "add_employee"
	actionRemoveEmployee = "remove_employee"
	linesCountField      = "lines_n"
	maxFormLines         = 100
)

// formActions are the actions the form answers.
var formActions = []string{actionForm, actionSaveForm, actionAddLine, actionRemoveLine, actionSearch,
	actionListenLine, actionAddEmployee, actionRemoveEmployee}

// formAction returns the posted form action and its arguments; "" when
// the post is not the form's.
func formAction(r *http.Request) (string, []string) {
	f := strings.Fields(r.PostForm.Get(actionField))
	if len(f) == 0 || !slices.Contains(formActions, f[0]) {
		return "", nil
	}
	return f[0], f[1:]
}

// days are the working days' keys, Monday first.
var days = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// formView is the lines as a form.
type formView struct {
	Lines  []*formLine
	Errors []string // problems of the lines as a whole
	Broken bool     // the YAML cannot be read as fields: only the YAML view edits it
	Voices []voiceOption
}

// voiceOption is a voice to choose, by its name where the portal gives it.
type voiceOption struct{ ID, Name string }

// formLine is one line of the form.
type formLine struct {
	I          int
	F          map[string][]string // the line's fields
	Err        map[string][]string // problems by field
	Problems   []string            // problems of the line as a whole
	Employees  []employee
	Search     string
	Matches    []employee
	More       bool   // more matches than shown
	SearchErr  string // the portal could not search
	Searched   bool
	Days       []formDay
	Holidays   []string // the dates, and one empty to add
	Hidden     [][2]string
	SampleURL  string
	SampleName string
}

// formDay is one day's opening times, and one empty span to add.
type formDay struct {
	Key   string
	Spans [][2]string
	Err   []string
}

// employee is a portal user as the form shows them.
type employee struct {
	ID        int64
	Name, Ext string
}

// V is the field's first value.
func (l *formLine) V(key string) string {
	if v := l.F[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// E are the problems of the field.
func (l *formLine) E(key string) []string { return l.Err[key] }

// formKeys are the fields the form has inputs for; the others ride along
// hidden.
var formKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range []string{"number", "name", "caller_id", "caller_name", "language", "employees[]", "target", "target_user",
		"dialer", "from_line", "voice", "fallback", "record", "record_notice", "policy.ring_mode", "policy.employee_ring_timeout",
		"policy.client_ring_timeout", "policy.client_attempts", "policy.client_retry_after", "policy.employee_rounds",
		"policy.employee_retry_after", "policy.max_age", "policy.max_call_length", "policy.skip_absent",
		"policy.require_workday", "policy.require_accept", "policy.announce", "policy.announce_repeat", "policy.voice",
		"policy.todo", "policy.hours.time_zone", "policy.hours.holidays[]"} {
		m[k] = true
	}
	for _, d := range days {
		m["policy.hours."+d+"[]"] = true
	}
	return m
}()

// fieldPrefix is the prefix of line i's fields in the posted form.
func fieldPrefix(i int) string { return "l" + strconv.Itoa(i) + "." }

// postedLines reads the lines' fields from the posted form: each line's
// l<i>.<key> values, its days' from/to times joined into spans.
func postedLines(form url.Values) []map[string][]string {
	n, _ := strconv.Atoi(form.Get(linesCountField))
	n = max(0, min(n, maxFormLines))
	lines := make([]map[string][]string, n)
	for i := range lines {
		f := map[string][]string{}
		pre := fieldPrefix(i)
		for k, v := range form {
			if key, ok := strings.CutPrefix(k, pre); ok && !strings.HasPrefix(key, "hours.") {
				f[key] = v
			}
		}
		for _, d := range days {
			froms, tos := form[pre+"hours."+d+".from"], form[pre+"hours."+d+".to"]
			var spans []string
			for j := range max(len(froms), len(tos)) {
				from, to := at(froms, j), at(tos, j)
				if from != "" || to != "" {
					spans = append(spans, from+"-"+to)
				}
			}
			f["policy.hours."+d+"[]"] = spans
		}
		lines[i] = f
	}
	return lines
}

// at is the trimmed j-th value; "" past the end.
func at(v []string, j int) string {
	if j < len(v) {
		return strings.TrimSpace(v[j])
	}
	return ""
}

// formField is one input of a line for the form's templates.
type formField struct {
	L                *formLine
	Key, Type, Label string
	Hint             string
}

// Name is the input's name in the posted form.
func (f formField) Name() string { return fieldPrefix(f.L.I) + f.Key }

// ID is the input's id on the page.
func (f formField) ID() string {
	return strings.NewReplacer(".", "-", "[]", "").Replace("l" + strconv.Itoa(f.L.I) + "-" + f.Key)
}

// field makes a formField in a template: field line key type label [hint].
func field(l *formLine, key, typ, label string, hint ...string) formField {
	f := formField{L: l, Key: key, Type: typ, Label: label}
	if len(hint) > 0 {
		f.Hint = hint[0]
	}
	return f
}

// editLines applies the form's action to the posted lines: a line added
// or removed, an employee added to or removed from a line.
func editLines(act string, args []string, lines []map[string][]string) []map[string][]string {
	i := -1
	if len(args) > 0 {
		if n, err := strconv.Atoi(args[0]); err == nil && n >= 0 && n < len(lines) {
			i = n
		}
	}
	var id string
	if len(args) > 1 {
		if n, err := strconv.ParseInt(args[1], 10, 64); err == nil && n > 0 {
			id = strconv.FormatInt(n, 10)
		}
	}
	switch {
	case act == actionAddLine && len(lines) < maxFormLines:
		lines = append(lines, map[string][]string{})
	case act == actionRemoveLine && i >= 0:
		lines = slices.Delete(lines, i, i+1)
	case act == actionAddEmployee && i >= 0 && id != "" && !slices.Contains(lines[i]["employees[]"], id):
		lines[i]["employees[]"] = append(lines[i]["employees[]"], id)
	case act == actionRemoveEmployee && i >= 0 && id != "":
		lines[i]["employees[]"] = slices.DeleteFunc(slices.Clone(lines[i]["employees[]"]), func(s string) bool { return s == id })
	}
	return lines
}

// postForm handles a post of the lines' form: the action applied to the
// posted lines, saved as their YAML on save_form (the same path as the
// YAML view's), else shown again unsaved.
func (s *Server) postForm(r *http.Request, p *callbackline.Portal) (int, *linesView, error) {
	act, args := formAction(r)
	lines := editLines(act, args, postedLines(r.PostForm))
	text, err := s.settings.Form.Text(lines)
	if err != nil {
		return 0, nil, callbackline.Errorf(callbackline.EINVALID, "the form could not be written as lines: %v", err)
	}
	if act == actionSaveForm {
		status, v, err := s.saveLines(r, p, text)
		if v != nil {
			v.fields = lines
		}
		return status, v, err
	}
	v := &linesView{Text: text, MaxLength: s.maxLinesText(), AuthID: r.PostForm.Get("AUTH_ID"), fields: lines, Editing: true}
	if st, err := s.store.Settings(r.Context(), p.MemberID); err == nil {
		v.Own, v.UpdatedAt = true, st.UpdatedAt
	}
	return http.StatusOK, v, nil
}

// fillForm adds the form to the Lines section: the posted fields, else
// the fields of its YAML; the problems of its last check next to their
// fields; the employees by name; the searches and the sample asked for.
func (s *Server) fillForm(r *http.Request, p *callbackline.Portal, v *linesView, tel *bitrix24.Telephony) {
	lang := pageLang(r, p)
	if v != nil && v.parseErr != nil {
		v.Errors = errorLinesIn(lang, v.parseErr)
	}
	if s.settings == nil || s.settings.Form == nil || v == nil {
		return
	}
	fields := v.fields
	if fields == nil {
		f, err := s.settings.Form.Fields(v.Text)
		if err != nil {
			v.Form = &formView{Broken: true}
			return
		}
		fields = f
	}
	fv := &formView{Voices: s.voiceOptions(tel)}
	for i, f := range fields {
		fv.Lines = append(fv.Lines, newFormLine(i, f))
	}
	for _, e := range leafErrors(v.parseErr) {
		i, key, problem := s.settings.Form.Key(e)
		problem = problemIn(lang, e, problem)
		switch {
		case i >= 0 && i < len(fv.Lines) && key != "":
			fv.Lines[i].Err[key] = append(fv.Lines[i].Err[key], problem)
		case i >= 0 && i < len(fv.Lines):
			fv.Lines[i].Problems = append(fv.Lines[i].Problems, problem)
		case isPlaced(e):
			fv.Errors = append(fv.Errors, errorLinesIn(lang, e)...)
		case callbackline.ErrorCode(e) == callbackline.EINTERNAL:
			fv.Errors = append(fv.Errors, e.Error()) // a check's plain error names its key
		default:
			fv.Errors = append(fv.Errors, callbackline.ErrorMessage(e))
		}
	}
	for _, l := range fv.Lines {
		for j := range l.Days {
			l.Days[j].Err = l.Err["policy.hours."+l.Days[j].Key+"[]"]
		}
	}
	s.nameEmployees(r.Context(), p, fv)
	s.formSearches(r, p, fv)
	s.formSample(r, p, fv)
	v.Form = fv
}

// newFormLine is line i's fields as the form shows them.
func newFormLine(i int, f map[string][]string) *formLine {
	l := &formLine{I: i, F: f, Err: map[string][]string{}}
	for _, d := range days {
		day := formDay{Key: d}
		for _, span := range f["policy.hours."+d+"[]"] {
			from, to, _ := strings.Cut(span, "-")
			day.Spans = append(day.Spans, [2]string{strings.TrimSpace(from), strings.TrimSpace(to)})
		}
		day.Spans = append(day.Spans, [2]string{})
		l.Days = append(l.Days, day)
	}
	l.Holidays = append(slices.Clone(f["policy.hours.holidays[]"]), "")
	keys := make([]string, 0, len(f))
	for k := range f {
		if !formKeys[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range f[k] {
			l.Hidden = append(l.Hidden, [2]string{fieldPrefix(i) + k, v})
		}
	}
	return l
}

// leafErrors are the errors of a (joined) error.
func leafErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leafErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// voiceOptions are the voices to choose: the sample's voices, named as
// the portal names them.
func (s *Server) voiceOptions(tel *bitrix24.Telephony) []voiceOption {
	names := map[string]string{}
	var ids []string
	if tel != nil {
		for _, v := range tel.Voices {
			names[v.ID] = v.Name
			ids = append(ids, v.ID)
		}
	}
	if s.samples != nil {
		for _, id := range s.samples.Voices {
			if _, ok := names[id]; !ok {
				ids = append(ids, id)
			}
		}
	}
	out := make([]voiceOption, 0, len(ids))
	for _, id := range ids {
		name := names[id]
		if name == "" {
			name = id
		}
		out = append(out, voiceOption{ID: id, Name: name})
	}
	return out
}

// nameEmployees puts the lines' employees by name, with their
// extensions, asking the portal once; by id when it cannot say.
func (s *Server) nameEmployees(ctx context.Context, p *callbackline.Portal, fv *formView) {
	var ids []int64
	for _, l := range fv.Lines {
		for _, v := range l.F["employees[]"] {
			if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
				ids = append(ids, id)
			}
		}
	}
	known := map[int64]employee{}
	if len(ids) > 0 && s.users != nil && s.users.Get != nil {
		if us, err := s.users.Get(ctx, p, ids); err == nil {
			for _, u := range us {
				known[int64(u.ID)] = employeeOf(u)
			}
		}
	}
	for _, l := range fv.Lines {
		for _, v := range l.F["employees[]"] {
			id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			e, ok := known[id]
			switch {
			case err != nil:
				e = employee{Name: v}
			case !ok:
				e = employee{ID: id, Name: "#" + strconv.FormatInt(id, 10)}
			}
			l.Employees = append(l.Employees, e)
		}
	}
}

func employeeOf(u bitrix24.User) employee {
	return employee{ID: int64(u.ID), Name: u.FullName(), Ext: string(u.PhoneInner)}
}

// formSearches runs the employee searches of the lines whose search field
// is filled (s<i>), unless the form is being saved.
func (s *Server) formSearches(r *http.Request, p *callbackline.Portal, fv *formView) {
	act, _ := formAction(r)
	var allowed error // the portal's users are searched for its administrators only
	asked := false
	for _, l := range fv.Lines {
		l.Search = strings.TrimSpace(r.PostForm.Get("s" + strconv.Itoa(l.I)))
		if act == "" || act == actionSaveForm || l.Search == "" || s.users == nil || s.users.Search == nil {
			continue
		}
		if len([]rune(l.Search)) > 100 {
			l.Search = string([]rune(l.Search)[:100])
		}
		if !asked {
			allowed, asked = s.checkAdmin(r.Context(), p, r.PostForm.Get("AUTH_ID"), "the lines"), true
		}
		if allowed != nil {
			l.SearchErr = callbackline.ErrorMessage(allowed)
			continue
		}
		l.Searched = true
		us, more, err := s.users.Search(r.Context(), p, l.Search)
		if err != nil {
			l.SearchErr = callbackline.ErrorMessage(err)
			continue
		}
		for _, u := range us {
			l.Matches = append(l.Matches, employeeOf(u))
		}
		l.More = more
	}
}

// formSample is the sample of a line's voice when the form asked for it
// (listen_line <i>).
func (s *Server) formSample(r *http.Request, p *callbackline.Portal, fv *formView) {
	act, args := formAction(r)
	if act != actionListenLine || len(args) == 0 || s.samples == nil {
		return
	}
	i, err := strconv.Atoi(args[0])
	if err != nil || i < 0 || i >= len(fv.Lines) {
		return
	}
	l := fv.Lines[i]
	if voice := l.V("policy.voice"); slices.Contains(s.samples.Voices, voice) {
		l.SampleURL, l.SampleName = s.samples.url(p.MemberID, voice, s.now()), voice
	}
}

// lineFormPosted reports whether the post is the lines' form's.
func lineFormPosted(r *http.Request) bool {
	act, _ := formAction(r)
	return act != ""
}

// AdvancedOpen reports whether the YAML view is shown unfolded: without a
// form, or when the YAML was posted.
func (v *linesView) AdvancedOpen() bool {
	return v.Form == nil || v.Form.Broken || (v.fields == nil && (v.Saved || len(v.Errors) > 0 || v.Refused != ""))
}

// hasVoice reports whether id is one of the voices offered.
func hasVoice(vs []voiceOption, id string) bool {
	return slices.ContainsFunc(vs, func(v voiceOption) bool { return v.ID == id })
}

// hasLine reports whether id is one of the portal's Bitrix24 lines.
func hasLine(t *bitrix24.Telephony, id string) bool {
	return t != nil && slices.ContainsFunc(t.Lines, func(l bitrix24.PortalLine) bool { return l.ID == id })
}

// hasTelVoice reports whether id is one of the portal's Bitrix24 voices.
func hasTelVoice(t *bitrix24.Telephony, id string) bool {
	return t != nil && slices.ContainsFunc(t.Voices, func(v bitrix24.Voice) bool { return v.ID == id })
}
