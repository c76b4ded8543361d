package words

// The page's words for a portal that did not grant what the Bitrix24
// dialer needs (bitrix24.NoCallScope, NoTelephonyScope, LinesDenied).
func init() {
	const (
		noCall = "the portal has not granted the application the scope \"call\": a line on the Bitrix24 dialer (or its fallback) cannot place calls, " +
			"Bitrix24 answers insufficient_scope and the callback fails; add \"call\" (and \"telephony\") to the application's permissions in Bitrix24 and install it again"
		noTelephony = "the portal has not granted the application the scope \"telephony\": add it (and \"call\") to the application's permissions in Bitrix24 and install it again"
		denied      = "Bitrix24 did not list the portal's lines (ACCESS_DENIED): the user who installed the application lacks the telephony permission \"Management of numbers — modification\""
	)
	pageRU[noCall] = "Портал не дал приложению право доступа «Совершение звонков» (call): линия, которая звонит через Битрикс24 (или переходит на него, когда SIP недоступен), " +
		"не может совершать звонки — Битрикс24 отвечает insufficient_scope, и заявка не выполняется. Добавьте «Совершение звонков» (и «Телефония», telephony) в права доступа приложения в Битрикс24 и установите приложение заново."
	pageRU[noTelephony] = "Портал не дал приложению право доступа «Телефония» (telephony): добавьте его (и «Совершение звонков», call) в права доступа приложения в Битрикс24 и установите приложение заново."
	pageRU[denied] = "Битрикс24 не выдал список линий портала (ACCESS_DENIED): у пользователя, установившего приложение, нет права телефонии «Управление номерами — изменение»."
	pageDE[noCall] = "Das Portal hat der Anwendung das Zugriffsrecht „call“ nicht gewährt: Eine Leitung, die über Bitrix24 wählt (oder darauf ausweicht, wenn SIP nicht erreichbar ist), " +
		"kann keine Anrufe tätigen, Bitrix24 antwortet insufficient_scope und der Rückruf scheitert. Fügen Sie „call“ (und „telephony“) den Zugriffsrechten der Anwendung in Bitrix24 hinzu und installieren Sie sie erneut."
	pageDE[noTelephony] = "Das Portal hat der Anwendung das Zugriffsrecht „telephony“ nicht gewährt: Fügen Sie es (und „call“) den Zugriffsrechten der Anwendung in Bitrix24 hinzu und installieren Sie sie erneut."
	pageDE[denied] = "Bitrix24 hat die Leitungen des Portals nicht aufgelistet (ACCESS_DENIED): Dem Benutzer, der die Anwendung installiert hat, fehlt das Telefonie-Recht „Nummernverwaltung — Ändern“."
}
