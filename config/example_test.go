package config_test

import (
	"fmt"

	"github.com/callbackline/callbackline/config"
)

func ExampleLoad() {
	c, err := config.Load("", []string{
		"CALLBACKLINE_LISTEN=127.0.0.1:9090",
		"CALLBACKLINE_INTAKE_ALLOWED_COUNTRIES=ru,kz",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	driver, file, _ := config.SplitDatabase(c.Database)
	fmt.Println(c.Listen, driver, file, c.Intake.AllowedCountries)

	_, err = config.Load("", []string{"CALLBACKLINE_INTAKE_DEDUP_WINDOW=abc", "CALLBACKLINE_LISTN=:1"})
	fmt.Println(err)
	// Output:
	// 127.0.0.1:9090 sqlite ./callbackline.db [RU KZ]
	// config: intake.dedup_window: "abc" is not a duration (e.g. 10m) (from CALLBACKLINE_INTAKE_DEDUP_WINDOW)
	// config: CALLBACKLINE_LISTN names no configuration key; did you mean CALLBACKLINE_LISTEN?
}
