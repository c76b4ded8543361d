package notify

import (
	"context"
	"log/slog"

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
			nt.report(ctx, nt.Set(ctx, p.MemberID, callbackline.ProblemReinstall, p.Status == callbackline.PortalReinstall, p.StatusReason), p.MemberID)
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
