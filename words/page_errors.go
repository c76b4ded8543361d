package words

import "slices"

// pageProblems are the sentences, in English, of the codes of problems an
// administrator can make in the settings (config.Code): their values are
// the format's arguments, in order. The page says them in its language
// through the catalogue (PageProblem); in English it shows the problem's
// own sentence, which says more.
var pageProblems = map[string]string{
	"number_empty":          "every line needs a number",
	"too_long":              "is %[1]s characters long; at most %[2]s",
	"spaces":                "%[1]q has spaces at its start or end",
	"number_twice":          "%[1]q is the number of line %[2]s too; line numbers must be unique",
	"at_least":              "is %[1]s; must be at least %[2]s",
	"more_than_zero":        "is %[1]s; must be more than 0 (e.g. 30s, 10m, 24h)",
	"range":                 "is %[1]s; must be %[2]s to %[3]s",
	"limit_most":            "is %[1]s; at most %[2]s (the service's limit)",
	"limit_least":           "is %[1]s; at least %[2]s (the service's limit)",
	"not_duration":          "%[1]q is not a duration (e.g. 30s, 10m, 2h)",
	"not_whole_number":      "%[1]q is not a whole number",
	"not_bool":              "%[1]q is not yes or no (true, false)",
	"not_number":            "%[1]q is not a number",
	"not_size":              "%[1]q is not a size (e.g. 64KiB)",
	"unknown_time_zone":     "%[1]q is not a known time zone (e.g. Europe/Berlin, UTC)",
	"not_span":              "%[1]q is not a time span HH:MM-HH:MM ending after it starts (e.g. 09:00-18:00)",
	"not_date":              "%[1]q is not a date YYYY-MM-DD (e.g. 2026-12-25)",
	"never_open":            "open on no day: give at least one day opening times, or fill in no day to be open always",
	"unknown_voice":         "%[1]q is not a known voice",
	"ring_mode":             "%[1]q is not a ring mode (sequential or all)",
	"unknown_language":      "%[1]q is not a language callbackline speaks; one of %[2]s, or none for the portal's",
	"not_user_id":           "%[1]s is not a Bitrix24 user id (more than 0)",
	"employee_twice":        "user %[1]s is listed twice",
	"too_many_employees":    "are %[1]s; at most %[2]s per line (the service's limit)",
	"not_extension":         "%[1]q is not an extension the telephony allows (rule %[2]s)",
	"target_needs_user":     "a fixed target needs the Bitrix24 user its calls are registered for",
	"user_without_target":   "is set without a fixed target; set the target or clear this field",
	"target_and_employees":  "a line rings either a fixed target or employees, not both",
	"caller_id_chars":       "%[1]q may hold only +, digits, letters and -._*",
	"caller_name":           "at most 64 characters, without quotes, backslashes, <> or line breaks",
	"caller_id_not_given":   "is not a number the service's operator gave this portal; leave it empty for the line's usual number, or ask the operator to give it",
	"sip_line_not_given":    "%[1]q is a SIP line of the service that this portal may not use; choose another number",
	"retry_past_max_age":    "is %[1]s, longer than the line's request age %[2]s: the request would be too old to call by then",
	"lines_empty":           "there are no lines; add at least one",
	"too_many_lines":        "there are %[1]s lines; at most %[2]s (the service's limit)",
	"unknown_dialer":        "%[1]q is not a dialer (sip or bitrix24)",
	"unknown_fallback":      "%[1]q is not a fallback (bitrix24, or none)",
	"fallback_on_bitrix24":  "the line dials through Bitrix24 already; it needs no fallback",
	"from_line_empty":       "choose the portal's Bitrix24 line the calls are placed from",
	"from_line_on_sip":      "is set, but the line calls over SIP; choose Bitrix24's telephony, or clear it",
	"not_line_id":           "%[1]q is not a Bitrix24 line id (e.g. reg151083)",
	"from_line_own":         "%[1]q is one of callbackline's own lines; choose one of the portal's own Bitrix24 lines (a rented number, a SIP connector)",
	"not_voice_id":          "%[1]q is not a Bitrix24 voice id (e.g. eurgermanfemale)",
	"notice_without_record": "the client would hear that the call is recorded while it is not: turn on recording, or turn off the notice",
	"notice_on_bitrix24":    "Bitrix24's telephony speaks to the client on this line, not callbackline: turn off the notice",
	"unknown_key":           "is not a known key; did you mean %[1]s?",
	"unknown_key_here":      "is not a known key; known here: %[1]s",
	"not_yaml":              "is not valid YAML: %[1]s",
	"not_a_list":            "must be a list of lines (- number: sales)",
	"key_twice":             "is given twice (first at line %[1]s)",
	"not_mapping":           "must be a mapping of keys (key: value)",
	"not_mappings":          "must be a list of mappings (- name: …)",
	"not_value":             "must be a single value, not a list or mapping",
	"many_documents":        "hold more than one YAML document; keep one list",
	"not_country":           "not country codes (ISO 3166, e.g. DE, AT, US): %[1]s",
	"country_not_allowed":   "%[1]s: outside the countries this service allows (%[2]s)",
	"no_country":            "no country given; allow at least one (e.g. DE)",
	"blocked_star":          "entry %[1]s, %[2]q: \"*\" may only end a prefix",
	"blocked_chars":         "entry %[1]s, %[2]q: write a number as +49 30 1234567 or a prefix as +49 900*",
	"blocked_plus":          "entry %[1]s, %[2]q: start with + and the country code, e.g. +49 30 1234567",
	"blocked_digits":        "entry %[1]s, %[2]q: a number has 4 to 15 digits after the +, a prefix 1 to 15",
	"blocked_too_many":      "%[1]s entries; at most %[2]s",
}

// PageProblemCodes are the codes of problems PageProblem says.
func PageProblemCodes() []string {
	out := make([]string, 0, len(pageProblems))
	for c := range pageProblems {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// PageProblem says a problem with a setting on the page in lang: its
// code's sentence with its values; false when the code is unknown or
// lang has no words for it (the caller shows the problem's English).
func PageProblem(lang, code string, args []string) (string, bool) {
	en, ok := pageProblems[code]
	if !ok || !HasPage(lang, en) {
		return "", false
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a
	}
	return Page(lang, en, vals...), true
}

// The words of the problems' sentences; a quoted value is in the
// language's quotes.
func init() {
	for k, v := range map[string]string{
		"every line needs a number":                                                                "у каждой линии должен быть номер",
		"is %[1]s characters long; at most %[2]s":                                                  "длина %[1]s симв.; допускается не больше %[2]s симв.",
		"%[1]q has spaces at its start or end":                                                     "в «%[1]s» есть пробелы в начале или в конце",
		"%[1]q is the number of line %[2]s too; line numbers must be unique":                       "«%[1]s» — уже номер линии %[2]s; номера линий не должны повторяться",
		"is %[1]s; must be at least %[2]s":                                                         "указано %[1]s; должно быть не меньше %[2]s",
		"is %[1]s; must be more than 0 (e.g. 30s, 10m, 24h)":                                       "указано %[1]s; должно быть больше 0 (например, 30s, 10m, 24h)",
		"is %[1]s; must be %[2]s to %[3]s":                                                         "указано %[1]s; допустимо от %[2]s до %[3]s",
		"is %[1]s; at most %[2]s (the service's limit)":                                            "указано %[1]s; не больше %[2]s (ограничение сервиса)",
		"is %[1]s; at least %[2]s (the service's limit)":                                           "указано %[1]s; не меньше %[2]s (ограничение сервиса)",
		"%[1]q is not a duration (e.g. 30s, 10m, 2h)":                                              "«%[1]s» — не длительность (например, 30s, 10m, 2h)",
		"%[1]q is not a whole number":                                                              "«%[1]s» — не целое число",
		"%[1]q is not yes or no (true, false)":                                                     "«%[1]s» — не «да» или «нет» (true, false)",
		"%[1]q is not a number":                                                                    "«%[1]s» — не число",
		"%[1]q is not a size (e.g. 64KiB)":                                                         "«%[1]s» — не размер (например, 64KiB)",
		"%[1]q is not a known time zone (e.g. Europe/Berlin, UTC)":                                 "«%[1]s» — неизвестный часовой пояс (например, Europe/Moscow, UTC)",
		"%[1]q is not a time span HH:MM-HH:MM ending after it starts (e.g. 09:00-18:00)":           "«%[1]s» — не промежуток ЧЧ:ММ-ЧЧ:ММ, который заканчивается позже, чем начинается (например, 09:00-18:00)",
		"%[1]q is not a date YYYY-MM-DD (e.g. 2026-12-25)":                                         "«%[1]s» — не дата ГГГГ-ММ-ДД (например, 2026-12-25)",
		"open on no day: give at least one day opening times, or fill in no day to be open always": "ни одного рабочего дня: укажите время работы хотя бы для одного дня или не заполняйте ни одного, чтобы звонить всегда",
		"%[1]q is not a known voice":                                                               "«%[1]s» — неизвестный голос",
		"%[1]q is not a ring mode (sequential or all)":                                             "«%[1]s» — не порядок вызова (sequential — по очереди, all — все сразу)",
		"%[1]q is not a language callbackline speaks; one of %[2]s, or none for the portal's":      "callbackline не говорит на языке «%[1]s»; выберите один из %[2]s или язык портала",
		"%[1]s is not a Bitrix24 user id (more than 0)":                                            "%[1]s — не ID пользователя Битрикс24 (больше 0)",
		"user %[1]s is listed twice":                                                               "пользователь %[1]s указан дважды",
		"are %[1]s; at most %[2]s per line (the service's limit)":                                  "указано %[1]s; не больше %[2]s на линию (ограничение сервиса)",
		"%[1]q is not an extension the telephony allows (rule %[2]s)":                              "«%[1]s» — не внутренний номер, который допускает телефония (правило %[2]s)",
		"a fixed target needs the Bitrix24 user its calls are registered for":                      "для постоянного номера нужен пользователь Битрикс24, на которого записываются его звонки",
		"is set without a fixed target; set the target or clear this field":                        "указано без постоянного номера; укажите постоянный номер или очистите это поле",
		"a line rings either a fixed target or employees, not both":                                "линия вызывает либо постоянный номер, либо сотрудников, но не то и другое сразу",
		"%[1]q may hold only +, digits, letters and -._*":                                          "«%[1]s»: допустимы только +, цифры, латинские буквы и -._*",
		"at most 64 characters, without quotes, backslashes, <> or line breaks":                    "не больше 64 символов, без кавычек, обратной косой черты, <> и переносов строк",
		"is not a number the service's operator gave this portal; leave it empty for the line's usual number, or ask the operator to give it": "этот номер оператор сервиса порталу не выделял; оставьте поле пустым, чтобы показывать обычный номер линии, или попросите оператора выделить его",
		"%[1]q is a SIP line of the service that this portal may not use; choose another number":                                              "«%[1]s» — SIP-линия сервиса, которой этот портал пользоваться не может; выберите другой номер",
		"is %[1]s, longer than the line's request age %[2]s: the request would be too old to call by then":                                    "указано %[1]s — дольше, чем срок заявок линии (%[2]s): к тому времени звонить по заявке будет поздно",
		"there are no lines; add at least one":                                                                                       "линий нет; добавьте хотя бы одну",
		"there are %[1]s lines; at most %[2]s (the service's limit)":                                                                 "линий — %[1]s; не больше %[2]s (ограничение сервиса)",
		"%[1]q is not a dialer (sip or bitrix24)":                                                                                    "«%[1]s» — не способ звонить (sip или bitrix24)",
		"%[1]q is not a fallback (bitrix24, or none)":                                                                                "«%[1]s» — не запасной вариант (bitrix24 или ничего)",
		"the line dials through Bitrix24 already; it needs no fallback":                                                              "линия и так звонит через Битрикс24; запасной вариант не нужен",
		"choose the portal's Bitrix24 line the calls are placed from":                                                                "выберите линию Битрикс24 портала, с которой идут звонки",
		"is set, but the line calls over SIP; choose Bitrix24's telephony, or clear it":                                              "указано, но линия звонит через SIP; выберите телефонию Битрикс24 или очистите поле",
		"%[1]q is not a Bitrix24 line id (e.g. reg151083)":                                                                           "«%[1]s» — не ID линии Битрикс24 (например, reg151083)",
		"%[1]q is one of callbackline's own lines; choose one of the portal's own Bitrix24 lines (a rented number, a SIP connector)": "«%[1]s» — линия самого callbackline; выберите собственную линию портала в Битрикс24 (арендованный номер, SIP-коннектор)",
		"%[1]q is not a Bitrix24 voice id (e.g. eurgermanfemale)":                                                                    "«%[1]s» — не ID голоса Битрикс24 (например, ruinternalfemale)",
		"the client would hear that the call is recorded while it is not: turn on recording, or turn off the notice":                 "клиент услышит, что звонок записывается, хотя записи нет: включите запись или отключите сообщение о ней",
		"Bitrix24's telephony speaks to the client on this line, not callbackline: turn off the notice":                              "на этой линии с клиентом говорит телефония Битрикс24, а не callbackline: отключите сообщение о записи",
		"is not a known key; did you mean %[1]s?":                                                                                    "неизвестный ключ; возможно, имелся в виду %[1]s?",
		"is not a known key; known here: %[1]s":                                                                                      "неизвестный ключ; здесь допустимы: %[1]s",
		"is not valid YAML: %[1]s":                                                                                                   "это не корректный YAML: %[1]s",
		"must be a list of lines (- number: sales)":                                                                                  "должен быть список линий (- number: sales)",
		"is given twice (first at line %[1]s)":                                                                                       "указан дважды (впервые в строке %[1]s)",
		"line %s of the text":                                                                                                        "строка %s текста",
		"must be a mapping of keys (key: value)":                                                                                     "должно быть набором ключей (ключ: значение)",
		"must be a list of mappings (- name: …)":                                                                                     "должно быть списком наборов ключей (- name: …)",
		"must be a single value, not a list or mapping":                                                                              "должно быть одним значением, а не списком или набором ключей",
		"hold more than one YAML document; keep one list":                                                                            "в тексте больше одного документа YAML; оставьте один список",
		"the lines are %d characters long; at most %d":                                                                               "длина линий — %d символов; допускается не больше %d",
		"the list is too long; at most %d characters":                                                                                "список слишком длинный; допускается не больше %d символов",
		"not country codes (ISO 3166, e.g. DE, AT, US): %[1]s":                                                                       "это не коды стран (ISO 3166, например RU, DE, US): %[1]s",
		"%[1]s: outside the countries this service allows (%[2]s)":                                                                   "%[1]s: этих стран нет среди разрешённых сервисом (%[2]s)",
		"no country given; allow at least one (e.g. DE)":                                                                             "не указано ни одной страны; разрешите хотя бы одну (например, RU)",
		"entry %[1]s, %[2]q: \"*\" may only end a prefix":                                                                            "запись %[1]s, «%[2]s»: «*» может стоять только в конце префикса",
		"entry %[1]s, %[2]q: write a number as +49 30 1234567 or a prefix as +49 900*":                                               "запись %[1]s, «%[2]s»: пишите номер как +7 495 1234567, а префикс как +7 809*",
		"entry %[1]s, %[2]q: start with + and the country code, e.g. +49 30 1234567":                                                 "запись %[1]s, «%[2]s»: начните с + и кода страны, например +7 495 1234567",
		"entry %[1]s, %[2]q: a number has 4 to 15 digits after the +, a prefix 1 to 15":                                              "запись %[1]s, «%[2]s»: в номере после + от 4 до 15 цифр, в префиксе от 1 до 15",
		"%[1]s entries; at most %[2]s":                                                                                               "записей: %[1]s; допускается не больше %[2]s",
	} {
		pageRU[k] = v
	}
	for k, v := range map[string]string{
		"every line needs a number":                                                                "jede Leitung braucht eine Nummer",
		"is %[1]s characters long; at most %[2]s":                                                  "ist %[1]s Zeichen lang; höchstens %[2]s",
		"%[1]q has spaces at its start or end":                                                     "„%[1]s“ hat Leerzeichen am Anfang oder Ende",
		"%[1]q is the number of line %[2]s too; line numbers must be unique":                       "„%[1]s“ ist schon die Nummer von Leitung %[2]s; Leitungsnummern müssen eindeutig sein",
		"is %[1]s; must be at least %[2]s":                                                         "ist %[1]s; muss mindestens %[2]s sein",
		"is %[1]s; must be more than 0 (e.g. 30s, 10m, 24h)":                                       "ist %[1]s; muss größer als 0 sein (z. B. 30s, 10m, 24h)",
		"is %[1]s; must be %[2]s to %[3]s":                                                         "ist %[1]s; erlaubt sind %[2]s bis %[3]s",
		"is %[1]s; at most %[2]s (the service's limit)":                                            "ist %[1]s; höchstens %[2]s (Grenze des Dienstes)",
		"is %[1]s; at least %[2]s (the service's limit)":                                           "ist %[1]s; mindestens %[2]s (Grenze des Dienstes)",
		"%[1]q is not a duration (e.g. 30s, 10m, 2h)":                                              "„%[1]s“ ist keine Dauer (z. B. 30s, 10m, 2h)",
		"%[1]q is not a whole number":                                                              "„%[1]s“ ist keine ganze Zahl",
		"%[1]q is not yes or no (true, false)":                                                     "„%[1]s“ ist weder ja noch nein (true, false)",
		"%[1]q is not a number":                                                                    "„%[1]s“ ist keine Zahl",
		"%[1]q is not a size (e.g. 64KiB)":                                                         "„%[1]s“ ist keine Größe (z. B. 64KiB)",
		"%[1]q is not a known time zone (e.g. Europe/Berlin, UTC)":                                 "„%[1]s“ ist keine bekannte Zeitzone (z. B. Europe/Berlin, UTC)",
		"%[1]q is not a time span HH:MM-HH:MM ending after it starts (e.g. 09:00-18:00)":           "„%[1]s“ ist kein Zeitraum HH:MM-HH:MM, der nach seinem Beginn endet (z. B. 09:00-18:00)",
		"%[1]q is not a date YYYY-MM-DD (e.g. 2026-12-25)":                                         "„%[1]s“ ist kein Datum JJJJ-MM-TT (z. B. 2026-12-25)",
		"open on no day: give at least one day opening times, or fill in no day to be open always": "an keinem Tag geöffnet: geben Sie mindestens einem Tag Öffnungszeiten, oder füllen Sie keinen Tag aus, um immer geöffnet zu sein",
		"%[1]q is not a known voice":                                                               "„%[1]s“ ist keine bekannte Stimme",
		"%[1]q is not a ring mode (sequential or all)":                                             "„%[1]s“ ist keine Rufverteilung (sequential – nacheinander, all – alle zugleich)",
		"%[1]q is not a language callbackline speaks; one of %[2]s, or none for the portal's":      "callbackline spricht die Sprache „%[1]s“ nicht; eine von %[2]s, oder keine für die des Portals",
		"%[1]s is not a Bitrix24 user id (more than 0)":                                            "%[1]s ist keine Bitrix24-Benutzer-ID (größer als 0)",
		"user %[1]s is listed twice":                                                               "Benutzer %[1]s steht zweimal in der Liste",
		"are %[1]s; at most %[2]s per line (the service's limit)":                                  "sind %[1]s; höchstens %[2]s pro Leitung (Grenze des Dienstes)",
		"%[1]q is not an extension the telephony allows (rule %[2]s)":                              "„%[1]s“ ist keine Durchwahl, die die Telefonanlage zulässt (Regel %[2]s)",
		"a fixed target needs the Bitrix24 user its calls are registered for":                      "ein festes Ziel braucht den Bitrix24-Benutzer, für den seine Anrufe erfasst werden",
		"is set without a fixed target; set the target or clear this field":                        "ist ohne festes Ziel gesetzt; geben Sie das Ziel an oder leeren Sie dieses Feld",
		"a line rings either a fixed target or employees, not both":                                "eine Leitung ruft entweder ein festes Ziel oder Mitarbeiter an, nicht beides",
		"%[1]q may hold only +, digits, letters and -._*":                                          "„%[1]s“ darf nur +, Ziffern, Buchstaben und -._* enthalten",
		"at most 64 characters, without quotes, backslashes, <> or line breaks":                    "höchstens 64 Zeichen, ohne Anführungszeichen, Backslashes, <> oder Zeilenumbrüche",
		"is not a number the service's operator gave this portal; leave it empty for the line's usual number, or ask the operator to give it": "diese Nummer hat der Betreiber des Dienstes dem Portal nicht zugewiesen; lassen Sie das Feld leer für die übliche Nummer der Leitung, oder bitten Sie den Betreiber, sie zuzuweisen",
		"%[1]q is a SIP line of the service that this portal may not use; choose another number":                                              "„%[1]s“ ist eine SIP-Leitung des Dienstes, die dieses Portal nicht nutzen darf; wählen Sie eine andere Nummer",
		"is %[1]s, longer than the line's request age %[2]s: the request would be too old to call by then":                                    "ist %[1]s, länger als das Höchstalter der Anfragen der Leitung (%[2]s): die Anfrage wäre dann zu alt für einen Anruf",
		"there are no lines; add at least one":                                                                                       "es gibt keine Leitungen; fügen Sie mindestens eine hinzu",
		"there are %[1]s lines; at most %[2]s (the service's limit)":                                                                 "es sind %[1]s Leitungen; höchstens %[2]s (Grenze des Dienstes)",
		"%[1]q is not a dialer (sip or bitrix24)":                                                                                    "„%[1]s“ ist keine Art zu wählen (sip oder bitrix24)",
		"%[1]q is not a fallback (bitrix24, or none)":                                                                                "„%[1]s“ ist kein Ausweichweg (bitrix24 oder keiner)",
		"the line dials through Bitrix24 already; it needs no fallback":                                                              "die Leitung wählt schon über Bitrix24; sie braucht keinen Ausweichweg",
		"choose the portal's Bitrix24 line the calls are placed from":                                                                "wählen Sie die Bitrix24-Leitung des Portals, von der die Anrufe ausgehen",
		"is set, but the line calls over SIP; choose Bitrix24's telephony, or clear it":                                              "ist gesetzt, aber die Leitung ruft über SIP an; wählen Sie die Bitrix24-Telefonie oder leeren Sie das Feld",
		"%[1]q is not a Bitrix24 line id (e.g. reg151083)":                                                                           "„%[1]s“ ist keine Bitrix24-Leitungs-ID (z. B. reg151083)",
		"%[1]q is one of callbackline's own lines; choose one of the portal's own Bitrix24 lines (a rented number, a SIP connector)": "„%[1]s“ ist eine Leitung von callbackline selbst; wählen Sie eine eigene Bitrix24-Leitung des Portals (gemietete Nummer, SIP-Connector)",
		"%[1]q is not a Bitrix24 voice id (e.g. eurgermanfemale)":                                                                    "„%[1]s“ ist keine Bitrix24-Stimmen-ID (z. B. eurgermanfemale)",
		"the client would hear that the call is recorded while it is not: turn on recording, or turn off the notice":                 "der Kunde würde hören, dass der Anruf aufgezeichnet wird, obwohl er es nicht wird: schalten Sie die Aufzeichnung ein oder den Hinweis aus",
		"Bitrix24's telephony speaks to the client on this line, not callbackline: turn off the notice":                              "auf dieser Leitung spricht die Bitrix24-Telefonie mit dem Kunden, nicht callbackline: schalten Sie den Hinweis aus",
		"is not a known key; did you mean %[1]s?":                                                                                    "ist kein bekannter Schlüssel; meinten Sie %[1]s?",
		"is not a known key; known here: %[1]s":                                                                                      "ist kein bekannter Schlüssel; hier bekannt: %[1]s",
		"is not valid YAML: %[1]s":                                                                                                   "ist kein gültiges YAML: %[1]s",
		"must be a list of lines (- number: sales)":                                                                                  "muss eine Liste von Leitungen sein (- number: sales)",
		"is given twice (first at line %[1]s)":                                                                                       "ist zweimal angegeben (zuerst in Zeile %[1]s)",
		"line %s of the text":                                                                                                        "Zeile %s des Textes",
		"must be a mapping of keys (key: value)":                                                                                     "muss eine Zuordnung von Schlüsseln sein (Schlüssel: Wert)",
		"must be a list of mappings (- name: …)":                                                                                     "muss eine Liste von Zuordnungen sein (- name: …)",
		"must be a single value, not a list or mapping":                                                                              "muss ein einzelner Wert sein, keine Liste oder Zuordnung",
		"hold more than one YAML document; keep one list":                                                                            "enthält mehr als ein YAML-Dokument; behalten Sie eine Liste",
		"the lines are %d characters long; at most %d":                                                                               "die Leitungen sind %d Zeichen lang; höchstens %d",
		"the list is too long; at most %d characters":                                                                                "die Liste ist zu lang; höchstens %d Zeichen",
		"not country codes (ISO 3166, e.g. DE, AT, US): %[1]s":                                                                       "keine Ländercodes (ISO 3166, z. B. DE, AT, US): %[1]s",
		"%[1]s: outside the countries this service allows (%[2]s)":                                                                   "%[1]s: nicht unter den Ländern, die dieser Dienst erlaubt (%[2]s)",
		"no country given; allow at least one (e.g. DE)":                                                                             "kein Land angegeben; erlauben Sie mindestens eines (z. B. DE)",
		"entry %[1]s, %[2]q: \"*\" may only end a prefix":                                                                            "Eintrag %[1]s, „%[2]s“: „*“ darf nur am Ende eines Präfixes stehen",
		"entry %[1]s, %[2]q: write a number as +49 30 1234567 or a prefix as +49 900*":                                               "Eintrag %[1]s, „%[2]s“: schreiben Sie eine Nummer als +49 30 1234567 oder ein Präfix als +49 900*",
		"entry %[1]s, %[2]q: start with + and the country code, e.g. +49 30 1234567":                                                 "Eintrag %[1]s, „%[2]s“: beginnen Sie mit + und der Landesvorwahl, z. B. +49 30 1234567",
		"entry %[1]s, %[2]q: a number has 4 to 15 digits after the +, a prefix 1 to 15":                                              "Eintrag %[1]s, „%[2]s“: eine Nummer hat nach dem + 4 bis 15 Ziffern, ein Präfix 1 bis 15",
		"%[1]s entries; at most %[2]s":                                                                                               "%[1]s Einträge; höchstens %[2]s",
	} {
		pageDE[k] = v
	}
}
