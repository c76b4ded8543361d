package callbackline

import (
	"context"
	"time"
)

// Problem is something a portal's administrators are told about in
// Bitrix24 (im.notify), once when it begins and once when it is fixed.
type Problem string

// Problems a portal's administrators are told about.
const (
	// ProblemReinstall: the portal refused the application's tokens or
	// lacks a scope it needs; it must be installed again.
	ProblemReinstall Problem = "reinstall"
	// ProblemTrunk: the portal's own SIP account stopped registering.
	ProblemTrunk Problem = "trunk"
	// ProblemCallbacks: callbacks failed several times in a row.
	ProblemCallbacks Problem = "callbacks"
)

// Problems lists every Problem.
func Problems() []Problem { return []Problem{ProblemReinstall, ProblemTrunk, ProblemCallbacks} }

// The messages of a notice (Notice.Told, Notice.Pending).
const (
	NoticeProblem = "problem" // the problem began
	NoticeFixed   = "fixed"   // the problem was fixed
)

// Notice is where one problem of one portal stands with the portal's
// administrators: whether it is current, what they were last told, and
// what is still to tell them. A store keeps it so that neither a restart
// nor another instance tells them twice: every change is conditional on
// Version.
type Notice struct {
	MemberID string
	Problem  Problem
	Open     bool   // the problem is current
	Failures int    // ProblemCallbacks: callbacks failed in a row
	Detail   string // what the problem is, for the message (no secret)
	Told     string // the last message delivered: "", NoticeProblem or NoticeFixed
	Pending  string // the message to deliver, due at NextAt; "" none
	Attempts int    // failed deliveries of Pending
	NextAt   time.Time
	// Version is the stored version; 0 for a notice not stored yet. A
	// save succeeds only when it is still the stored one.
	Version   int64
	UpdatedAt time.Time
}

// Due is the message a notice should deliver: the problem's while it is
// open and was not told, the fix's when it is closed after its problem
// was told; "" else. At most one message per problem, and one per fix.
func (n *Notice) Due() string {
	switch {
	case n.Open && n.Told != NoticeProblem:
		return NoticeProblem
	case !n.Open && n.Told == NoticeProblem:
		return NoticeFixed
	}
	return ""
}

// Schedule sets Pending to Due: a message newly due is due at now with
// no attempt yet; one still due keeps its schedule.
func (n *Notice) Schedule(now time.Time) {
	due := n.Due()
	if due != n.Pending {
		n.Pending, n.Attempts, n.NextAt = due, 0, now
	}
	if due == "" {
		n.NextAt = time.Time{}
	}
}

// NoticeStore keeps the portals' notices. DeletePortal deletes them.
type NoticeStore interface {
	// Notice returns the portal's notice of the problem; one not stored
	// yet is a zero Notice (Version 0) with MemberID and Problem set.
	Notice(ctx context.Context, memberID string, p Problem) (*Notice, error)
	// SaveNotice stores n if its Version is still the stored one (0: none
	// stored yet) and then sets n.Version to the new one. It returns
	// false, storing nothing, when another change came first: read it
	// again and retry. ENOTFOUND when the portal is not installed.
	SaveNotice(ctx context.Context, n *Notice) (bool, error)
	// DueNotices returns up to limit notices with a message pending that
	// is due at now, the earliest first.
	DueNotices(ctx context.Context, now time.Time, limit int) ([]*Notice, error)
}
