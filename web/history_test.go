package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/intake"
)

// A callback's history is said in the page's language from its notes'
// codes and arguments, times in the page's time zone; its reason's
// details too; an entry stored before codes were kept (a free text)
// keeps its English; the API keeps the English with the code.
func TestAppPageHistoryLanguage(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	ctx := context.Background()
	cb := h.stored(h.pendingCallback("+4930901820"))
	at := time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)
	reason := callbackline.NewNote("reason_unreachable", 3, "486")
	steps := []struct {
		state callbackline.State
		note  callbackline.Note
	}{
		{callbackline.StateRouting, callbackline.Plain("an entry of an older version")},
		{callbackline.StateRingingEmployee, callbackline.NewNote("ringing", callbackline.NewNote("employee", "Max Müller", "101"))},
		{callbackline.StateScheduled, callbackline.NewNote("scheduled", callbackline.NewNote("client_again", "486"), at)},
		{callbackline.StateNotifying, callbackline.NewNote("giving_up", reason)},
		{callbackline.StateFailed, callbackline.NewNote("failed_told", reason, 7)},
	}
	for _, s := range steps {
		cb.State = s.state
		if s.state == callbackline.StateFailed {
			cb.Reason = reason.English()
		}
		if err := h.store.Advance(ctx, cb, 0, s.note); err != nil {
			t.Fatal(err)
		}
	}
	// A number the guard refused: the refusal's own reason is said too.
	blocked := h.stored(h.pendingCallback("+4930901821"))
	guard := callbackline.NewNote("reason_guard", callbackline.NewNote(callbackline.NoteReason, "number_blocked: +4930901821 is blocked"))
	blocked.State, blocked.Reason = callbackline.StateFailed, guard.English()
	if err := h.store.Advance(ctx, blocked, 0, callbackline.NewNote("failed", guard)); err != nil {
		t.Fatal(err)
	}
	admin := h.portal.IssueTokens(1)
	for lang, want := range map[string][]string{
		"ru": {"<td>на этот номер звонить нельзя: номер в списке заблокированных (+4930901821 is blocked)<details",
			"an entry of an older version", "звоним: Max Müller (внутр. 101)",
			"клиент не ответил (статус 486); позвоним ещё раз позже (2026-03-04 10:30)",
			"прекращаем попытки: не удалось дозвониться до клиента (3 звонка, последний статус 486)",
			"<td>не удалось дозвониться до клиента (3 звонка, последний статус 486)<details"},
		"de": {"<td>diese Nummer darf nicht angerufen werden: die Nummer steht auf der Liste der gesperrten Nummern (+4930901821 is blocked)<details",
			"an entry of an older version", "es klingelt bei: Max Müller (Durchwahl 101)",
			"der Kunde hat nicht angenommen (Status 486); er wird später erneut angerufen (2026-03-04 10:30)",
			"Rückruf wird aufgegeben: der Kunde war nicht erreichbar (3 Anrufe, zuletzt Status 486)",
			"<td>der Kunde war nicht erreichbar (3 Anrufe, zuletzt Status 486)<details"},
		"en": {"an entry of an older version", "ringing Max Müller (extension 101)",
			"the client did not answer (status 486); calling again later (2026-03-04 10:30)",
			"giving up: client_unreachable: the client could not be reached after 3 call(s) (last status 486)"},
	} {
		res, err := http.PostForm(h.url("/bitrix24/app?DOMAIN=example.bitrix24.de&PROTOCOL=1&LANG="+lang), url.Values{
			"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "AUTH_ID": {admin.AccessToken}})
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, res)
		for _, w := range want {
			if !strings.Contains(html.UnescapeString(page), w) {
				t.Errorf("%s: the page lacks %q:\n%s", lang, w, page)
			}
		}
		if lang != "en" && (strings.Contains(page, "calling again later") || strings.Contains(page, "client_unreachable")) {
			t.Errorf("%s: the history is in English:\n%s", lang, page)
		}
	}
	var out struct {
		History []struct {
			Note string          `json:"note"`
			Code string          `json:"note_code"`
			Args json.RawMessage `json:"note_args"`
		} `json:"history"`
	}
	code, body := h.get("/api/v1/callbacks/"+strconv.FormatInt(cb.ID, 10), adminToken)
	if err := json.Unmarshal([]byte(body), &out); code != http.StatusOK || err != nil {
		t.Fatalf("the API: %d %v %s", code, err, body)
	}
	if len(out.History) != len(steps)+1 { // pendingCallback's first
		t.Fatalf("the API's history: %+v", out.History)
	}
	if e := out.History[3]; e.Note != "the client did not answer (status 486); calling again later (2026-03-04T10:30:00Z)" ||
		e.Code != "scheduled" || !strings.Contains(string(e.Args), `{"code":"client_again","args":["486"]}`) {
		t.Errorf("the API's scheduled entry: %+v %s, want its English, code and arguments", e, e.Args)
	}
	if e := out.History[1]; e.Code != "" || e.Note != "an entry of an older version" {
		t.Errorf("the API's free text: %+v", e)
	}
}
