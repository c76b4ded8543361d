package words

import (
	"fmt"
	"strings"
)

// The notices to a portal's administrators in every language, by
// problem and message ("callbacks.problem"). Format verbs: reinstall and
// trunk problems %s (what the portal or the registrar said); callbacks
// problem %d (how many in a row) %s (the last one's reason), with groups
// of forms (plural) that agree with the count.
var noticeWords = map[string]map[string]string{
	"en": {
		"reinstall.problem": "callbackline: the application must be installed again on this portal (%s). Until then no callback is made. Please open Applications → callbackline and reinstall it.",
		"reinstall.fixed":   "callbackline: the application works again; callbacks are made.",
		"trunk.problem":     "callbackline: the portal's own SIP account stopped registering (%s). Calls through it fail until it registers again; please check the account on the application's page.",
		"trunk.fixed":       "callbackline: the portal's own SIP account registers again.",
		"callbacks.problem": "callbackline: %d {callback|callbacks in a row} failed (the last: %s). Please check the application's page.",
		"callbacks.fixed":   "callbackline: a callback succeeded again.",
	},
	"ru": {
		"reinstall.problem": "callbackline: приложение нужно заново установить на портале (%s). До тех пор обратные звонки не выполняются. Откройте «Приложения → callbackline» и переустановите его.",
		"reinstall.fixed":   "callbackline: приложение снова работает, обратные звонки выполняются.",
		"trunk.problem":     "callbackline: собственный SIP-аккаунт портала перестал регистрироваться (%s). Звонки через него не проходят, пока он снова не зарегистрируется; проверьте его на странице приложения.",
		"trunk.fixed":       "callbackline: собственный SIP-аккаунт портала снова зарегистрирован.",
		"callbacks.problem": "callbackline: %d {обратный звонок подряд не удался|обратных звонка подряд не удались|обратных звонков подряд не удались} (последний: %s). Проверьте страницу приложения.",
		"callbacks.fixed":   "callbackline: обратный звонок снова выполнен успешно.",
	},
	"uk": {
		"reinstall.problem": "callbackline: застосунок потрібно встановити на порталі знову (%s). Доти зворотні дзвінки не виконуються. Відкрийте «Застосунки → callbackline» і перевстановіть його.",
		"reinstall.fixed":   "callbackline: застосунок знову працює, зворотні дзвінки виконуються.",
		"trunk.problem":     "callbackline: власний SIP-обліковий запис порталу перестав реєструватися (%s). Дзвінки через нього не проходять, доки він не зареєструється знову; перевірте його на сторінці застосунку.",
		"trunk.fixed":       "callbackline: власний SIP-обліковий запис порталу знову реєструється.",
		"callbacks.problem": "callbackline: %d {зворотний дзвінок поспіль не вдався|зворотні дзвінки поспіль не вдалися|зворотних дзвінків поспіль не вдалися} (останній: %s). Перевірте сторінку застосунку.",
		"callbacks.fixed":   "callbackline: зворотний дзвінок знову вдався.",
	},
	"de": {
		"reinstall.problem": "callbackline: Die Anwendung muss in diesem Portal neu installiert werden (%s). Bis dahin erfolgen keine Rückrufe. Bitte öffnen Sie „Anwendungen → callbackline“ und installieren Sie die Anwendung neu.",
		"reinstall.fixed":   "callbackline: Die Anwendung funktioniert wieder, Rückrufe erfolgen wieder.",
		"trunk.problem":     "callbackline: Das eigene SIP-Konto des Portals registriert sich nicht mehr (%s). Anrufe darüber schlagen fehl, bis es sich wieder registriert; bitte prüfen Sie das Konto auf der Seite der Anwendung.",
		"trunk.fixed":       "callbackline: Das eigene SIP-Konto des Portals ist wieder registriert.",
		"callbacks.problem": "callbackline: %d {Rückruf ist|Rückrufe sind} nacheinander fehlgeschlagen (zuletzt: %s). Bitte prüfen Sie die Seite der Anwendung.",
		"callbacks.fixed":   "callbackline: Ein Rückruf ist wieder gelungen.",
	},
	"pl": {
		"reinstall.problem": "callbackline: aplikację trzeba ponownie zainstalować w tym portalu (%s). Do tego czasu oddzwonienia nie są wykonywane. Otwórz Aplikacje → callbackline i zainstaluj ją ponownie.",
		"reinstall.fixed":   "callbackline: aplikacja znowu działa; oddzwonienia są wykonywane.",
		"trunk.problem":     "callbackline: własne konto SIP portalu przestało się rejestrować (%s). Połączenia przez nie nie przechodzą, dopóki znowu się nie zarejestruje; sprawdź konto na stronie aplikacji.",
		"trunk.fixed":       "callbackline: własne konto SIP portalu znowu się rejestruje.",
		"callbacks.problem": "callbackline: %d {oddzwonienie się nie udało|oddzwonienia z rzędu się nie udały|oddzwonień z rzędu się nie udało} (ostatnie: %s). Sprawdź stronę aplikacji.",
		"callbacks.fixed":   "callbackline: oddzwonienie znowu się udało.",
	},
	"es": {
		"reinstall.problem": "callbackline: hay que volver a instalar la aplicación en este portal (%s). Hasta entonces no se hace ninguna devolución de llamada. Abra Aplicaciones → callbackline y reinstálela.",
		"reinstall.fixed":   "callbackline: la aplicación vuelve a funcionar; se hacen las devoluciones de llamada.",
		"trunk.problem":     "callbackline: la cuenta SIP propia del portal dejó de registrarse (%s). Las llamadas por ella fallan hasta que vuelva a registrarse; revise la cuenta en la página de la aplicación.",
		"trunk.fixed":       "callbackline: la cuenta SIP propia del portal vuelve a registrarse.",
		"callbacks.problem": "callbackline: %d {devolución de llamada falló|devoluciones de llamada seguidas fallaron} (la última: %s). Revise la página de la aplicación.",
		"callbacks.fixed":   "callbackline: una devolución de llamada volvió a funcionar.",
	},
	"pt": {
		"reinstall.problem": "callbackline: é preciso instalar a aplicação de novo neste portal (%s). Até lá não é feita nenhuma chamada de retorno. Abra Aplicações → callbackline e reinstale-a.",
		"reinstall.fixed":   "callbackline: a aplicação voltou a funcionar; as chamadas de retorno são feitas.",
		"trunk.problem":     "callbackline: a conta SIP própria do portal deixou de se registar (%s). As chamadas por ela falham até que volte a registar-se; verifique a conta na página da aplicação.",
		"trunk.fixed":       "callbackline: a conta SIP própria do portal voltou a registar-se.",
		"callbacks.problem": "callbackline: %d {chamada de retorno falhou|chamadas de retorno seguidas falharam} (a última: %s). Verifique a página da aplicação.",
		"callbacks.fixed":   "callbackline: uma chamada de retorno voltou a ter sucesso.",
	},
}

// Notice is the message to a portal's administrators about a problem
// ("reinstall", "trunk", "callbacks") that began (kind "problem") or was
// fixed ("fixed"), in the language. detail is what the problem is (a
// callback's reason code is said in the language); count is how many
// callbacks failed in a row. An unknown problem is "".
func Notice(lang, problem, kind, detail string, count int) string {
	s := noticeWords[Lang(lang)][problem+"."+kind]
	switch {
	case s == "" || kind != "problem":
		return s
	case problem == "callbacks":
		return fmt.Sprintf(plural(Lang(lang), count, s), count, of(lang).reason(detail))
	}
	if strings.TrimSpace(detail) == "" {
		detail = "?"
	}
	return fmt.Sprintf(s, detail)
}
