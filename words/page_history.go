package words

import (
	"fmt"
	"strconv"
)

// notePrefix keys the history's sentences in the page's catalogue: a note
// code ("connected") is not the English of a phrase (the state
// "connected" is one).
const notePrefix = "note:"

// PageNote says the history note code in lang with its arguments, already
// said: a fmt format with one verb per argument, in English's order
// (callbackline.NoteEnglish), whose groups of forms agree with the first
// argument that is a whole number (of many without one). False when lang has no sentence of its
// own for code (English is the note's own).
func PageNote(lang, code string, args []string) (string, bool) {
	f, ok := pageWords[PageLang(lang)][notePrefix+code]
	if !ok || PageLang(lang) == "en" {
		return "", false
	}
	vs := make([]any, len(args))
	counted := false
	for i, a := range args {
		vs[i] = a
		if n, err := strconv.Atoi(a); err == nil && !counted {
			f, counted = plural(PageLang(lang), n, f), true
		}
	}
	if !counted {
		f = plural(PageLang(lang), 5, f) // no number: the form of many
	}
	return fmt.Sprintf(f, vs...), true
}

// HasPageNote reports whether lang has its own sentence for the note code
// (English has every one).
func HasPageNote(lang, code string) bool {
	if PageLang(lang) == "en" {
		return true
	}
	_, ok := pageWords[PageLang(lang)][notePrefix+code]
	return ok
}

// The history's sentences, by note code (callbackline.Note).
func init() {
	for k, v := range map[string]string{
		// Who is rung, who answers.
		"employee":      "%s (внутр. %s)",
		"extension":     "внутр. %s",
		"user":          "пользователь %s",
		"named_user":    "%s (пользователь %s)",
		"an_employee":   "сотрудник",
		"line_target":   "постоянный номер линии",
		"routing":       "выбираем сотрудника",
		"registered":    "карточка звонка создана (%s); звоним: %s",
		"ringing":       "звоним: %s",
		"click_ringing": "звонок по клику: звоним: %s",
		"answered":      "%s принял(а) звонок; зачитываем заявку",
		"skipped": "%s: пропущен, внутренний номер %q нарушает правило внутренних номеров SIP-аккаунта; " +
			"администратору портала нужно исправить его (UF_PHONE_INNER или постоянный номер линии)",
		"lookup_failed":   "не удалось получить данные пользователя %s (%s)",
		"inactive":        "%s: пользователь неактивен",
		"no_extension":    "%s: нет внутреннего номера (UF_PHONE_INNER)",
		"absent":          "%s: отсутствует до %s",
		"not_at_work":     "%s: не на работе (рабочий день %s)",
		"workday_closed":  "завершён",
		"workday_paused":  "на паузе",
		"workday_expired": "не закрыт вовремя",
		// The call.
		"calling_client":  "звоним клиенту %s (звонок %s из %s)",
		"connected":       "клиент ответил: соединено",
		"done":            "готово: сотрудник и клиент говорили %s с",
		"done_recovered":  "готово: клиента соединили до перезапуска",
		"done_click":      "готово: звонок по клику соединён",
		"done_click_for":  "готово: звонок по клику, %s с",
		"done_placed":     "готово: Битрикс24 соединил сотрудника и клиента, разговор %s с",
		"recovering":      "восстанавливаем попытку %s после перезапуска",
		"finishing":       "записываем звонок в CRM (статус %s, %s с)",
		"finished":        "звонок записан в CRM: статус %s, %s с",
		"attached":        "запись прикреплена к звонку (файл %s)",
		"scheduled":       "%s (%s)",
		"client_again":    "клиент не ответил (статус %s); позвоним ещё раз позже",
		"employees_again": "%s; попробуем ещё раз позже (круг обзвона %s из %s)",
		"no_one_took":     "ни один сотрудник не принял звонок: %s",
		"nobody_to_call":  "звонить некому: нет ни ответственного, ни сотрудника линии, который активен, на месте и доступен",
		"shutdown":        "прервано остановкой сервиса; продолжаем",
		"outside_hours":   "вне рабочего времени: звонок перенесён на начало рабочего времени",
		"dial_wait":       "%s; ждём, когда звонок будет разрешён",
		// Bitrix24's telephony.
		"placing":             "передаём звонок %s из %s в телефонию Битрикс24: линия %s звонит клиенту %s",
		"fallback":            "переход на телефонию Битрикс24 (%s): %s",
		"sip_down":            "SIP-аккаунт недоступен: %s",
		"trunk_refused":       "SIP-аккаунт отклонил все вызовы (INVITE): %s",
		"placed":              "Битрикс24 совершает звонок (%s); ждём итога",
		"from_statistics":     "событие о завершении звонка не пришло: итог взят из статистики звонков Битрикс24",
		"found_in_statistics": "звонок, переданный до перезапуска, найден в статистике звонков Битрикс24 (%s)",
		"placed_again":        "Битрикс24 завершил звонок: %s (%s); позвоним ещё раз позже",
		"busy":                "занято",
		"no_answer":           "нет ответа",
		"unavailable":         "абонент недоступен",
		"declined":            "отклонён",
		"cancelled":           "отменён",
		// The end.
		"failed":      "перезвонить не удалось: %s",
		"failed_told": "перезвонить не удалось: %s (сообщено пользователю %s)",
		"giving_up":   "прекращаем попытки: %s",
		"closed":      "закрыто: %s",
		"called_in":   "клиент сам позвонил %s, ему ответили (звонок Битрикс24 %s)",
		"called_by":   "клиенту позвонили %s (%s), клиент ответил (звонок Битрикс24 %s)",
		"notified":    "ответственный уведомлён",
		"commented":   "комментарий добавлен в таймлайн CRM",
		"todo":        "ответственному поставлено дело",
		// Reasons.
		"reason_unreachable_max":    "не удалось дозвониться до клиента (%s {звонок|звонка|звонков} — больше линия не разрешает)",
		"reason_unreachable":        "не удалось дозвониться до клиента (%s {звонок|звонка|звонков}, последний статус %s)",
		"reason_unreachable_placed": "не удалось дозвониться до клиента (%s {звонок|звонка|звонков} через Битрикс24, последний: %s, %s)",
		"reason_stale":              "заявка устарела, звонок не совершался (старше %s)",
		"reason_closed":             "рабочее время линии никогда не наступает",
		"reason_no_employee_rounds": "ни один сотрудник не принял звонок (%s {круг|круга|кругов} обзвона)",
		"reason_no_employee":        "ни один сотрудник не принял звонок (%s)",
		"reason_guard":              "на этот номер звонить нельзя: %s",
		"reason_call_failed":        "звонок не состоялся (%s)",
		"reason_no_trunk":           "нет выхода в телефонную сеть, ничего не набиралось (%s)",
		"reason_uninstalled":        "приложение удалено с портала",
		"reason_reinstall":          "приложение нужно установить заново (%s)",
		"reason_error":              "callbackline не смог продолжить: слишком много ошибок (%s)",
		"reason_outcome_unknown": "итог звонка узнать не удалось (нет события о завершении, нет в статистике звонков); " +
			"проверьте историю звонков портала и при необходимости перезвоните клиенту",
		"reason_dial_rate":       "лимит звонков: все звонки, разрешённые за час на этот номер (со всех порталов) или с этого портала, уже совершены",
		"reason_dial_rate_age":   "%s; следующий разрешён в %s, когда заявка будет старше допустимого (%s)",
		"reason_dial_rate_at":    "%s; следующий в %s",
		"reason_already_called":  "с клиентом уже связались (закрыто автоматически): %s",
		"reason_b24_balance":     "баланс телефонии Битрикс24 исчерпан (402): пополните его в разделе «Телефония» Битрикс24 и перезвоните клиенту",
		"reason_b24_refused":     "Битрикс24 не может звонить на этот номер с линии (%s): проверьте настройки исходящих звонков линии в разделе «Телефония» Битрикс24",
		"reason_b24_unreachable": "Битрикс24 не смог дозвониться на этот номер (%s)",
		"reason_b24_failed":      "звонок не состоялся: Битрикс24 завершил его с кодом %s",
		// By hand and by the store.
		"call_now": "%s: «Позвонить сейчас» — набираем сразу, даже вне рабочего времени",
		"cancel":   "%s: отменено — звонить не будем",
		"retry":    "%s: «Повторить» — начинается новый круг звонков",
		"folded": "та же заявка пришла снова, пока её звонок был в телефонии Битрикс24 " +
			"(ONEXTERNALCALLBACKSTART отправлен обратно): объединена с ней, повторно не звоним",
	} {
		pageRU[notePrefix+k] = v
	}
	for k, v := range map[string]string{
		// Who is rung, who answers.
		"employee":      "%s (Durchwahl %s)",
		"extension":     "Durchwahl %s",
		"user":          "Benutzer %s",
		"named_user":    "%s (Benutzer %s)",
		"an_employee":   "ein Mitarbeiter",
		"line_target":   "festes Ziel der Leitung",
		"routing":       "Mitarbeiter wird ausgewählt",
		"registered":    "Anrufkarte angelegt (%s); es klingelt bei: %s",
		"ringing":       "es klingelt bei: %s",
		"click_ringing": "Click-to-Call: es klingelt bei: %s",
		"answered":      "%s hat angenommen; die Anfrage wird vorgelesen",
		"skipped": "%s wird übersprungen: die Durchwahl %q verstößt gegen die Durchwahl-Regel des SIP-Kontos; " +
			"der Administrator des Portals sollte sie korrigieren (UF_PHONE_INNER oder das feste Ziel der Leitung)",
		"lookup_failed":   "Benutzer %s konnte nicht abgefragt werden (%s)",
		"inactive":        "%s ist kein aktiver Benutzer",
		"no_extension":    "%s hat keine Durchwahl (UF_PHONE_INNER)",
		"absent":          "%s ist abwesend bis %s",
		"not_at_work":     "%s arbeitet gerade nicht (Arbeitstag %s)",
		"workday_closed":  "beendet",
		"workday_paused":  "pausiert",
		"workday_expired": "nicht rechtzeitig beendet",
		// The call.
		"calling_client":  "der Kunde %s wird angerufen (Anruf %s von %s)",
		"connected":       "der Kunde hat angenommen: verbunden",
		"done":            "erledigt: Mitarbeiter und Kunde haben %s s gesprochen",
		"done_recovered":  "erledigt: der Kunde wurde vor dem Neustart verbunden",
		"done_click":      "erledigt: Click-to-Call verbunden",
		"done_click_for":  "erledigt: Click-to-Call, %s s",
		"done_placed":     "erledigt: Bitrix24 hat Mitarbeiter und Kunde verbunden, Gespräch %s s",
		"recovering":      "Versuch %s wird nach einem Neustart wieder aufgenommen",
		"finishing":       "der Anruf wird ins CRM geschrieben (Status %s, %s s)",
		"finished":        "Anruf im CRM abgeschlossen: Status %s, %s s",
		"attached":        "Aufnahme an den Anruf angehängt (Datei %s)",
		"scheduled":       "%s (%s)",
		"client_again":    "der Kunde hat nicht angenommen (Status %s); er wird später erneut angerufen",
		"employees_again": "%s; später ein neuer Versuch (Anrufrunde %s von %s)",
		"no_one_took":     "kein Mitarbeiter hat den Anruf angenommen: %s",
		"nobody_to_call":  "niemand zum Anrufen: weder die verantwortliche Person noch ein Mitarbeiter der Leitung ist aktiv, anwesend und erreichbar",
		"shutdown":        "durch ein Herunterfahren unterbrochen; es geht weiter",
		"outside_hours":   "außerhalb der Arbeitszeiten: geplant für den nächsten Beginn der Arbeitszeiten",
		"dial_wait":       "%s; der nächste erlaubte Anruf wird abgewartet",
		// Bitrix24's telephony.
		"placing":             "Anruf %s von %s wird an die Telefonie von Bitrix24 übergeben: Leitung %s ruft den Kunden %s an",
		"fallback":            "Ausweichen auf die Telefonie von Bitrix24 (%s): %s",
		"sip_down":            "das SIP-Konto ist nicht verfügbar: %s",
		"trunk_refused":       "das SIP-Konto hat jeden Anruf (INVITE) abgelehnt: %s",
		"placed":              "Bitrix24 hat den Anruf gestartet (%s); das Ergebnis wird abgewartet",
		"from_statistics":     "das Ende-Ereignis kam nicht: das Ergebnis stammt aus der Anrufstatistik von Bitrix24",
		"found_in_statistics": "der vor dem Neustart übergebene Anruf wurde in der Anrufstatistik von Bitrix24 gefunden (%s)",
		"placed_again":        "Bitrix24 hat den Anruf beendet: %s (%s); der Kunde wird später erneut angerufen",
		"busy":                "besetzt",
		"no_answer":           "keine Antwort",
		"unavailable":         "nicht erreichbar",
		"declined":            "abgelehnt",
		"cancelled":           "abgebrochen",
		// The end.
		"failed":      "Rückruf fehlgeschlagen: %s",
		"failed_told": "Rückruf fehlgeschlagen: %s (Benutzer %s benachrichtigt)",
		"giving_up":   "Rückruf wird aufgegeben: %s",
		"closed":      "geschlossen: %s",
		"called_in":   "der Kunde hat am %s selbst angerufen und wurde angenommen (Bitrix24-Anruf %s)",
		"called_by":   "der Kunde wurde am %s von %s angerufen und hat angenommen (Bitrix24-Anruf %s)",
		"notified":    "verantwortliche Person benachrichtigt",
		"commented":   "Kommentar in der CRM-Timeline hinzugefügt",
		"todo":        "To-do für die verantwortliche Person angelegt",
		// Reasons.
		"reason_unreachable_max":    "der Kunde war nicht erreichbar (%s {Anruf|Anrufe}, mehr erlaubt die Leitung nicht)",
		"reason_unreachable":        "der Kunde war nicht erreichbar (%s {Anruf|Anrufe}, zuletzt Status %s)",
		"reason_unreachable_placed": "der Kunde war nicht erreichbar (%s {Anruf|Anrufe} über Bitrix24, zuletzt: %s, %s)",
		"reason_stale":              "die Anfrage war zu alt für einen Rückruf (älter als %s)",
		"reason_closed":             "die Arbeitszeiten der Leitung beginnen nie",
		"reason_no_employee_rounds": "kein Mitarbeiter hat den Anruf angenommen (%s {Anrufrunde|Anrufrunden})",
		"reason_no_employee":        "kein Mitarbeiter hat den Anruf angenommen (%s)",
		"reason_guard":              "diese Nummer darf nicht angerufen werden: %s",
		"reason_call_failed":        "der Anruf ist fehlgeschlagen (%s)",
		"reason_no_trunk":           "es gibt keine Verbindung ins Telefonnetz, nichts wurde gewählt (%s)",
		"reason_uninstalled":        "die Anwendung wurde vom Portal deinstalliert",
		"reason_reinstall":          "die Anwendung muss neu installiert werden (%s)",
		"reason_error":              "callbackline konnte nicht weitermachen: zu viele Fehler (%s)",
		"reason_outcome_unknown": "das Ergebnis des Anrufs war nicht zu erfahren (kein Ende-Ereignis, nicht in der Anrufstatistik); " +
			"prüfen Sie die Anrufliste des Portals und rufen Sie den Kunden bei Bedarf zurück",
		"reason_dial_rate":       "Anruflimit: die in einer Stunde erlaubten Anrufe an diese Nummer (alle Portale) oder von diesem Portal sind ausgeschöpft",
		"reason_dial_rate_age":   "%s; der nächste ist um %s erlaubt, wenn die Anfrage schon älter als erlaubt ist (%s)",
		"reason_dial_rate_at":    "%s; der nächste um %s",
		"reason_already_called":  "Kunde bereits erreicht (automatisch geschlossen): %s",
		"reason_b24_balance":     "das Guthaben der Bitrix24-Telefonie des Portals ist aufgebraucht (402): laden Sie es in der Bitrix24-Telefonie auf und rufen Sie dann den Kunden an",
		"reason_b24_refused":     "Bitrix24 darf diese Nummer von der Leitung aus nicht anrufen (%s): prüfen Sie die Einstellungen für ausgehende Anrufe der Leitung in der Bitrix24-Telefonie",
		"reason_b24_unreachable": "Bitrix24 konnte diese Nummer nicht erreichen (%s)",
		"reason_b24_failed":      "der Anruf ist fehlgeschlagen: Bitrix24 hat ihn mit %s beendet",
		// By hand and by the store.
		"call_now": "%s: „Jetzt anrufen“ – es wird sofort gewählt, auch außerhalb der Arbeitszeiten",
		"cancel":   "%s: abgebrochen – es wird nicht gewählt",
		"retry":    "%s: „Wiederholen“ – eine neue Anrufrunde beginnt",
		"folded": "dieselbe Anfrage kam erneut, während ihr Anruf bei der Telefonie von Bitrix24 lag " +
			"(ONEXTERNALCALLBACKSTART zurückgesendet): zusammengeführt, kein erneuter Anruf",
	} {
		pageDE[notePrefix+k] = v
	}
}
