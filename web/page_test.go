package web

import (
	"testing"
	"text/template/parse"

	"github.com/callbackline/callbackline"
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
	for _, k := range []string{doneCallNow, doneCancel, doneRetry} {
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
	for _, lang := range words.PageLanguages {
		for k := range keys {
			if !words.HasPage(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
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
