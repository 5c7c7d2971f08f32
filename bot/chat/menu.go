package chat

import "minqing/bot"

// DefaultMenu is the product's menu — 我要建议 / 学习打卡 / 家访记录 / 我的
// — fitted to WeChat's limit of three top-level buttons (five items each):
// the staff's two entries share the middle button.
func DefaultMenu() []bot.MenuItem {
	return []bot.MenuItem{
		{Name: textMenuOpinion, Key: bot.MenuOpinion},
		{Name: textMenuStaff, Sub: []bot.MenuItem{
			{Name: textMenuCheckin, Key: bot.MenuCheckin},
			{Name: textMenuEssay, Key: bot.MenuEssay},
			{Name: textMenuVisit, Key: bot.MenuVisit},
			{Name: textMenuLedger, Key: bot.MenuLedger},
		}},
		{Name: textMenuMine, Sub: []bot.MenuItem{
			{Name: textMenuMe, Key: bot.MenuMe},
			{Name: textMenuQuery, Key: bot.MenuQuery},
			{Name: textMenuHelp, Key: bot.MenuHelp},
		}},
	}
}
