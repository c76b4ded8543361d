package bitrix24_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// TestCallLifecycle: register (the 30-minute de-duplication), show/hide,
// finish, a second finish, records.
func TestCallLifecycle(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	reg := bitrix24.RegisterCall{UserID: 1269, PhoneNumber: "+494951234567", Type: bitrix24.CallCallback,
		CRMEntityType: "LEAD", CRMEntityID: 5785, LineNumber: "4930123456", ExternalCallID: "pbx-1", Show: true,
		CallStartDate: time.Now()}
	r1, err := f.client.RegisterCall(ctx, p, reg)
	if err != nil {
		t.Fatal(err)
	}
	if r1.CRMEntityType != "LEAD" || r1.CRMEntityID != 5785 || r1.CRMCreatedLead != 0 {
		t.Fatalf("register: %+v", r1)
	}
	r2, err := f.client.RegisterCall(ctx, p, reg)
	if err != nil || r2.CallID != r1.CallID {
		t.Fatalf("same call within 30 min: %v %v / %v", r1.CallID, r2, err)
	}
	reg.ExternalCallID = "pbx-2"
	r3, err := f.client.RegisterCall(ctx, p, reg)
	if err != nil || r3.CallID == r1.CallID {
		t.Fatalf("another attempt got the same CALL_ID: %v", err)
	}
	f.sim.Advance(31 * time.Minute)
	reg.ExternalCallID = "pbx-1"
	r4, err := f.client.RegisterCall(ctx, p, reg)
	if err != nil || r4.CallID == r1.CallID {
		t.Fatalf("after 30 minutes the CALL_ID is new: %v", err)
	}

	// The card moves between employees.
	if ok, err := f.client.ShowCall(ctx, p, r1.CallID, 1, 1273); !ok || err != nil {
		t.Fatalf("show: %v %v", ok, err)
	}
	if ok, err := f.client.HideCall(ctx, p, r1.CallID, 1269); !ok || err != nil {
		t.Fatalf("hide: %v %v", ok, err)
	}
	c, _ := f.sim.CallByID(r1.CallID)
	if len(c.ShownTo) != 2 || c.ShownTo[0] != 1 || c.ShownTo[1] != 1273 {
		t.Fatalf("shown to %v", c.ShownTo)
	}
	if ok, err := f.client.ShowCall(ctx, p, "externalCall.nope.1"); ok || err != nil {
		t.Fatalf("unknown call: %v %v", ok, err)
	}

	// attachRecord before finish fails.
	if _, err := f.client.AttachRecord(ctx, p, r1.CallID, "call.wav", []byte("RIFF")); !errors.Is(err, bitrix24.ErrCallNotFinished) {
		t.Fatalf("attach before finish: %v", err)
	}
	fin, err := f.client.FinishCall(ctx, p, bitrix24.FinishCall{CallID: r1.CallID, UserID: 1269, Duration: 95, StatusCode: "200", AddToChat: true, Vote: 5})
	if err != nil {
		t.Fatal(err)
	}
	if fin.CallID != r1.CallID || fin.CallDuration != 95 || fin.CallStatus != 1 || fin.CRMActivityID == 0 || fin.CallFailedCode != "200" || fin.PortalNumber != "4930123456" {
		t.Fatalf("finish: %+v", fin)
	}
	// A second finish: empty error code, "Call is not found…".
	_, err = f.client.FinishCall(ctx, p, bitrix24.FinishCall{CallID: r1.CallID, UserID: 1269})
	var ae *bitrix24.APIError
	if !errors.As(err, &ae) || ae.Code != "" || !errors.Is(err, bitrix24.ErrCallNotFound) {
		t.Fatalf("second finish: %v", err)
	}

	// Records: wav/mp3 only; inline base64; the upload path for large files.
	if _, err := f.client.AttachRecord(ctx, p, r1.CallID, "call.ogg", []byte("x")); !errors.Is(err, bitrix24.ErrBadRecord) {
		t.Fatalf("ogg: %v", err)
	}
	small := []byte("RIFF....WAVEfmt small")
	if id, err := f.client.AttachRecord(ctx, p, r1.CallID, "call.wav", small); err != nil || id == 0 {
		t.Fatalf("base64: %d %v", id, err)
	}
	large := bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0x64}, bitrix24.MaxInlineRecord/4+1000)
	if id, err := f.client.AttachRecord(ctx, p, r1.CallID, "call.mp3", large); err != nil || id == 0 {
		t.Fatalf("upload: %d %v", id, err)
	}
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ID3 remote")) }))
	defer rec.Close()
	if id, err := f.client.AttachRecordURL(ctx, p, r1.CallID, rec.URL+"/rec/42.mp3", ""); err != nil || id == 0 {
		t.Fatalf("url: %d %v", id, err)
	}
	c, _ = f.sim.CallByID(r1.CallID)
	if !c.Finished || c.Duration != 95 || c.StatusCode != "200" || len(c.Records) != 3 {
		t.Fatalf("call log: %+v", c)
	}
	if c.Records[0].Via != "base64" || !bytes.Equal(c.Records[0].Content, small) || c.Records[1].Via != "upload" ||
		!bytes.Equal(c.Records[1].Content, large) || c.Records[2].Via != "url" || string(c.Records[2].Content) != "ID3 remote" {
		t.Fatalf("records: %v %v %v", c.Records[0].Via, c.Records[1].Via, c.Records[2].Via)
	}
}

func TestRegisterErrors(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	for name, r := range map[string]bitrix24.RegisterCall{
		"dismissed user": {UserID: 1270, PhoneNumber: "+49301", Type: 4},
		"no user":        {PhoneNumber: "+49301", Type: 4},
		"bad type":       {UserID: 1269, PhoneNumber: "+49301", Type: 9},
		"no number":      {UserID: 1269, PhoneNumber: "abc", Type: 4},
	} {
		if _, err := f.client.RegisterCall(ctx, p, r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := f.client.RegisterCall(ctx, p, bitrix24.RegisterCall{UserID: 1270, PhoneNumber: "+49301", Type: 4}); !errors.Is(err, bitrix24.ErrUserNotFound) {
		t.Errorf("dismissed: %v", err)
	}
	// By extension, with the CRM binding found by phone.
	r, err := f.client.RegisterCall(ctx, p, bitrix24.RegisterCall{UserPhoneInner: "101", PhoneNumber: "+7 (495) 123-45-67", Type: 4})
	if err != nil || r.CRMEntityType != "CONTACT" || r.CRMEntityID != 797 {
		t.Fatalf("by extension: %+v %v", r, err)
	}
	calls := f.sim.Calls()
	if last := calls[len(calls)-1]; last.UserID != 1269 || last.PhoneNumber != "+74951234567" {
		t.Fatalf("log: %+v", last)
	}
}

func TestLookups(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	m, err := f.client.SearchCRMEntities(ctx, p, "+49 30 1234-5678")
	if err != nil || len(m) != 1 || m[0].CRMEntityType != "COMPANY" || m[0].AssignedByID != 1271 || m[0].AssignedBy.UserPhoneInner != "103" {
		t.Fatalf("search: %+v %v", m, err)
	}
	if _, err := f.client.CRMItem(ctx, p, bitrix24.EntityLead, 999); !errors.Is(err, bitrix24.ErrNotFound) {
		t.Fatalf("missing item: %v", err)
	}
	u, err := f.client.UserByPhoneInner(ctx, p, "101")
	if err != nil || u.ID != 1269 || u.FullName() != "Max Müller" {
		t.Fatalf("by inner: %+v %v", u, err)
	}
	if _, err := f.client.UserByPhoneInner(ctx, p, "102"); !errors.Is(err, bitrix24.ErrUserNotFound) {
		t.Fatalf("dismissed by inner: %v", err)
	}
	if _, err := f.client.User(ctx, p, 4242); !errors.Is(err, bitrix24.ErrUserNotFound) {
		t.Fatalf("absent user: %v", err)
	}
	im, err := f.client.IMUser(ctx, p, 1271)
	if err != nil || !im.IsAbsent() || im.Phones.InnerPhone != "103" {
		t.Fatalf("absent: %+v %v", im, err)
	}
	im, err = f.client.IMUser(ctx, p, 1269)
	if err != nil || im.IsAbsent() || im.Status != "online" {
		t.Fatalf("present: %+v %v", im, err)
	}
	tm, err := f.client.TimemanStatus(ctx, p, 1272)
	if err != nil || tm.Working() {
		t.Fatalf("closed day: %+v %v", tm, err)
	}
	if _, err := f.client.TimemanStatus(ctx, p, 4242); !errors.Is(err, bitrix24.ErrUserNotFound) {
		t.Fatalf("timeman of nobody: %v", err)
	}
	voices, err := f.client.TTSVoices(ctx, p)
	if err != nil || voices["eurgermanfemale"] == "" || len(voices) != 42 {
		t.Fatalf("voices: %d %v", len(voices), err)
	}
	id, err := f.client.NotifySystem(ctx, p, bitrix24.Notify{UserID: 1269, Message: "Callback failed", Tag: "cb-1"})
	if err != nil || id == 0 {
		t.Fatalf("notify: %v", err)
	}
	cid, err := f.client.AddTimelineComment(ctx, p, "CONTACT", 797, "Callback failed: busy")
	if err != nil || cid == 0 {
		t.Fatalf("comment: %v", err)
	}
	tid, err := f.client.AddTodo(ctx, p, bitrix24.Todo{OwnerTypeID: bitrix24.EntityContact, OwnerID: 797, Deadline: time.Now().Add(time.Hour), Title: "Call back"})
	if err != nil || tid == 0 {
		t.Fatalf("todo: %v", err)
	}
	if n := f.sim.Notifications(); len(n) != 1 || n[0].UserID != 1269 {
		t.Fatalf("notifications %+v", n)
	}
	if c := f.sim.Comments(); len(c) != 1 || c[0].EntityType != "contact" {
		t.Fatalf("comments %+v", c)
	}
	if td := f.sim.Todos(); len(td) != 1 || td[0].ResponsibleID != 1269 {
		t.Fatalf("todos %+v", td)
	}
}

func TestBatchAndList(t *testing.T) {
	var users []bitrix24test.User
	for i := int64(1); i <= 120; i++ {
		users = append(users, bitrix24test.User{ID: i, Name: "U", Active: i%2 == 0})
	}
	f := newFixture(t, bitrix24test.Options{Users: users})
	ctx := context.Background()
	p := f.portal(t)

	all, err := f.client.Users(ctx, p, nil)
	if err != nil || len(all) != 120 || all[119].ID != 120 {
		t.Fatalf("list: %d %v", len(all), err)
	}
	if n := len(f.sim.RESTCalls("user.get")); n != 3 {
		t.Fatalf("%d pages, want 3", n)
	}

	var cmds []bitrix24.BatchCmd
	for i := 1; i <= 120; i++ {
		cmds = append(cmds, bitrix24.BatchCmd{Method: "user.get", Params: map[string]any{"FILTER": map[string]any{"ID": i}}})
	}
	cmds = append(cmds, bitrix24.BatchCmd{Key: "bad", Method: "crm.item.get", Params: map[string]any{"entityTypeId": 1, "id": 999}})
	res, err := f.client.Batch(ctx, p, cmds, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 120 || len(res.Errors) != 1 || !errors.Is(res.Errors["bad"], bitrix24.ErrNotFound) {
		t.Fatalf("%d results, errors %v", len(res.Results), res.Errors)
	}
	var u []bitrix24.User
	if err := res.Decode("c76", &u); err != nil || len(u) != 1 || u[0].ID != 77 {
		t.Fatalf("c76: %+v %v", u, err)
	}
	if n := len(f.sim.RESTCalls("batch")); n != 3 {
		t.Fatalf("%d batch requests, want 3 (50+50+21)", n)
	}
	// halt stops at the first failure, and no further request is sent.
	f.sim.ResetRequests()
	halted := append([]bitrix24.BatchCmd{{Key: "a0", Method: "crm.item.get", Params: map[string]any{"entityTypeId": 1, "id": 999}}}, cmds[:60]...)
	res, err = f.client.Batch(ctx, p, halted, true)
	if err != nil || len(res.Errors) != 1 || len(f.sim.RESTCalls("batch")) != 1 {
		t.Fatalf("halt: %v, %d errors, %d requests", err, len(res.Errors), len(f.sim.RESTCalls("batch")))
	}
}
