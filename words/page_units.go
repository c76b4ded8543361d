package words

// The page's units of a duration (the dashboard's waits) and the CRM's
// entity types, as Bitrix24's CRM names them.
func init() {
	for k, v := range map[string]string{
		"%d s": "%d с", "%d min %02d s": "%d мин %02d с", "%d h %02d min": "%d ч %02d мин", "%d d %d h": "%d дн. %d ч",
		"LEAD": "Лид", "CONTACT": "Контакт", "COMPANY": "Компания", "DEAL": "Сделка",
	} {
		pageRU[k] = v
	}
	for k, v := range map[string]string{
		"%d s": "%d s", "%d min %02d s": "%d min %02d s", "%d h %02d min": "%d Std. %02d min", "%d d %d h": "%d T. %d Std.",
		"LEAD": "Lead", "CONTACT": "Kontakt", "COMPANY": "Unternehmen", "DEAL": "Auftrag",
	} {
		pageDE[k] = v
	}
}
