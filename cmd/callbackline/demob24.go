//go:build demo

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/phone"
)

// demoFromLine is the simulated portal's own rented number.
const demoFromLine = "reg151083"

// bitrix24Demo shows a line on the Bitrix24 dialer: no PBX, no phones; the
// simulated portal's telephony places the call, and its end event tells
// the outcome.
func (d *demoRun) bitrix24Demo(ctx context.Context) error {
	d.portal = bitrix24test.New(bitrix24test.Options{Language: "en", Scope: "telephony,call,crm,user_basic,im,timeman"})
	defer d.portal.Close()
	d.portal.AddVoxLine(bitrix24test.VoxLine{ID: demoFromLine, Name: "Rented number +49 30 1234567"})
	d.say("simulated Bitrix24 portal %s with its own telephony line %s (no PBX, no SIP trunk)", d.portal.Host(), demoFromLine)
	line := func(cfg *config.Config) {
		cfg.Lines = []config.Line{{Number: "callbackline", Name: "callbackline", Dialer: string(callbackline.DialerBitrix24), FromLine: demoFromLine}}
		cfg.Bitrix24.EndEventWait = 5 * time.Second
	}
	return d.serve(ctx, line, d.bitrix24Call)
}

// bitrix24Call submits the first of demoRequests while playing the
// portal's telephony, and prints the report.
func (d *demoRun) bitrix24Call(ctx context.Context) error {
	telephonyDone := make(chan error, 1)
	go func() { telephonyDone <- d.portalTelephony(ctx) }()
	cb, err := d.requestCallback(ctx, demoRequests[0])
	if terr := <-telephonyDone; err == nil {
		err = terr
	}
	if err != nil {
		return err
	}
	return d.reportB24(cb)
}

// portalTelephony plays Bitrix24's telephony: once callbackline placed the
// call, the employee and the client talk for the demo's talk time, then
// the call ends and ONVOXIMPLANTCALLEND goes out.
func (d *demoRun) portalTelephony(ctx context.Context) error {
	if err := wait.Until(ctx, 50*time.Millisecond, func() bool { return len(d.portal.VoxCalls()) > 0 }); err != nil {
		return fmt.Errorf("callbackline never asked Bitrix24 to place the call")
	}
	vc := d.portal.VoxCalls()[0]
	d.say("Bitrix24 (voximplant.callback.start from %s): rings the line's queue, speaks %q in voice %s, calls the client %s",
		vc.FromLine, vc.Text, vc.Voice, phone.Mask(vc.ToNumber))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d.o.Talk): // the employee and the client talk
	}
	d.say("Bitrix24: the call ended after %s; ONVOXIMPLANTCALLEND goes out", d.o.Talk)
	return d.portal.EndVoxCall(ctx, vc.CallID, bitrix24test.VoxEnd{Code: "200", Duration: int(d.o.Talk / time.Second)}, false)
}

// reportB24 prints the calls the portal's telephony placed.
func (d *demoRun) reportB24(cb *callbackline.Callback) error {
	fmt.Fprintln(d.out, "\nThe calls Bitrix24's telephony placed (logged and recorded by Bitrix24 itself):")
	for _, c := range d.portal.VoxCalls() {
		fmt.Fprintf(d.out, "  %s  from %s  to %s  ended: %v  code %s  duration %d s\n",
			c.CallID, c.FromLine, phone.Mask(c.ToNumber), c.Ended, c.End.Code, c.End.Duration)
	}
	fmt.Fprintf(d.out, "External calls callbackline registered: %d\n", len(d.portal.Calls()))
	if cb.State != callbackline.StateDone {
		return fmt.Errorf("the callback ended %s: %s", cb.State, cb.Reason)
	}
	return nil
}
