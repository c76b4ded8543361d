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
//
// # Words
//
// A callback is one request (callbackline.Callback); its CallbackJob is
// the queue job that carries it to a Worker. A run is what one job does
// with one callback (Worker.Run); it makes at most one attempt: one call
// registered in Bitrix24 (callbackline.Attempt), which the Dialer places
// (sip.Dialer.Callback rings the employees, then the client).
//
// # Files
//
// In the order of a callback's life:
//
//   - worker.go: the Worker, its Config, the job (Work, Run);
//   - run.go: a run: each step persisted, what comes next;
//   - recover.go: what a crash left open is finished first;
//   - route.go: who answers (the candidates);
//   - attempt.go: an attempt registered in Bitrix24;
//   - dial.go, progress.go, cards.go: the call placed, each of its steps
//     persisted, the call card following the ringing;
//   - finish.go: the call finished in Bitrix24, exactly once;
//   - attach.go: its recording attached (AttachWorker later);
//   - outcome.go: the policy applied to the call's outcome: done, later
//     or given up;
//   - giveup.go, notify.go, missed.go: giving up: the responsible told,
//     the missed call logged in the CRM;
//   - click.go: click-to-call (ONEXTERNALCALLSTART);
//   - reinstall.go, uninstall.go, retention.go, metrics.go: after a
//     reinstallation, an uninstallation confirmed with the portal
//     (UninstallWorker), old recordings, Prometheus.
package callback
