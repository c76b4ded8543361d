package intake

import (
	"context"
	"log/slog"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// uninstall handles ONAPPUNINSTALL: the portal stops being served; with
// CLEAN=1 its data is deleted. Either way the Bitrix24 client forgets the
// portal's token state.
func (in *Intake) uninstall(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) (Answer, error) {
	u := ev.Uninstall()
	// The application token is in every user's frame POST, so an
	// uninstall is confirmed with the portal when a check is configured.
	if in.crm != nil {
		gone, cerr := in.crm.Uninstalled(ctx, p)
		switch {
		case cerr != nil:
			// Unknown: stop serving the portal, but keep its data.
			in.logger.WarnContext(ctx, "the uninstall could not be confirmed with the portal; its data is kept",
				slog.String("member_id", p.MemberID), slog.Any("err", cerr))
			u.Clean = false
		case !gone:
			in.logger.WarnContext(ctx, "ONAPPUNINSTALL refused: the portal says the application is still installed",
				slog.String("member_id", p.MemberID))
			return Answer{}, callbackline.Errorf(callbackline.EUNAUTHORIZED,
				"the portal says the application is still installed")
		}
	}
	var err error
	if u.Clean {
		err = in.store.DeletePortal(ctx, p.MemberID)
	} else {
		err = in.store.SetPortalStatus(ctx, p.MemberID, callbackline.PortalUninstalled, "the application was uninstalled from the portal")
	}
	if err != nil {
		return Answer{}, err
	}
	if in.crm != nil {
		in.crm.Forget(p.MemberID)
	}
	in.logger.InfoContext(ctx, "portal uninstalled", slog.String("member_id", p.MemberID), slog.Bool("clean", u.Clean))
	return Answer{Status: Uninstalled}, nil
}
