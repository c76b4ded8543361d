package words

// samples are what a voice says on the app page's "listen": a request as a
// form might send it, in the voice's language.
var samples = map[string]string{
	"en": "A visitor of the website asks you to call back about the delivery of an order. Connecting you with the client.",
	"ru": "Посетитель сайта просит перезвонить по поводу доставки заказа. Соединяю вас с клиентом.",
	"uk": "Відвідувач сайту просить передзвонити щодо доставки замовлення. З'єдную вас із клієнтом.",
	"de": "Ein Besucher der Webseite bittet um Rückruf wegen der Lieferung einer Bestellung. Ich verbinde Sie mit dem Kunden.",
	"pl": "Odwiedzający stronę prosi o oddzwonienie w sprawie dostawy zamówienia. Łączę z klientem.",
	"es": "Un visitante del sitio web pide que le llamen por la entrega de un pedido. Le comunico con el cliente.",
	"pt": "Um visitante do site pede um retorno sobre a entrega de um pedido. Conectando você ao cliente.",
	"fr": "Un visiteur du site demande à être rappelé au sujet de la livraison d'une commande. Je vous mets en relation avec le client.",
	"it": "Un visitatore del sito chiede di essere richiamato per la consegna di un ordine. La metto in contatto con il cliente.",
	"tr": "Web sitesinin bir ziyaretçisi bir siparişin teslimatı hakkında geri aranmak istiyor. Sizi müşteriye bağlıyorum.",
}

// Sample returns what a voice of the language says on the app page's
// "listen" (lang as a voice's language: "de", "en-us", "pt-br"); English
// for a language without a sample.
func Sample(lang string) string {
	if s, ok := samples[code(lang)]; ok {
		return s
	}
	return samples["en"]
}
