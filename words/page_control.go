package words

// The page's words for an action by hand that does not apply to a
// callback (callbackline.Input* codes of Control).
func init() {
	for code, en := range map[string]string{
		"control_not_found":        "callback %[1]s not found",
		"control_click_to_call":    "callback %[1]s is a click-to-call, not a callback request",
		"control_already_now":      "callback %[1]s was already asked to be called now by %[2]s",
		"control_not_pending_now":  "callback %[1]s is not pending: only a pending callback can be called now",
		"control_not_pending_stop": "callback %[1]s is not pending: only a pending callback, not yet being dialled, can be cancelled",
		"control_not_failed":       "callback %[1]s has not failed: only a failed callback can be retried",
		"retry_uninstalled":        "not retried: the application is uninstalled from the portal",
		"retry_not_callable":       "not retried: the number may not be called now; the callback stays failed",
		"retry_too_old":            "not retried: the request is older than the line's request age (%[1]s), after which it is never called; ask the client to send a new request",
	} {
		pageProblems[code] = en
	}
	for k, v := range map[string]string{
		"callback %[1]s not found":                                                                                                                    "заявка %[1]s не найдена",
		"callback %[1]s is a click-to-call, not a callback request":                                                                                   "%[1]s — звонок по клику, а не заявка на обратный звонок",
		"callback %[1]s was already asked to be called now by %[2]s":                                                                                  "по заявке %[1]s уже попросили позвонить сейчас: %[2]s",
		"callback %[1]s is not pending: only a pending callback can be called now":                                                                    "заявка %[1]s не ожидает звонка: позвонить сейчас можно только по ожидающей заявке",
		"callback %[1]s is not pending: only a pending callback, not yet being dialled, can be cancelled":                                             "заявка %[1]s не ожидает звонка: отменить можно только ожидающую заявку, по которой ещё не звонят",
		"callback %[1]s has not failed: only a failed callback can be retried":                                                                        "заявка %[1]s не завершилась ошибкой: повторить можно только заявку с ошибкой",
		"not retried: the application is uninstalled from the portal":                                                                                 "не повторено: приложение удалено с портала",
		"not retried: the number may not be called now; the callback stays failed":                                                                    "не повторено: на этот номер сейчас звонить нельзя; заявка остаётся с ошибкой",
		"not retried: the request is older than the line's request age (%[1]s), after which it is never called; ask the client to send a new request": "не повторено: заявка старше срока заявок линии (%[1]s), после которого по ней не звонят; попросите клиента оставить новую заявку",
	} {
		pageRU[k] = v
	}
	for k, v := range map[string]string{
		"callback %[1]s not found":                                                                                                                    "Rückruf %[1]s nicht gefunden",
		"callback %[1]s is a click-to-call, not a callback request":                                                                                   "%[1]s ist ein Click-to-Call, keine Rückrufanfrage",
		"callback %[1]s was already asked to be called now by %[2]s":                                                                                  "für Rückruf %[1]s wurde der sofortige Anruf schon angefordert: %[2]s",
		"callback %[1]s is not pending: only a pending callback can be called now":                                                                    "Rückruf %[1]s wartet nicht: Nur ein wartender Rückruf kann sofort angerufen werden",
		"callback %[1]s is not pending: only a pending callback, not yet being dialled, can be cancelled":                                             "Rückruf %[1]s wartet nicht: Nur ein wartender Rückruf, der noch nicht gewählt wird, kann abgebrochen werden",
		"callback %[1]s has not failed: only a failed callback can be retried":                                                                        "Rückruf %[1]s ist nicht fehlgeschlagen: Nur ein fehlgeschlagener Rückruf kann wiederholt werden",
		"not retried: the application is uninstalled from the portal":                                                                                 "nicht wiederholt: Die Anwendung ist vom Portal deinstalliert",
		"not retried: the number may not be called now; the callback stays failed":                                                                    "nicht wiederholt: Die Nummer darf jetzt nicht angerufen werden; der Rückruf bleibt fehlgeschlagen",
		"not retried: the request is older than the line's request age (%[1]s), after which it is never called; ask the client to send a new request": "nicht wiederholt: Die Anfrage ist älter als das Höchstalter der Anfragen der Leitung (%[1]s), danach wird nie angerufen; bitten Sie den Kunden um eine neue Anfrage",
	} {
		pageDE[k] = v
	}
}

// The Bitrix24 dialer's check of a line's from_line against the portal.
func init() {
	const en = "Bitrix24 has no line %[1]q; the portal's own lines are: %[2]s"
	pageProblems["no_such_line"] = en
	pageRU[en] = "в Битрикс24 нет линии «%[1]s»; собственные линии портала: %[2]s"
	pageDE[en] = "Bitrix24 hat keine Leitung „%[1]s“; die eigenen Leitungen des Portals sind: %[2]s"
}
