package callback

import (
	"context"
	"log/slog"
)

// viewers is who sees an attempt's call card. Register showed it to the
// first candidate. In sequential mode it moves with the ringing; in
// ring-all mode everybody rung sees it until somebody answers.
type viewers struct {
	shown   map[int64]bool
	current int64 // sequential mode: the employee whose phone rings
	ringAll bool
}

func newViewers(first int64, ringAll bool) *viewers {
	return &viewers{shown: map[int64]bool{first: true}, current: first, ringAll: ringAll}
}

// ringing is the card's move when user's phone starts ringing: shown to
// them, hidden from the employee rung before in sequential mode.
func (v *viewers) ringing(user int64) (show, hide []int64) {
	if user != 0 && !v.shown[user] {
		if !v.ringAll && v.current != 0 {
			hide = []int64{v.current}
			delete(v.shown, v.current)
		}
		show = []int64{user}
		v.shown[user] = true
	}
	if !v.ringAll && user != 0 {
		v.current = user
	}
	return show, hide
}

// answered is the card's move when user answers: in ring-all mode the
// others stop ringing and their cards close.
func (v *viewers) answered(user int64) (hide []int64) {
	if !v.ringAll {
		return nil
	}
	for u := range v.shown {
		if u != user {
			hide = append(hide, u)
			delete(v.shown, u)
		}
	}
	return hide
}

// others are those who still see the card besides the attempt's user
// when the call ends: finish hides it only for the attempt's user.
func (v *viewers) others(user int64) (hide []int64) {
	for u := range v.shown {
		if u != user && u != 0 {
			hide = append(hide, u)
		}
	}
	return hide
}

// moveCard shows the call card to the users in show and then hides it
// from those in hide. It runs in the background (the ringing does not
// wait for Bitrix24), after the moves started before it: a card is never
// hidden before it was shown. r.bg.Wait waits for all of them.
func (r *run) moveCard(ctx context.Context, callID string, show, hide []int64) {
	if len(show) == 0 && len(hide) == 0 {
		return
	}
	prev := r.cards
	done := make(chan struct{})
	r.cards = done
	r.bg.Add(1)
	go func() {
		defer r.bg.Done()
		defer close(done)
		if prev != nil {
			<-prev
		}
		for _, u := range show {
			if _, err := r.w.cfg.CRM.ShowCall(ctx, r.portal, callID, u); err != nil {
				r.log.Warn("showing the call card failed", slog.Any("err", err))
			}
		}
		for _, u := range hide {
			if _, err := r.w.cfg.CRM.HideCall(ctx, r.portal, callID, u); err != nil {
				r.log.Warn("hiding the call card failed", slog.Any("err", err))
			}
		}
	}()
}
