package notify

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/callbackline/callbackline"
)

// TrunkState says whether a portal's own SIP account registers: known is
// false when it cannot be told (no account, or no attempt yet); detail
// is the registrar's answer when it does not.
type TrunkState func(memberID string) (registered, known bool, detail string)

// Check sets each portal's reinstall problem from its status (the OAuth
// server refused its tokens: reinstall_required; installed again:
// fixed) and, with trunk, its trunk problem from its account's
// registration. An unchanged state writes nothing.
func (nt *Notifier) Check(ctx context.Context, trunk TrunkState) error {
	portals, err := nt.Store.Portals(ctx)
	if err != nil {
		return err
	}
	for _, p := range portals {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if p.Status != callbackline.PortalUninstalled {
			open, detail := reinstall(p)
			nt.report(ctx, nt.Set(ctx, p.MemberID, callbackline.ProblemReinstall, open, detail), p.MemberID)
		}
		if trunk == nil {
			continue
		}
		if ok, known, detail := trunk(p.MemberID); known {
			nt.report(ctx, nt.Set(ctx, p.MemberID, callbackline.ProblemTrunk, !ok, detail), p.MemberID)
		}
	}
	return nil
}

func (nt *Notifier) report(ctx context.Context, err error, memberID string) {
	if err != nil {
		nt.logger().WarnContext(ctx, "recording a portal's problem for its administrators", slog.String("member_id", memberID), slog.Any("err", err))
	}
}

// NeededScopes are the scopes every portal must grant the application:
// without one, callbacks fail until it is installed again with it.
var NeededScopes = [][]string{{"telephony"}, {"crm"}, {"im"}, {"user_basic", "user"}}

// reinstall says whether the portal must install the application again,
// and why: the OAuth server refused its tokens, or it lacks a needed
// scope.
func reinstall(p *callbackline.Portal) (bool, string) {
	if p.Status == callbackline.PortalReinstall {
		if p.StatusReason == "" {
			return true, "the OAuth server refused the tokens"
		}
		return true, p.StatusReason
	}
	if strings.TrimSpace(p.Scope) == "" {
		return false, ""
	}
	granted := strings.FieldsFunc(p.Scope, func(r rune) bool { return r == ',' || r == ' ' })
	var missing []string
	for _, any := range NeededScopes {
		if !slices.ContainsFunc(any, func(s string) bool { return slices.Contains(granted, s) }) {
			missing = append(missing, any[0])
		}
	}
	if len(missing) > 0 {
		return true, "scope not granted: " + strings.Join(missing, ", ")
	}
	return false, ""
}
