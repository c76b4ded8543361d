package callback

import (
	"slices"
	"testing"
)

// The call card follows the ringing in sequential mode and stays with
// everybody rung in ring-all mode until somebody answers; when the call
// ends it stays only with the attempt's user.
func TestViewers(t *testing.T) {
	sorted := func(s []int64) []int64 { slices.Sort(s); return s }
	seq := newViewers(1, false)
	if show, hide := seq.ringing(1); show != nil || hide != nil {
		t.Errorf("first candidate rings: show %v hide %v, want no move (register showed it)", show, hide)
	}
	if show, hide := seq.ringing(2); !slices.Equal(show, []int64{2}) || !slices.Equal(hide, []int64{1}) {
		t.Errorf("second rings: show %v hide %v, want [2] [1]", show, hide)
	}
	if show, hide := seq.ringing(0); show != nil || hide != nil {
		t.Errorf("an extension without a user rings: show %v hide %v, want none", show, hide)
	}
	if hide := seq.answered(2); hide != nil {
		t.Errorf("sequential answer hides %v, want none", hide)
	}
	if hide := seq.others(1); !slices.Equal(hide, []int64{2}) {
		t.Errorf("at the end, with the attempt on user 1, hide %v, want [2]", hide)
	}

	all := newViewers(1, true)
	for _, u := range []int64{1, 2, 3} {
		if show, hide := all.ringing(u); hide != nil || u != 1 && !slices.Equal(show, []int64{u}) {
			t.Errorf("ring-all: %d rings: show %v hide %v", u, show, hide)
		}
	}
	if hide := sorted(all.answered(3)); !slices.Equal(hide, []int64{1, 2}) {
		t.Errorf("ring-all: 3 answers: hide %v, want [1 2]", hide)
	}
	if hide := all.others(3); hide != nil {
		t.Errorf("ring-all at the end: hide %v, want none", hide)
	}
	unanswered := newViewers(1, true)
	unanswered.ringing(2)
	if hide := unanswered.others(1); !slices.Equal(hide, []int64{2}) {
		t.Errorf("ring-all, nobody answered: hide %v, want [2]", hide)
	}
}
