package words_test

import (
	"fmt"

	"github.com/callbackline/callbackline/words"
)

func Example() {
	lang := words.Lang("ua") // a Ukrainian portal's LANGUAGE_ID
	fmt.Println(words.NoText(lang))
	fmt.Println(words.PressOne("de"))
	fmt.Println(words.Failure{Phone: "+380441234567", Reason: "client_unreachable: busy"}.Text("ua"))
	// Output:
	// Заявка на зворотний дзвінок із сайту. З'єдную вас із клієнтом.
	// Drücken Sie 1, um mit dem Kunden verbunden zu werden, oder 2, um abzulehnen.
	// Заявку на зворотний дзвінок з номера +380441234567 виконати не вдалося: не вдалося додзвонитися до клієнта (busy). Будь ласка, передзвоніть клієнту.
}
