package chat

import "minqing/bot"

// refuse is the polite answer to a sender who may not do a.
func refuse(p *bot.Person, a bot.Action) bot.Reply {
	if p == nil {
		return bot.Text(textRefusedUnbound[a])
	}
	return bot.Text(textRefusedRole[a])
}
