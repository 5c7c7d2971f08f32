package bot

// The custom menu of the official account: what `minqing menu sync`
// installs and what each click does (onMenu).

// Menu click keys.
const (
	MenuOpinion = "OPINION"
	MenuQuery   = "QUERY"
	MenuCheckin = "CHECKIN"
	MenuEssay   = "ESSAY"
	MenuVisit   = "VISIT"
	MenuLedger  = "LEDGER"
	MenuMe      = "ME"
	MenuHelp    = "HELP"
)

// MenuItem is one button of the custom menu: a click (Key) or a link (URL),
// or a submenu (Sub).
type MenuItem struct {
	Name string     `json:"name"`
	Key  string     `json:"key,omitempty"`
	URL  string     `json:"url,omitempty"`
	Sub  []MenuItem `json:"sub,omitempty"`
}
