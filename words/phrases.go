package words

// phrases are one language's words. Format verbs: failed %s (number) %s
// (reason); request %s; callAt %d (number) %s (time) %s (extension);
// callVia %d (number) %s (time); status %s; todo %s (masked number).
type phrases struct {
	noText, pressOne, recorded     string
	failed, request, calls, callAt string
	callVia                        string
	dialled, status, tried, please string
	todo                           string
	reasons                        map[string]string
}

// The reason codes callback gives a failed callback (callback.run.fail).
const (
	reasonNoEmployee  = "no_employee"
	reasonUnreachable = "client_unreachable"
	reasonStale       = "stale"
	reasonClosed      = "closed"
	reasonGuard       = "guard"
	reasonCallFailed  = "call_failed"
	reasonUninstalled = "portal_uninstalled"
	reasonReinstall   = "reinstall"
	reasonNoTrunk     = "no_trunk"
	reasonError       = "error"
)

var phrasebook = map[string]*phrases{
	"en": {
		noText:   "Callback request from the website. Connecting you with the client.",
		pressOne: "Press 1 to connect, or 2 to decline.",
		recorded: "This call is recorded.",
		failed:   "Callback request from %s could not be completed: %s.",
		request:  "The request: «%s».",
		calls:    "Calls made:",
		callAt:   "call %d at %s to extension %s",
		callVia:  "call %d at %s through Bitrix24's telephony",
		dialled:  "client dialled",
		status:   "status %s",
		tried:    "Tried:",
		please:   "Please call the client back.",
		todo:     "Call back %s",
		reasons: map[string]string{
			reasonNoEmployee: "no employee took the call", reasonUnreachable: "the client could not be reached",
			reasonStale: "the request was too old to call", reasonClosed: "the line's working hours never open",
			reasonGuard: "the number may not be called", reasonCallFailed: "the call failed",
			reasonUninstalled: "the application was uninstalled", reasonReinstall: "the application must be installed again",
			reasonNoTrunk: "there is no way out to the telephone network", reasonError: "callbackline could not go on",
		},
	},
	"ru": {
		noText:   "Заявка на обратный звонок с сайта. Соединяю вас с клиентом.",
		pressOne: "Нажмите 1, чтобы соединиться с клиентом, или 2, чтобы отказаться.",
		recorded: "Этот разговор записывается.",
		failed:   "Заявку на обратный звонок с номера %s выполнить не удалось: %s.",
		request:  "Текст заявки: «%s».",
		calls:    "Звонки:",
		callAt:   "звонок %d в %s на внутренний номер %s",
		callVia:  "звонок %d в %s через телефонию Битрикс24",
		dialled:  "клиенту звонили",
		status:   "статус %s",
		tried:    "Подробности:",
		please:   "Пожалуйста, перезвоните клиенту.",
		todo:     "Перезвонить %s",
		reasons: map[string]string{
			reasonNoEmployee: "ни один сотрудник не принял звонок", reasonUnreachable: "не удалось дозвониться до клиента",
			reasonStale: "заявка устарела, звонок не совершался", reasonClosed: "рабочее время линии никогда не наступает",
			reasonGuard: "на этот номер звонить нельзя", reasonCallFailed: "звонок не состоялся",
			reasonUninstalled: "приложение удалено", reasonReinstall: "приложение нужно установить заново",
			reasonNoTrunk: "нет выхода в телефонную сеть", reasonError: "callbackline не смог продолжить работу",
		},
	},
	"uk": {
		noText:   "Заявка на зворотний дзвінок із сайту. З'єдную вас із клієнтом.",
		pressOne: "Натисніть 1, щоб з'єднатися з клієнтом, або 2, щоб відмовитися.",
		recorded: "Ця розмова записується.",
		failed:   "Заявку на зворотний дзвінок з номера %s виконати не вдалося: %s.",
		request:  "Текст заявки: «%s».",
		calls:    "Дзвінки:",
		callAt:   "дзвінок %d о %s на внутрішній номер %s",
		callVia:  "дзвінок %d о %s через телефонію Bitrix24",
		dialled:  "клієнту телефонували",
		status:   "статус %s",
		tried:    "Подробиці:",
		please:   "Будь ласка, передзвоніть клієнту.",
		todo:     "Передзвонити %s",
		reasons: map[string]string{
			reasonNoEmployee: "жоден співробітник не прийняв дзвінок", reasonUnreachable: "не вдалося додзвонитися до клієнта",
			reasonStale: "заявка застаріла, дзвінок не здійснювався", reasonClosed: "робочий час лінії ніколи не настає",
			reasonGuard: "на цей номер телефонувати не можна", reasonCallFailed: "дзвінок не відбувся",
			reasonUninstalled: "застосунок видалено", reasonReinstall: "застосунок потрібно встановити знову",
			reasonNoTrunk: "немає виходу в телефонну мережу", reasonError: "callbackline не зміг продовжити",
		},
	},
	"de": {
		noText:   "Rückrufanfrage von der Webseite. Ich verbinde Sie mit dem Kunden.",
		pressOne: "Drücken Sie 1, um mit dem Kunden verbunden zu werden, oder 2, um abzulehnen.",
		recorded: "Dieses Gespräch wird aufgezeichnet.",
		failed:   "Die Rückrufanfrage von %s konnte nicht ausgeführt werden: %s.",
		request:  "Die Anfrage: „%s“.",
		calls:    "Anrufe:",
		callAt:   "Anruf %d um %s an Durchwahl %s",
		callVia:  "Anruf %d um %s über die Telefonie von Bitrix24",
		dialled:  "Kunde angewählt",
		status:   "Status %s",
		tried:    "Details:",
		please:   "Bitte rufen Sie den Kunden zurück.",
		todo:     "%s zurückrufen",
		reasons: map[string]string{
			reasonNoEmployee: "kein Mitarbeiter hat den Anruf angenommen", reasonUnreachable: "der Kunde war nicht erreichbar",
			reasonStale: "die Anfrage war zu alt für einen Rückruf", reasonClosed: "die Arbeitszeiten der Leitung beginnen nie",
			reasonGuard: "diese Nummer darf nicht angerufen werden", reasonCallFailed: "der Anruf ist fehlgeschlagen",
			reasonUninstalled: "die Anwendung wurde deinstalliert", reasonReinstall: "die Anwendung muss neu installiert werden",
			reasonNoTrunk: "es gibt keine Verbindung ins Telefonnetz", reasonError: "callbackline konnte nicht fortfahren",
		},
	},
	"pl": {
		noText:   "Prośba o oddzwonienie ze strony internetowej. Łączę z klientem.",
		pressOne: "Naciśnij 1, aby połączyć się z klientem, lub 2, aby odrzucić.",
		recorded: "Ta rozmowa jest nagrywana.",
		failed:   "Nie udało się zrealizować prośby o oddzwonienie z numeru %s: %s.",
		request:  "Treść zgłoszenia: «%s».",
		calls:    "Połączenia:",
		callAt:   "połączenie %d o %s na numer wewnętrzny %s",
		callVia:  "połączenie %d o %s przez telefonię Bitrix24",
		dialled:  "wybrano numer klienta",
		status:   "status %s",
		tried:    "Szczegóły:",
		please:   "Proszę oddzwonić do klienta.",
		todo:     "Oddzwonić: %s",
		reasons: map[string]string{
			reasonNoEmployee: "żaden pracownik nie odebrał połączenia", reasonUnreachable: "nie udało się dodzwonić do klienta",
			reasonStale: "zgłoszenie było zbyt stare, aby oddzwonić", reasonClosed: "godziny pracy linii nigdy się nie zaczynają",
			reasonGuard: "na ten numer nie wolno dzwonić", reasonCallFailed: "połączenie nie powiodło się",
			reasonUninstalled: "aplikacja została odinstalowana", reasonReinstall: "aplikację trzeba zainstalować ponownie",
			reasonNoTrunk: "brak wyjścia do sieci telefonicznej", reasonError: "callbackline nie mógł kontynuować",
		},
	},
	"es": {
		noText:   "Solicitud de llamada desde el sitio web. Le comunico con el cliente.",
		pressOne: "Pulse 1 para hablar con el cliente o 2 para rechazar.",
		recorded: "Esta llamada está siendo grabada.",
		failed:   "No se pudo completar la solicitud de llamada de %s: %s.",
		request:  "La solicitud: «%s».",
		calls:    "Llamadas:",
		callAt:   "llamada %d a las %s a la extensión %s",
		callVia:  "llamada %d a las %s por la telefonía de Bitrix24",
		dialled:  "se llamó al cliente",
		status:   "estado %s",
		tried:    "Detalles:",
		please:   "Por favor, llame al cliente.",
		todo:     "Devolver la llamada a %s",
		reasons: map[string]string{
			reasonNoEmployee: "ningún empleado atendió la llamada", reasonUnreachable: "no se pudo contactar con el cliente",
			reasonStale: "la solicitud era demasiado antigua para llamar", reasonClosed: "el horario de la línea nunca empieza",
			reasonGuard: "no se permite llamar a este número", reasonCallFailed: "la llamada falló",
			reasonUninstalled: "la aplicación fue desinstalada", reasonReinstall: "hay que volver a instalar la aplicación",
			reasonNoTrunk: "no hay salida a la red telefónica", reasonError: "callbackline no pudo continuar",
		},
	},
	"pt": {
		noText:   "Pedido de retorno de chamada do site. Conectando você ao cliente.",
		pressOne: "Pressione 1 para falar com o cliente ou 2 para recusar.",
		recorded: "Esta chamada está sendo gravada.",
		failed:   "Não foi possível concluir o pedido de retorno de %s: %s.",
		request:  "O pedido: «%s».",
		calls:    "Chamadas:",
		callAt:   "chamada %d às %s para o ramal %s",
		callVia:  "chamada %d às %s pela telefonia do Bitrix24",
		dialled:  "cliente chamado",
		status:   "status %s",
		tried:    "Detalhes:",
		please:   "Por favor, ligue de volta para o cliente.",
		todo:     "Retornar a ligação para %s",
		reasons: map[string]string{
			reasonNoEmployee: "nenhum funcionário atendeu a chamada", reasonUnreachable: "não foi possível falar com o cliente",
			reasonStale: "o pedido era antigo demais para ligar", reasonClosed: "o horário da linha nunca começa",
			reasonGuard: "não é permitido ligar para este número", reasonCallFailed: "a chamada falhou",
			reasonUninstalled: "o aplicativo foi desinstalado", reasonReinstall: "o aplicativo precisa ser instalado de novo",
			reasonNoTrunk: "não há saída para a rede telefônica", reasonError: "o callbackline não pôde continuar",
		},
	},
}
