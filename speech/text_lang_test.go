package speech_test

import (
	"testing"

	"github.com/callbackline/callbackline/speech"
)

func TestTextLanguage(t *testing.T) {
	cases := []struct{ text, voice, want string }{
		// Bitrix24 gives a Ukrainian portal ruinternalfemale.
		{"Клієнт залишив заявку на сайті і просить передзвонити щодо доставки.", "ru", "uk"},
		{"Клиент оставил заявку на сайте и просит перезвонить по поводу доставки.", "ru", "ru"},
		{"Клиент просит перезвонить по поводу заказа.", "uk", "ru"},
		// Latin script for a Cyrillic voice and the other way round.
		{"Der Kunde bittet um Rückruf wegen der Lieferung.", "ru", "de"},
		{"Please call the client back about the order.", "ru", "en-us"},
		{"Клиент оставил заявку на сайте.", "en-us", "ru"},
		{"Klient zostawił zgłoszenie i prosi o oddzwonienie.", "ru", "pl"},
		// Same script, clearly another language.
		{"Der Kunde bittet um Rückruf wegen der Lieferung.", "en-us", "de"},
		{"Le client demande à être rappelé pour sa commande.", "en-gb", "fr-fr"},
		{"El cliente pide que le llamen por el pedido.", "de", "es"},
		{"O cliente pede para ligar de volta sobre o pedido, não hoje.", "en-us", "pt"},
		{"Il cliente chiede di essere richiamato per l'ordine.", "en-us", "it"},
		// The voice's region stays for its own language.
		{"Please call the client back about the order.", "en-gb", "en-gb"},
		{"El cliente pide que le llamen por el pedido.", "es-419", "es-419"},
		// Not clear: the voice stays.
		{"Anna Müller, iPhone 15", "de", "de"},
		{"iPhone 15 заказ", "ru", "ru"},
		{"OK", "ru", "ru"},
		{"", "de", "de"},
		{"Замовлення iPhone order", "de", "de"}, // mixed scripts
		{"Rückruf bitte", "de", "de"},
	}
	for _, c := range cases {
		if got := speech.TextLanguage(c.text, c.voice); got != c.want {
			t.Errorf("TextLanguage(%q, %s) = %s, want %s", c.text, c.voice, got, c.want)
		}
	}
	// VoiceForText keeps the gender and the id.
	v := speech.VoiceForText("ruinternalmale", "Клієнт просить передзвонити щодо замовлення.")
	if v.Language != "uk" || v.Gender != speech.Male || v.ID != "ruinternalmale" {
		t.Errorf("VoiceForText = %+v, want uk male ruinternalmale", v)
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct{ lang, text, want string }{
		{"ru", "Перезвоните на +7 916 123-45-67 в 14:30, 05.12.2026", "Перезвоните на плюс 7, 916, 123, 45, 67 в 14 30, 5 декабря 2026 года"},
		{"ru", "в 9:05 или 18:00", "в 9 ноль 5 или 18 ноль-ноль"},
		{"uk", "о 14:00, 01.03.2026, номер 0441234567", "о 14 нуль-нуль, 1 березня 2026 року, номер 0 4 4, 123, 45, 67"},
		{"en-us", "Call +1 (555) 123-4567 at 9:05 on 12/24/2026", "Call plus 1, 555, 123, 45, 67 at 9 oh 5 on December 24, 2026"},
		{"en-gb", "on 24/12/2026 at 10:00", "on December 24, 2026 at 10 o'clock"},
		{"de", "Rückruf am 2026-03-11 um 9:00 unter 030 1234567", "Rückruf am 11. März 2026 um 9 Uhr unter 0 3 0, 123, 45, 67"},
		{"de", "um 14:30", "um 14 Uhr 30"},
		{"pl", "o 14:30 dnia 05.12.2026", "o 14 30 dnia 5 grudnia 2026"},
		{"es", "a las 14:30 del 05/12/2026", "a las 14 y 30 del 5 de diciembre de 2026"},
		{"pt-br", "às 9:00 de 05.12.2026", "às 9 horas de 5 de dezembro de 2026"},
		{"fr-fr", "à 14:30 le 05/12/2026, +33 1 23 45 67 89", "à 14 heures 30 le 5 décembre 2026, plus 33, 1, 23, 45, 67, 89"},
		{"it", "alle 14:30 del 05.12.2026", "alle 14 e 30 del 5 dicembre 2026"},
		{"es", "+34 612345678", "más 34, 612, 345, 678"},
		// Not phone numbers: amounts, short numbers, thousands.
		{"ru", "заказ на 1 500 000 рублей, 3 штуки, код 4821", "заказ на 1500000 рублей, 3 штуки, код 4821"},
		{"en-us", "order 12345678", "order 123, 456, 78"},
		{"de", "am 31.02.2026 oder 45:99", "am 31. Februar 2026 oder 45:99"},
		{"tr", "saat 14:30", "saat 14 30"}, // English words for a language without its own: none in a time
	}
	for _, c := range cases {
		if got := speech.Normalize(c.text, c.lang); got != c.want {
			t.Errorf("Normalize(%q, %s)\n got %q\nwant %q", c.text, c.lang, got, c.want)
		}
	}
}
