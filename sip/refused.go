package sip

// Refused by the trunk, or by the employee: the fallback to Bitrix24's
// telephony (a line's fallback: bitrix24) follows only the first. SIP does
// not name who sent a final response, so callbackline reads it from what
// came before it:
//
//   - refused by the trunk (or the PBX behind it): the leg never rang (no
//     180 or 183) and ended with a final 4xx, 5xx or 6xx other than those
//     below (e.g. 401/407 after authentication, 403, 404, 408, 480, 484,
//     488, 500, 502, 503, 504, 604), or with no SIP response at all, or
//     with a transport failure;
//   - the employee's doing: busy (486, 600), declined (603, or the
//     employee did not accept), no answer within the ring timeout (the
//     phone rang; 487 after our CANCEL), or any final response after the
//     phone rang (a 480 or 503 after 180 is the phone's, not the trunk's).

// TrunkRefused reports whether the trunk refused the leg before any phone
// rang (see above).
func (l *Leg) TrunkRefused() bool {
	if l == nil || l.Err == nil || !l.Answered.IsZero() || !l.Ringing.IsZero() {
		return false
	}
	switch l.Err.Kind {
	case KindNoResponse, KindUnreachable:
		return true
	case KindRejected:
		return l.Status >= 400
	}
	return false
}

// TrunkRefused reports whether the trunk refused every INVITE of the
// callback: no employee leg rang, each was refused (Leg.TrunkRefused), and
// the client was never called.
func (r *Result) TrunkRefused() bool {
	if r == nil || r.Outcome != OutcomeEmployeeFailed || r.Client != nil || len(r.Attempts) == 0 {
		return false
	}
	for _, l := range r.Attempts {
		if !l.TrunkRefused() {
			return false
		}
	}
	return true
}
