package bot

// The custom menu of the official account: what `minqing menu sync`
// installs and what each click does (onMenu).

// Menu click keys.
const (
	MenuOpinion = "OPINION"
	MenuQuery   = "QUERY"
	MenuCheckin = "CHECKIN"
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

// DefaultMenu is the menu of DESIGN.md — 我要建议 / 学习打卡 / 家访记录 / 我的
// — fitted to WeChat's limit of three top-level buttons (five items each):
// the staff's two entries share the middle button.
func DefaultMenu() []MenuItem {
	return []MenuItem{
		{Name: textMenuOpinion, Key: MenuOpinion},
		{Name: textMenuStaff, Sub: []MenuItem{
			{Name: textMenuCheckin, Key: MenuCheckin},
			{Name: textMenuVisit, Key: MenuVisit},
			{Name: textMenuLedger, Key: MenuLedger},
		}},
		{Name: textMenuMine, Sub: []MenuItem{
			{Name: textMenuMe, Key: MenuMe},
			{Name: textMenuQuery, Key: MenuQuery},
			{Name: textMenuHelp, Key: MenuHelp},
		}},
	}
}
