package callback

import (
	"context"

	"github.com/callbackline/callbackline/sip"
)

// NoSIP is the Dialer of a service without SIP trunks whose lines hand
// their calls to Bitrix24's telephony (dialer: bitrix24): a line that
// would dial over SIP has no way out, and its callbacks fail with
// no_trunk, nothing dialled.
type NoSIP struct{}

var errNoSIP = &sip.Error{Kind: sip.KindNoRoute, Reason: "no SIP trunk is configured (sip.trunks): this line must use the Bitrix24 dialer (dialer: bitrix24 with a from_line), or the operator configures a trunk"}

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
