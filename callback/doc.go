// Package callback is callbackline's work: the River worker that turns a
// stored callback request into a real call and a CRM record.
//
// For each CallbackJob the Worker walks the callback through its states
// (received → routing → ringing_employee → announcing → ringing_client →
// connected → finishing → done, or scheduled, or notifying → failed),
// persisting every
// step before the action it guards, so that a process killed at any point
// resumes without leaving a call open in Bitrix24, finishing one twice or
// dialling a client twice for one attempt:
//
//   - an attempt is stored before telephony.externalCall.register, and its
//     CALL_ID right after; a restart finishes every registered but
//     unfinished call with the status its last persisted step implies;
//   - the client leg is marked dialled before its INVITE is sent;
//   - finish is called once per attempt; "Call is not found" on a repeat
//     (its first answer was lost) counts as finished;
//   - recordings are attached after finish, with retries;
//   - a callback given up goes to notifying first: a restart finishes the
//     telling (missed call in the CRM, notification, timeline comment,
//     to-do), each step once, before it is failed;
//   - a click-to-call refused at intake has its registered call finished
//     (484 or 403); calls left open while a portal refused the tokens are
//     finished by Reinstalled once it installs the application again.
//
// Policy (ring timeouts, redials, working hours, maximum age) comes from
// the callback's line: the portal's own lines (Config.PortalLines) when it
// has them, else the configured ones; see callbackline.Policy.
package callback
