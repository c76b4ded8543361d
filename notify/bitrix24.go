package notify

import (
	"context"
	"errors"
	"slices"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/words"
)

// maxRecipients bounds the administrators one notice goes to.
const maxRecipients = 10

// Bitrix24 sends notices as system notifications (im.notify.system.add,
// scope im) in the portal's language to the administrators callbackline
// knows: the user who installed the application, and each user who
// changed the portal's settings on the application page (only an
// administrator can; the audit log keeps their ids). Bitrix24's REST
// offers no list of a portal's administrators. The notification's tag
// is the problem's, so the fix's message replaces the problem's. It
// succeeds when at least one administrator got it.
func Bitrix24(c *bitrix24.Client, audit callbackline.AuditStore) Sender {
	return func(ctx context.Context, p *callbackline.Portal, n *callbackline.Notice) error {
		msg := words.Notice(p.Language, string(n.Problem), n.Pending, n.Detail, n.Failures)
		if msg == "" {
			return callbackline.Errorf(callbackline.EINVALID, "notice %s.%s has no words", n.Problem, n.Pending)
		}
		users, err := recipients(ctx, p, audit)
		if err != nil {
			return err
		}
		if len(users) == 0 {
			return callbackline.Errorf(callbackline.ENOTFOUND, "the portal has no administrator callbackline knows")
		}
		var errs []error
		for _, u := range users {
			_, err := c.NotifySystem(ctx, p, bitrix24.Notify{UserID: u, Message: bitrix24.Plain(msg), MessageOut: msg,
				Tag: "callbackline.notice." + string(n.Problem)})
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) == len(users) {
			return errors.Join(errs...)
		}
		return nil
	}
}

// recipients are the portal's installer and the users in its audit log,
// newest first, at most maxRecipients.
func recipients(ctx context.Context, p *callbackline.Portal, audit callbackline.AuditStore) ([]int64, error) {
	var out []int64
	if p.UserID > 0 {
		out = append(out, p.UserID)
	}
	if audit == nil {
		return out, nil
	}
	list, err := audit.AuditLog(ctx, callbackline.AuditFilter{MemberID: p.MemberID, Limit: 200})
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if c.UserID > 0 && !slices.Contains(out, c.UserID) && len(out) < maxRecipients {
			out = append(out, c.UserID)
		}
	}
	return out, nil
}
