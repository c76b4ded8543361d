package sip

// Bitrix24 STATUS_CODE values for telephony.externalCall.finish (docs/bitrix24.md §5.3).
const (
	StatusSuccess     = "200"   // the call was connected
	StatusNoAnswer    = "304"   // missed: nobody answered
	StatusDeclined    = "603"   // declined
	StatusCancelled   = "603-S" // cancelled by us
	StatusForbidden   = "403"   // forbidden
	StatusNotFound    = "404"   // wrong number
	StatusBusy        = "486"   // busy
	StatusIncomplete  = "484"   // incomplete number
	StatusUnavailable = "503"   // unreachable, server error
	StatusTempUnavail = "480"   // temporarily unavailable, request timeout
	StatusPayment     = "402"   // insufficient funds
	StatusOther       = "OTHER" // anything else
)

// StatusCode maps a final SIP status to a Bitrix24 STATUS_CODE. Use
// Result.StatusCode for a whole call: it also knows about ring timeouts,
// cancellation and unreachable targets, which have no SIP status of their own.
func StatusCode(sipStatus int) string {
	switch {
	case sipStatus >= 200 && sipStatus < 300:
		return StatusSuccess
	case sipStatus == 486 || sipStatus == 600:
		return StatusBusy
	case sipStatus == 603:
		return StatusDeclined
	case sipStatus == 487:
		return StatusNoAnswer
	case sipStatus == 404 || sipStatus == 604:
		return StatusNotFound
	case sipStatus == 484:
		return StatusIncomplete
	case sipStatus == 480 || sipStatus == 408:
		return StatusTempUnavail
	case sipStatus == 403:
		return StatusForbidden
	case sipStatus == 402:
		return StatusPayment
	case sipStatus >= 500 && sipStatus < 600:
		return StatusUnavailable
	}
	return StatusOther
}

// StatusCode is the Bitrix24 STATUS_CODE for a callback that failed with
// e: ring timeout 304, no response 480, busy 486, declined or hung up 603,
// cancelled 603-S, unreachable 503, no trunk for the portal 403, another SIP status as StatusCode maps
// it, anything else OTHER.
func (e *Error) StatusCode() string { return statusFor(e) }

// statusFor maps a failure to a STATUS_CODE.
func statusFor(e *Error) string {
	if e == nil {
		return StatusSuccess
	}
	switch e.Kind {
	case KindNoAnswer:
		return StatusNoAnswer
	case KindNoResponse:
		return StatusTempUnavail
	case KindBusy:
		return StatusBusy
	case KindDeclined, KindHungUp:
		return StatusDeclined
	case KindCancelled, KindClosed:
		return StatusCancelled
	case KindUnreachable:
		return StatusUnavailable
	case KindRejected:
		return StatusCode(e.Status)
	case KindNoRoute:
		return StatusForbidden
	}
	return StatusOther
}
