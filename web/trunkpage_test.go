package web_test

import (
	"bytes"
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/netpolicy"
	"github.com/callbackline/callbackline/secret"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/store/sqlstore"
	"github.com/callbackline/callbackline/web"
)

// trunkHarness is the harness with the app page's SIP account form, a
// real dialer, a sealed store and a fake provider (a registrar wanting
// user acme's password) on loopback, which the operator allows.
type trunkHarness struct {
	*harness
	d        *sip.Dialer
	provider *siptest.Phone
}

func newTrunkHarness(t *testing.T, sealed bool) *trunkHarness {
	t.Helper()
	ctx := context.Background()
	ph, err := siptest.NewPhone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ph.Close)
	ph.RequireAuth(siptest.Credentials{Realm: "provider.example", Username: "acme", Password: "right-password"})
	d, err := sip.New(ctx, sip.Config{Listen: "127.0.0.1:0", RTPPorts: sip.PortRange{Min: 36000, Max: 36999}, PortalNetworks: []string{"127.0.0.0/8"},
		Trunks: []sip.Trunk{{Name: "op", Employee: "sip:{extension}@127.0.0.1:9", Client: "sip:{number}@127.0.0.1:9", Portals: []string{"someone-else"}}}},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	opts := sqlite.Options{}
	if sealed {
		opts.Options = sqlstore.Options{Secrets: box}
	}
	st, err := sqlite.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "callbackline.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	th := &trunkHarness{d: d, provider: ph}
	th.harness = newHarnessWith(t, st, intake.Rules{}, testLogger(t), func(o *web.Options) {
		o.Route = func(m string) error { return d.Route(m, "") }
		o.Trunks = &web.Trunks{Check: d.CheckTrunk, Status: d.TrunkStatus, Sealed: sealed,
			Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Lookup: internalName,
			Apply: func(m string, a *sip.Account) error {
				if a == nil {
					d.RemoveTrunk(m)
					return nil
				}
				return d.AddTrunk(m, a.Trunk(), a.CallerIDs)
			}}
	})
	th.install()
	return th
}

// save posts the SIP account form as the page does.
// internalName resolves pbx.internal.test to a private and a public
// address, and every other name as the system does.
func internalName(ctx context.Context, host string) ([]netip.Addr, error) {
	if host == "pbx.internal.test" {
		return []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.1.2.3")}, nil
	}
	return netpolicy.Resolve(ctx, host)
}

func (th *trunkHarness) save(authID string, kv ...string) (int, string) {
	th.t.Helper()
	f := url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "LANG": {"en"}, "AUTH_ID": {authID}, "action": {"save_trunk"},
		"registrar": {th.provider.Addr()}, "username": {"acme"}, "password": {"right-password"}, "caller_ids": {"+4930123456"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	res, err := http.PostForm(th.url("/bitrix24/app"), f)
	if err != nil {
		th.t.Fatal(err)
	}
	return res.StatusCode, readAll(th.t, res)
}

func (th *trunkHarness) stored() *callbackline.PortalTrunk {
	t, err := th.store.PortalTrunk(context.Background(), exampleMember)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return nil
	}
	if err != nil {
		th.t.Fatal(err)
	}
	return t
}

// TestAppTrunkHostile: a user who is not the portal's administrator, an
// account the server refuses, an internal address and a form without the
// operator's encryption key save nothing, and the dialer learns nothing;
// the administrator's working account is tested, stored, registered and
// used for the portal's calls at once; the password is never shown back.
func TestAppTrunkHostile(t *testing.T) {
	th := newTrunkHarness(t, true)
	admin := th.portal.IssueTokens(1)
	user := th.portal.IssueTokens(1269) // an employee, not an administrator
	if code, page := th.save(user.AccessToken); code != http.StatusForbidden || !strings.Contains(page, "only an administrator of the portal can change the SIP account") {
		t.Errorf("non-admin: %d %s", code, page)
	}
	if code, page := th.save(admin.AccessToken, "password", "wrong"); code != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "the account was tested and did not work: the server refused the user name or password") {
		t.Errorf("wrong password: %d %s", code, page)
	}
	if code, page := th.save(admin.AccessToken, "registrar", "10.1.2.3:5060"); code != http.StatusUnprocessableEntity || !strings.Contains(page, "internal address") {
		t.Errorf("internal registrar: %d %s", code, page)
	}
	// A name is resolved: every address must pass, and the form says which did not.
	for _, kv := range [][]string{{"registrar", "pbx.internal.test:5060"}, {"proxy", "pbx.internal.test"}} {
		if code, page := th.save(admin.AccessToken, kv...); code != http.StatusUnprocessableEntity ||
			!strings.Contains(page, kv[0]+": pbx.internal.test resolves to 10.1.2.3, an internal address") {
			t.Errorf("%s resolving to an internal address: %d %s", kv[0], code, page)
		}
	}
	if code, page := th.save(admin.AccessToken, "registrar", "nothing.invalid"); code != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "does not resolve") {
		t.Errorf("a registrar that does not resolve: %d %s", code, page)
	}
	if code, page := th.save(admin.AccessToken, "caller_ids", "*8101"); code != http.StatusUnprocessableEntity || !strings.Contains(page, "caller_ids") {
		t.Errorf("feature code as caller ID: %d %s", code, page)
	}
	if got := th.stored(); got != nil {
		t.Fatalf("stored %+v", got)
	}
	if r := th.provider.Registrations(); len(r) != 0 {
		t.Errorf("registered: %v", r)
	}
	if err := th.d.Route(exampleMember, ""); sip.KindOf(err) != sip.KindNoRoute {
		t.Errorf("the portal has a way out: %v", err)
	}

	code, page := th.save(admin.AccessToken, "caller_ids", "+49 30 123456, +4940123456")
	if code != http.StatusOK || !strings.Contains(page, `class="saved"`) || strings.Contains(page, "right-password") || strings.Contains(page, `id="no-trunk"`) {
		t.Fatalf("admin: %d %s", code, page)
	}
	got := th.stored()
	if got == nil || got.Password != "right-password" || got.Username != "acme" || !slices.Equal(got.CallerIDs, []string{"+4930123456", "+4940123456"}) {
		t.Fatalf("stored %+v", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for th.d.TrunkStatus(exampleMember) != nil {
		select {
		case <-ctx.Done():
			t.Fatalf("not registered: %v", th.d.TrunkStatus(exampleMember))
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := th.d.Route(exampleMember, ""); err != nil {
		t.Errorf("the portal's own account is not its way out: %v", err)
	}

	// Removed: forgotten by the dialer too.
	res, err := http.PostForm(th.url("/bitrix24/app"), url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "LANG": {"en"},
		"AUTH_ID": {admin.AccessToken}, "action": {"delete_trunk"}})
	if err != nil {
		t.Fatal(err)
	}
	if page := readAll(t, res); res.StatusCode != http.StatusOK || !strings.Contains(page, "Removed.") {
		t.Errorf("delete: %d %s", res.StatusCode, page)
	}
	if th.stored() != nil || sip.KindOf(th.d.TrunkStatus(exampleMember)) != sip.KindNoRoute {
		t.Error("the account is still there")
	}
}

// TestAppTrunkNeedsKey: without encryption_key no password is taken.
func TestAppTrunkNeedsKey(t *testing.T) {
	th := newTrunkHarness(t, false)
	admin := th.portal.IssueTokens(1)
	if code, page := th.save(admin.AccessToken); code != http.StatusUnprocessableEntity || !strings.Contains(page, "encryption_key") {
		t.Errorf("without a key: %d %s", code, page)
	}
	if th.stored() != nil || len(th.provider.Registrations()) != 0 {
		t.Error("stored or tested without a key")
	}
}

// The SIP account's problems are said in the page's language: the
// form's, the test's refusal by the server, and a portal without a way
// out; in English as before.
func TestAppTrunkLanguage(t *testing.T) {
	th := newTrunkHarness(t, true)
	admin := th.portal.IssueTokens(1)
	cases := []struct {
		kv   []string
		want string
	}{
		{[]string{"LANG", "ru", "password", "wrong"}, "аккаунт проверен и не работает: сервер не принял имя пользователя или пароль (403)"},
		{[]string{"LANG", "de", "password", "wrong"}, "Das Konto wurde getestet und hat nicht funktioniert: Der Server hat Benutzername oder Passwort abgelehnt (403)"},
		{[]string{"LANG", "ru", "registrar", "10.1.2.3:5060"}, "регистратор: это внутренний адрес; допускаются только публичные серверы"},
		{[]string{"LANG", "de", "registrar", "pbx.internal.test:5060"}, "Registrar: pbx.internal.test löst sich zu 10.1.2.3 auf, einer internen Adresse; nur öffentliche Server sind erlaubt"},
		{[]string{"LANG", "ru", "caller_ids", "*8101"}, "номера для АОН: «*8101» — не номер в формате E.164"},
		{[]string{"LANG", "de", "username", ""}, "Benutzername: Geben Sie den Benutzernamen des Kontos an"},
		{[]string{"LANG", "ru", "registrar", "nothing.invalid"}, "регистратор: имя «nothing.invalid» не найдено в DNS: проверьте имя сервера"},
		{[]string{"LANG", "en", "password", "wrong"}, "the account was tested and did not work: the server refused the user name or password (403)"},
	}
	for _, c := range cases {
		code, page := th.save(admin.AccessToken, c.kv...)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%v: %d", c.kv, code)
		}
		_, refused, _ := strings.Cut(page, `id="trunk-refused"`)
		refused, _, _ = strings.Cut(refused, "</p>")
		if !strings.Contains(refused, html.EscapeString(c.want)) {
			t.Errorf("%v: the refusal lacks %q: %s", c.kv, c.want, refused)
		}
	}
	// The field at fault is marked, its problem next to it.
	for _, c := range []struct {
		kv          []string
		field, want string
	}{
		{[]string{"LANG", "ru", "registrar", "10.1.2.3:5060"}, "registrar", "это внутренний адрес; допускаются только публичные серверы"},
		{[]string{"LANG", "de", "caller_ids", "*8101"}, "caller_ids", "„*8101“ ist keine E.164-Nummer"},
		{[]string{"LANG", "en", "caller_ids", "*8101"}, "caller_ids", "&#34;*8101&#34; is not E.164"},
	} {
		_, page := th.save(admin.AccessToken, c.kv...)
		if !strings.Contains(page, `aria-describedby="trunk-`+c.field+`-error"`) ||
			!strings.Contains(page, `data-field="`+c.field+`">`+c.want) {
			t.Errorf("%v: no %q next to %s", c.kv, c.want, c.field)
		}
	}
	if th.stored() != nil {
		t.Fatal("stored")
	}
	// Without an account the portal has no way out, and the page says so.
	for lang, want := range map[string]string{"ru": "у портала нет SIP-транка: укажите ниже собственный SIP-аккаунт портала",
		"de": "Kein SIP-Trunk bedient dieses Portal: Geben Sie unten das eigene SIP-Konto des Portals an"} {
		res, err := http.PostForm(th.url("/bitrix24/app"), url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken},
			"LANG": {lang}, "AUTH_ID": {admin.AccessToken}})
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, res)
		_, noTrunk, _ := strings.Cut(page, `id="no-trunk"`)
		noTrunk, _, _ = strings.Cut(noTrunk, "</p>")
		if !strings.Contains(noTrunk, want) {
			t.Errorf("%s: no-trunk lacks %q: %s", lang, want, noTrunk)
		}
	}
}
