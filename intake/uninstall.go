package intake

import (
	"context"
	"log/slog"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// uninstall handles ONAPPUNINSTALL. The application token that
// authenticates it reaches every user who opens the application
// (docs/bitrix24.md §2.4), so the event proves nothing by itself: it is
// answered at once and nothing changes; an UninstallJob asks the portal
// in the background (callback.UninstallWorker) and stops serving it, or
// with CLEAN=1 deletes its data, only on the portal's proof.
func (in *Intake) uninstall(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) (Answer, error) {
	j := callbackline.UninstallJob{MemberID: p.MemberID, Clean: ev.Uninstall().Clean,
		Refused: p.Status == callbackline.PortalReinstall}
	if err := in.store.QueueUninstall(ctx, j, in.delay); err != nil {
		return Answer{}, err
	}
	in.logger.InfoContext(ctx, "ONAPPUNINSTALL received; the portal is asked whether it is true",
		slog.String("member_id", p.MemberID), slog.Bool("clean", j.Clean))
	return Answer{Status: Checking}, nil
}
