package web

import (
	"strings"
	"testing"
	"text/template/parse"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/words"
)

// TestPageWordsTranslated: every phrase the app page's templates say
// through t, and every phrase the page's code hands to t (outcomes, ring
// modes, portal states, dashboard rows), has its own words in every
// language of the page.
func TestPageWordsTranslated(t *testing.T) {
	keys := map[string]bool{}
	for _, tt := range appPages["en"].Templates() {
		if tt.Tree != nil {
			phrases(tt.Tree.Root, func(k string) { keys[k] = true })
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found %d phrases in the templates; the walk misses them", len(keys))
	}
	for _, l := range outcomeLabels {
		keys[l] = true
	}
	for _, k := range []string{string(callbackline.RingSequential), string(callbackline.RingAll),
		string(callbackline.PortalInstalled), string(callbackline.PortalReinstall), string(callbackline.PortalUninstalled)} {
		keys[k] = true
	}
	for _, d := range days {
		keys[d] = true
	}
	for _, k := range []string{doneCallNow, doneCancel, doneRetry, trunkNotRegistered, trunkNotInUse, "line %s of the text", linesTooLong, blockedTooLong,
		durSeconds, durMinutes, durHours, durDays, "LEAD", "CONTACT", "COMPANY", "DEAL",
		bitrix24.NoCallScope, bitrix24.NoTelephonyScope, bitrix24.LinesDenied, bitrix24.CallScope("crm,telephony"),
		filterNotFrom, filterNotTo, filterReversed, filterTooLong, filterLineLong} {
		keys[k] = true
	}
	// The refusal the page shows a user who is not an administrator.
	for _, what := range []string{"the lines", "the countries", "the time zone", "the blocked numbers", "the SIP account", "a callback by hand"} {
		keys["only an administrator of the portal can change "+what+"; nothing was saved"] = true
	}
	for _, k := range []string{callbackline.AuditLines, callbackline.AuditTrunk, callbackline.AuditCountries,
		callbackline.AuditBlocked, callbackline.AuditTimeZone, callbackline.AuditCallerIDs} {
		keys[k] = true
	}
	for _, name := range []func(string) (string, string){lineName, userName} {
		for _, k := range []string{"", "0", "7"} {
			if key, _ := name(k); key != "%s" {
				keys[key] = true
			}
		}
	}
	for _, st := range callbackline.States() {
		keys[string(st)] = true
	}
	for _, lang := range words.PageLanguages {
		for k := range keys {
			if !words.HasPage(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for _, code := range pageReasonCodes(t) {
			if !words.HasPageReason(lang, code) {
				t.Errorf("%s lacks the reason %q", lang, code)
			}
		}
	}
}

// pageReasonCodes are the reason codes a callback on the page can have:
// the refusals and endings of the root package and those of a callback
// given up (package callback's, which words says); each is one words
// knows.
func pageReasonCodes(t *testing.T) []string {
	known := map[string]bool{}
	for _, c := range words.PageReasons() {
		known[c] = true
	}
	// package callback gives a callback up with these codes (grep its
	// fail calls); words' failure text says them.
	codes := []string{"no_employee", "client_unreachable", "stale", "closed", "guard", "call_failed",
		"portal_uninstalled", "reinstall", "no_trunk", "error", "outcome_unknown",
		callbackline.ReasonInvalidNumber, callbackline.ReasonNumberType, callbackline.ReasonCountry,
		callbackline.ReasonNumberRate, callbackline.ReasonPortalRate, callbackline.ReasonBlocked,
		callbackline.ReasonDialRate, callbackline.ReasonCancelled, callbackline.ReasonAlreadyCalled}
	for _, c := range codes {
		if !known[c] {
			t.Errorf("words does not know the reason code %q", c)
		}
	}
	return codes
}

// phrases calls f with the literal phrase of every t call under n.
func phrases(n parse.Node, f func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				phrases(c, f)
			}
		}
	case *parse.ActionNode:
		phrases(n.Pipe, f)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				phrases(c, f)
			}
		}
	case *parse.CommandNode:
		if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "t" && len(n.Args) > 1 {
			if s, ok := n.Args[1].(*parse.StringNode); ok {
				f(s.Text)
			}
		}
		// field line key type label [hint]: the label is said through t.
		if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "field" && len(n.Args) > 4 {
			if s, ok := n.Args[4].(*parse.StringNode); ok && s.Text != "" {
				f(s.Text)
			}
		}
		for _, a := range n.Args {
			phrases(a, f)
		}
	case *parse.IfNode:
		branch(&n.BranchNode, f)
	case *parse.RangeNode:
		branch(&n.BranchNode, f)
	case *parse.WithNode:
		branch(&n.BranchNode, f)
	case *parse.TemplateNode:
		phrases(n.Pipe, f)
	}
}

func branch(b *parse.BranchNode, f func(string)) {
	phrases(b.Pipe, f)
	phrases(b.List, f)
	phrases(b.ElseList, f)
}

// The dialer's status of a portal's account is said as a phrase of the
// catalogue when the page knows its kind, else as the dialer put it.
func TestTrunkStatus(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&sip.Error{Kind: sip.KindUnreachable, Reason: "the portal's SIP account \"acme\" is not registered"}, trunkNotRegistered},
		{&sip.Error{Kind: sip.KindNoRoute, Reason: "the portal has no SIP account of its own"}, trunkNotInUse},
		{&sip.Error{Kind: sip.KindInternal, Reason: "unexpected failure"}, "unexpected failure"},
	}
	for _, c := range cases {
		if got := trunkStatus(c.err); got != c.want {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
	if got := words.Page("de", trunkStatus(&sip.Error{Kind: sip.KindUnreachable})); !strings.Contains(got, "nicht registriert") {
		t.Errorf("in German: %q", got)
	}
	// The registrar's refusal, with its status, in the page's language.
	refused := &sip.Error{Kind: sip.KindUnreachable, Status: 403, Code: "sip_refused_auth_registering", Args: []string{"403"}}
	for lang, want := range map[string]string{
		"en": "The SIP account is not registered: the server refused the user name or password (403).",
		"ru": "SIP-аккаунт не зарегистрирован: сервер не принял имя пользователя или пароль (403).",
		"de": "Das SIP-Konto ist nicht registriert: Der Server hat Benutzername oder Passwort abgelehnt (403).",
	} {
		if got := trunkStatusIn(lang, refused); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := trunkStatusIn("ru", &sip.Error{Kind: sip.KindUnreachable}); got != words.Page("ru", trunkNotRegistered) {
		t.Errorf("ru without a refusal: %q", got)
	}
}
