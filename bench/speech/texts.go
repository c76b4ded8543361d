package main

// A text the benchmark speaks: what a visitor's callback form sends as
// TEXT. No digits: how numbers are read is a matter of the text's
// normalisation, and Whisper writes them as digits, which word error rate
// would count against a voice that read them right.
type text struct {
	lang string // ISO 639-1, the language Whisper is told to expect
	say  string
}

// texts are three realistic callback texts for each language of the
// benchmark: a request left on the website, a form's summary, a named
// person about an invoice.
var texts = []text{
	{"ru", "Клиент оставил заявку на сайте и просит перезвонить по поводу доставки заказа."},
	{"ru", "Новая заявка с формы обратного звонка. Клиент интересуется стоимостью подключения и сроками."},
	{"ru", "Анна Смирнова просит связаться с ней сегодня, вопрос по оплате счёта."},
	{"uk", "Клієнт залишив заявку на сайті і просить передзвонити щодо доставки замовлення."},
	{"uk", "Нова заявка з форми зворотного дзвінка. Клієнт цікавиться вартістю послуг і термінами."},
	{"uk", "Олена Коваленко просить зв'язатися з нею сьогодні, питання щодо оплати рахунку."},
	{"en", "A customer left a request on the website and asks you to call back about the delivery of an order."},
	{"en", "New request from the callback form. The client wants to know the price and the delivery time."},
	{"en", "John Miller asks you to call him today about an unpaid invoice."},
	{"de", "Ein Kunde hat auf der Webseite eine Anfrage hinterlassen und bittet um Rückruf wegen der Lieferung seiner Bestellung."},
	{"de", "Neue Anfrage aus dem Rückrufformular. Der Kunde möchte den Preis und die Lieferzeit wissen."},
	{"de", "Frau Schneider bittet heute um einen Rückruf wegen einer offenen Rechnung."},
	{"pl", "Klient zostawił zgłoszenie na stronie i prosi o oddzwonienie w sprawie dostawy zamówienia."},
	{"pl", "Nowe zgłoszenie z formularza oddzwaniania. Klient pyta o cenę i termin realizacji."},
	{"pl", "Pani Kowalska prosi o kontakt jeszcze dzisiaj w sprawie płatności za fakturę."},
	{"es", "Un cliente dejó una solicitud en la página web y pide que le llamen por la entrega de su pedido."},
	{"es", "Nueva solicitud del formulario de llamada. El cliente quiere saber el precio y el plazo de entrega."},
	{"es", "La señora García pide que la llamen hoy por una factura pendiente."},
	{"pt", "Um cliente deixou uma solicitação no site e pede um retorno sobre a entrega do pedido."},
	{"pt", "Nova solicitação do formulário de retorno. O cliente quer saber o preço e o prazo de entrega."},
	{"pt", "A senhora Silva pede que entrem em contato hoje sobre uma fatura em aberto."},
	{"fr", "Un client a laissé une demande sur le site et souhaite être rappelé au sujet de la livraison de sa commande."},
	{"fr", "Nouvelle demande du formulaire de rappel. Le client veut connaître le prix et le délai de livraison."},
	{"fr", "Madame Martin demande à être rappelée aujourd'hui au sujet d'une facture impayée."},
	{"it", "Un cliente ha lasciato una richiesta sul sito e chiede di essere richiamato per la consegna del suo ordine."},
	{"it", "Nuova richiesta dal modulo di richiamata. Il cliente vuole sapere il prezzo e i tempi di consegna."},
	{"it", "La signora Rossi chiede di essere contattata oggi per una fattura non pagata."},
	{"tr", "Bir müşteri web sitesinde talep bıraktı ve siparişinin teslimatı hakkında geri aranmak istiyor."},
	{"tr", "Geri arama formundan yeni talep. Müşteri fiyatı ve teslim süresini öğrenmek istiyor."},
	{"tr", "Ayşe Yılmaz hanım ödenmemiş bir fatura için bugün aranmak istiyor."},
}

// voices are the Bitrix24 voice ids a portal of each language sends in
// VOICE, the portal's default first (docs/bitrix24.md §7.2). Bitrix24 has
// no Ukrainian voice: a Ukrainian portal's forms default to
// ruinternalfemale, with Ukrainian text.
var voices = map[string][]string{
	"ru": {"ruinternalfemale", "ruinternalmale"},
	"uk": {"ruinternalfemale", "ruinternalmale"},
	"en": {"usenglishmale", "usenglishfemale"},
	"de": {"eurgermanfemale", "eurgermanmale"},
	"pl": {"eurpolishfemale"},
	"es": {"eurspanishfemale", "eurspanishmale"},
	"pt": {"brportuguesefemale", "eurportuguesemale"},
	"fr": {"eurfrenchfemale", "eurfrenchmale"},
	"it": {"euritalianfemale", "euritalianmale"},
	"tr": {"eurturkishfemale", "eurturkishmale"},
}

// languages is the order of the report.
var languages = []string{"ru", "uk", "en", "de", "pl", "es", "pt", "fr", "it", "tr"}
