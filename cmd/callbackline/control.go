package main

import (
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/web"
)

// control is how the app page and the operator API act on callbacks by
// hand: through the worker, which checks a retry against the rules that
// still apply; nil without one (the store's transitions alone).
func control(w *callback.Worker) web.Control {
	if w == nil {
		return nil
	}
	return w.Control
}
