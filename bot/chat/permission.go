package chat

import "minqing/bot"

// refuse is the polite answer to a sender who may not do a.
func refuse(p *bot.Person, a bot.Action) bot.Reply {
	if p == nil {
		return bot.Text(textRefusedUnbound[a])
	}
	if p.Has(bot.RoleAdmin) && a != bot.ActSupervise {
		// The administrator is the one others are sent to: tell them
		// what to change themselves.
		return bot.Text(textRefusedAdmin[a])
	}
	return bot.Text(textRefusedRole[a])
}
