package callbackline_test

import (
	"testing"

	"github.com/callbackline/callbackline"
)

// TestOutcomeOf: the dashboard's outcome of each final state and reason
// code the workers write.
func TestOutcomeOf(t *testing.T) {
	for _, c := range []struct {
		state  callbackline.State
		reason string
		want   callbackline.Outcome
	}{
		{callbackline.StateDone, "", callbackline.OutcomeConnected},
		{callbackline.StateDone, "already_called: the client called in at 10:02", callbackline.OutcomeAlreadyCalled},
		{callbackline.StateFailed, "cancelled: by Anna Smirnova", callbackline.OutcomeCancelled},
		{callbackline.StateScheduled, "cancelled: by Anna Smirnova", callbackline.OutcomePending},
		{callbackline.StateRejected, "invalid_number: 12", callbackline.OutcomeRejected},
		{callbackline.StateFailed, "guard: premium rate", callbackline.OutcomeRejected},
		{callbackline.StateFailed, "client_unreachable: 3 calls", callbackline.OutcomeClientNoAnswer},
		{callbackline.StateNotifying, "no_employee: 2 rounds", callbackline.OutcomeEmployeeNoAnswer},
		{callbackline.StateFailed, "closed: never open", callbackline.OutcomeOutsideHours},
		{callbackline.StateFailed, "stale: too old", callbackline.OutcomeOutsideHours},
		{callbackline.StateFailed, "no_trunk: nothing was dialled", callbackline.OutcomeFailed},
		{callbackline.StateFailed, "", callbackline.OutcomeFailed},
		{callbackline.StateScheduled, "", callbackline.OutcomePending},
		{callbackline.StateConnected, "", callbackline.OutcomePending},
	} {
		if got := callbackline.OutcomeOf(c.state, c.reason); got != c.want {
			t.Errorf("OutcomeOf(%s, %q) = %s, want %s", c.state, c.reason, got, c.want)
		}
	}
}
