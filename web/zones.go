package web

import (
	"html/template"
	"strings"
)

// zoneNames are the time zones the page offers to pick (a datalist: any
// other IANA name may be typed).
var zoneNames = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Brussels",
	"Europe/Amsterdam", "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Rome", "Europe/Prague",
	"Europe/Warsaw", "Europe/Budapest", "Europe/Belgrade", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen",
	"Europe/Helsinki", "Europe/Tallinn", "Europe/Riga", "Europe/Vilnius", "Europe/Athens", "Europe/Bucharest",
	"Europe/Sofia", "Europe/Istanbul", "Europe/Kyiv", "Europe/Chisinau", "Europe/Minsk", "Europe/Kaliningrad",
	"Europe/Moscow", "Europe/Samara", "Europe/Volgograd", "Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk",
	"Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka",
	"Asia/Almaty", "Asia/Tashkent", "Asia/Bishkek", "Asia/Tbilisi", "Asia/Yerevan", "Asia/Baku", "Asia/Dubai",
	"Asia/Jerusalem", "Asia/Kolkata", "Asia/Bangkok", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo",
	"Australia/Sydney", "Africa/Cairo", "Africa/Johannesburg", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
	"America/Mexico_City", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Toronto",
}

// zonesHTML is the page's datalist of zoneNames (id zones).
var zonesHTML = func() string {
	var b strings.Builder
	b.WriteString(`{{define "zones"}}<datalist id="zones">`)
	for _, z := range zoneNames {
		b.WriteString(`<option value="` + template.HTMLEscapeString(z) + `">`)
	}
	b.WriteString(`</datalist>{{end}}`)
	return b.String()
}()
