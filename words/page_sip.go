package words

// The page's words for the portal's own SIP account: the problems of the
// account's form and of its test (sip.Error's codes), its registration's
// refusals, the service without a way out, and the form's fields as a
// problem names them.
func init() {
	for code, en := range map[string]string{
		"sip_host_needed":              "give the host of the account's server (sip.example.com or sip.example.com:5060)",
		"sip_port":                     "the port is not 1–65535",
		"sip_host":                     "is not a host name or IP address with an optional port",
		"sip_internal_host":            "is an internal address; only public servers may be used",
		"sip_internal":                 "%[1]s is an internal address; only public servers may be used",
		"sip_resolves_internal":        "%[1]s resolves to %[2]s, an internal address; only public servers may be used",
		"sip_no_resolve":               "%[1]q does not resolve: check the server's name",
		"sip_username":                 "give the account's user name (letters, digits and -._+*, at most %[1]s)",
		"sip_password_needed":          "give the account's password",
		"sip_password_long":            "must be at most %[1]s characters on one line",
		"sip_caller_ids_needed":        "give at least one number of the account, E.164 (+4930123456)",
		"sip_caller_ids_many":          "are %[1]s; at most %[2]s",
		"sip_caller_id_e164":           "%[1]q is not E.164 (+ and 7–15 digits, e.g. +4930123456)",
		"sip_transport":                "is udp, tcp or tls",
		"sip_refused_auth":             "the server refused the user name or password (%[1]s)",
		"sip_refused":                  "the server refused the account (SIP status %[1]s)",
		"sip_no_answer":                "no answer from the registrar: check its address, port and transport",
		"sip_refused_auth_registering": "The SIP account is not registered: the server refused the user name or password (%[1]s).",
		"sip_refused_registering":      "The SIP account is not registered: the server refused it (SIP status %[1]s).",
		"sip_no_trunk":                 "no SIP trunk serves this portal: enter the portal's own SIP account below, or ask the service's operator to grant a trunk",
	} {
		pageProblems[code] = en
	}
	for k, v := range map[string]string{
		"give the host of the account's server (sip.example.com or sip.example.com:5060)": "укажите сервер аккаунта (sip.example.com или sip.example.com:5060)",
		"the port is not 1–65535":                                                                                                   "порт должен быть от 1 до 65535",
		"is not a host name or IP address with an optional port":                                                                    "не имя хоста и не IP-адрес (порт можно указать через двоеточие)",
		"is an internal address; only public servers may be used":                                                                   "это внутренний адрес; допускаются только публичные серверы",
		"%[1]s is an internal address; only public servers may be used":                                                             "%[1]s — внутренний адрес; допускаются только публичные серверы",
		"%[1]s resolves to %[2]s, an internal address; only public servers may be used":                                             "%[1]s указывает на %[2]s — внутренний адрес; допускаются только публичные серверы",
		"%[1]q does not resolve: check the server's name":                                                                           "имя «%[1]s» не найдено в DNS: проверьте имя сервера",
		"give the account's user name (letters, digits and -._+*, at most %[1]s)":                                                   "укажите имя пользователя аккаунта (латинские буквы, цифры и -._+*, не больше %[1]s символов)",
		"give the account's password":                                                                                               "укажите пароль аккаунта",
		"must be at most %[1]s characters on one line":                                                                              "не больше %[1]s символов в одну строку",
		"give at least one number of the account, E.164 (+4930123456)":                                                              "укажите хотя бы один номер аккаунта в формате E.164 (+74951234567)",
		"are %[1]s; at most %[2]s":                                                                                                  "указано %[1]s; не больше %[2]s",
		"%[1]q is not E.164 (+ and 7–15 digits, e.g. +4930123456)":                                                                  "«%[1]s» — не номер в формате E.164 (+ и 7–15 цифр, например +74951234567)",
		"is udp, tcp or tls":                                                                                                        "допустимы udp, tcp или tls",
		"the server refused the user name or password (%[1]s)":                                                                      "сервер не принял имя пользователя или пароль (%[1]s)",
		"the server refused the account (SIP status %[1]s)":                                                                         "сервер отклонил аккаунт (SIP-статус %[1]s)",
		"no answer from the registrar: check its address, port and transport":                                                       "регистратор не отвечает: проверьте его адрес, порт и транспорт",
		"The SIP account is not registered: the server refused the user name or password (%[1]s).":                                  "SIP-аккаунт не зарегистрирован: сервер не принял имя пользователя или пароль (%[1]s).",
		"The SIP account is not registered: the server refused it (SIP status %[1]s).":                                              "SIP-аккаунт не зарегистрирован: сервер его отклонил (SIP-статус %[1]s).",
		"no SIP trunk serves this portal: enter the portal's own SIP account below, or ask the service's operator to grant a trunk": "у портала нет SIP-транка: укажите ниже собственный SIP-аккаунт портала или попросите оператора сервиса выделить транк",
		"the account was tested and did not work: %s":                                                                               "аккаунт проверен и не работает: %s",
		"stored, but the dialer did not take it: %s":                                                                                "сохранено, но для звонков аккаунт не подключился: %s",
		"this service stores SIP passwords only encrypted, and its operator has not set encryption_key; nothing was saved":          "сервис хранит пароли SIP только в зашифрованном виде, а его оператор не задал encryption_key; ничего не сохранено",
		"the portal could not confirm that you are an administrator; try again; nothing was saved":                                  "портал не смог подтвердить, что вы администратор; попробуйте ещё раз; ничего не сохранено",
		"registrar": "регистратор", "proxy": "исходящий прокси", "username": "имя пользователя", "password": "пароль",
		"transport": "транспорт",
	} {
		pageRU[k] = v
	}
	for k, v := range map[string]string{
		"give the host of the account's server (sip.example.com or sip.example.com:5060)": "Geben Sie den Server des Kontos an (sip.example.com oder sip.example.com:5060)",
		"the port is not 1–65535":                                                                                                   "der Port muss zwischen 1 und 65535 liegen",
		"is not a host name or IP address with an optional port":                                                                    "ist weder ein Hostname noch eine IP-Adresse (ein Port darf folgen)",
		"is an internal address; only public servers may be used":                                                                   "ist eine interne Adresse; nur öffentliche Server sind erlaubt",
		"%[1]s is an internal address; only public servers may be used":                                                             "%[1]s ist eine interne Adresse; nur öffentliche Server sind erlaubt",
		"%[1]s resolves to %[2]s, an internal address; only public servers may be used":                                             "%[1]s löst sich zu %[2]s auf, einer internen Adresse; nur öffentliche Server sind erlaubt",
		"%[1]q does not resolve: check the server's name":                                                                           "„%[1]s“ lässt sich nicht auflösen: Prüfen Sie den Namen des Servers",
		"give the account's user name (letters, digits and -._+*, at most %[1]s)":                                                   "Geben Sie den Benutzernamen des Kontos an (Buchstaben, Ziffern und -._+*, höchstens %[1]s Zeichen)",
		"give the account's password":                                                                                               "Geben Sie das Passwort des Kontos an",
		"must be at most %[1]s characters on one line":                                                                              "höchstens %[1]s Zeichen in einer Zeile",
		"give at least one number of the account, E.164 (+4930123456)":                                                              "Geben Sie mindestens eine Nummer des Kontos an, E.164 (+4930123456)",
		"are %[1]s; at most %[2]s":                                                                                                  "sind %[1]s; höchstens %[2]s",
		"%[1]q is not E.164 (+ and 7–15 digits, e.g. +4930123456)":                                                                  "„%[1]s“ ist keine E.164-Nummer (+ und 7–15 Ziffern, z. B. +4930123456)",
		"is udp, tcp or tls":                                                                                                        "erlaubt sind udp, tcp oder tls",
		"the server refused the user name or password (%[1]s)":                                                                      "Der Server hat Benutzername oder Passwort abgelehnt (%[1]s)",
		"the server refused the account (SIP status %[1]s)":                                                                         "Der Server hat das Konto abgelehnt (SIP-Status %[1]s)",
		"no answer from the registrar: check its address, port and transport":                                                       "Keine Antwort vom Registrar: Prüfen Sie Adresse, Port und Transport",
		"The SIP account is not registered: the server refused the user name or password (%[1]s).":                                  "Das SIP-Konto ist nicht registriert: Der Server hat Benutzername oder Passwort abgelehnt (%[1]s).",
		"The SIP account is not registered: the server refused it (SIP status %[1]s).":                                              "Das SIP-Konto ist nicht registriert: Der Server hat es abgelehnt (SIP-Status %[1]s).",
		"no SIP trunk serves this portal: enter the portal's own SIP account below, or ask the service's operator to grant a trunk": "Kein SIP-Trunk bedient dieses Portal: Geben Sie unten das eigene SIP-Konto des Portals an, oder bitten Sie den Betreiber des Dienstes, einen Trunk zuzuweisen",
		"the account was tested and did not work: %s":                                                                               "Das Konto wurde getestet und hat nicht funktioniert: %s",
		"stored, but the dialer did not take it: %s":                                                                                "Gespeichert, aber für Anrufe nicht übernommen: %s",
		"this service stores SIP passwords only encrypted, and its operator has not set encryption_key; nothing was saved":          "Dieser Dienst speichert SIP-Passwörter nur verschlüsselt, und sein Betreiber hat encryption_key nicht gesetzt; nichts wurde gespeichert",
		"the portal could not confirm that you are an administrator; try again; nothing was saved":                                  "Das Portal konnte nicht bestätigen, dass Sie Administrator sind; versuchen Sie es erneut; nichts wurde gespeichert",
		"registrar": "Registrar", "proxy": "Ausgehender Proxy", "username": "Benutzername", "password": "Passwort",
		"transport": "Transport",
	} {
		pageDE[k] = v
	}
}

// A service without any way out for the portal's SIP calls.
func init() {
	const en = "the service has no SIP trunk and takes no portal's own SIP account: put a line on Bitrix24's telephony (under Lines), else its callbacks fail"
	pageProblems["no_dialer"] = en
	pageRU[en] = "у сервиса нет SIP-транка, и он не принимает собственные SIP-аккаунты порталов: переведите линию на звонки через телефонию Битрикс24 (в разделе «Линии»), иначе звонки по заявкам не состоятся"
	pageDE[en] = "Der Dienst hat keinen SIP-Trunk und nimmt keine eigenen SIP-Konten von Portalen an: Stellen Sie eine Leitung auf die Bitrix24-Telefonie um (unter Leitungen), sonst scheitern ihre Rückrufe"
}
