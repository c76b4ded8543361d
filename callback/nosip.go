package callback

import (
	"context"

	"github.com/callbackline/callbackline/sip"
)

// NoSIP is the Dialer of a service without SIP trunks and without
// portals' own SIP accounts: only lines that hand their calls to
// Bitrix24's telephony (dialer: bitrix24, configured or set on a portal's
// app page) call; a line that would dial over SIP has no way out, and its
// callbacks fail with no_trunk, nothing dialled.
type NoSIP struct{}

var errNoSIP = &sip.Error{Kind: sip.KindNoRoute, Reason: "the service has no SIP trunk (sip.trunks) and no portal's own SIP account (encryption_key is not set): put this line on the Bitrix24 dialer (dialer: bitrix24 with a from_line, on the app page or in the configuration), or the operator configures a trunk"}

// Callback dials nothing.
func (NoSIP) Callback(ctx context.Context, p sip.Plan) sip.Result {
	return sip.Result{Outcome: sip.OutcomeFailed, StatusCode: "503", Err: errNoSIP}
}

// HasLine is false: there are no SIP lines.
func (NoSIP) HasLine(string) bool { return false }

// Route says that there is no way out over SIP.
func (NoSIP) Route(memberID, line string) error { return errNoSIP }

// CheckExtension refuses every extension: nothing is dialled over SIP.
func (NoSIP) CheckExtension(memberID, line, ext string) error { return errNoSIP }
