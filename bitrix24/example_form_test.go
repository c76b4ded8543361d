package bitrix24_test

import (
	"fmt"

	"github.com/callbackline/callbackline/bitrix24"
)

// DecodeForm builds a tree from PHP-style keys; Encode writes it back as
// PHP's http_build_query would.
func ExampleDecodeForm() {
	f, err := bitrix24.DecodeForm([]byte("event=ONAPPTEST&data%5BQUERY%5D%5Bitems%5D%5B%5D=a&data%5BQUERY%5D%5Bitems%5D%5B%5D=b+c&data[LANGUAGE_ID]=en"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Get("event"))
	fmt.Println(f.Child("data").Keys())
	items := f.Child("data").Child("QUERY").Child("items")
	for k, v := range items.All() {
		fmt.Printf("items[%s] = %q\n", k, v.Value())
	}
	_, ok := f.Lookup("data", "MISSING")
	fmt.Println(ok)
	fmt.Println(f.Encode())
	// Output:
	// ONAPPTEST
	// [QUERY LANGUAGE_ID]
	// items[0] = "a"
	// items[1] = "b c"
	// false
	// event=ONAPPTEST&data%5BQUERY%5D%5Bitems%5D%5B0%5D=a&data%5BQUERY%5D%5Bitems%5D%5B1%5D=b+c&data%5BLANGUAGE_ID%5D=en
}

// DecodeJSONForm gives JSON bodies the same tree.
func ExampleDecodeJSONForm() {
	f, err := bitrix24.DecodeJSONForm([]byte(`{"data":{"CRM_ENTITY_ID":5785,"IS_MOBILE":false,"CRM_CREATED_LEAD":null,"LIST":["x","y"]}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Encode())
	// Output:
	// data%5BCRM_ENTITY_ID%5D=5785&data%5BIS_MOBILE%5D=0&data%5BLIST%5D%5B0%5D=x&data%5BLIST%5D%5B1%5D=y
}
