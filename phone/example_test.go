package phone_test

import (
	"fmt"

	"github.com/callbackline/callbackline/phone"
)

func ExampleNormalize() {
	e164, err := phone.Normalize("8 (495) 123-45-67", phone.RegionForLanguage("ru"))
	fmt.Println(e164, err)
	_, err = phone.Normalize("8 495 12", "RU")
	fmt.Println(err)
	// Output:
	// +74951234567 <nil>
	// invalid_number: +7****12 is too short for +7 (RU); ask the client for the full number with area code
}

func ExamplePolicy_Accept() {
	p := phone.DefaultPolicy()
	e164, err := p.Accept("8-809-505-12-34", "RU")
	fmt.Println(phone.Mask(e164))
	fmt.Println(err)
	// Output:
	// +7809*****34
	// number_type_blocked: +7809*****34 is a premium_rate number; the blocked number types are premium_rate, shared_cost, unknown
}
