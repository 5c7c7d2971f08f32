package chat

import (
	"context"

	"minqing/bot"
	"minqing/bot/parse"
)

// onProgress answers a progress question by its topic: 我的学习 (study, the
// default), 我的家访, 未家访, 我的听课. Study and visits are a teacher's
// (bot.ActCheckin), observations a leader's (onObserveProgress checks).
func (b *Bot) onProgress(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed) (bot.Reply, error) {
	switch p.Topic {
	case parse.TopicObservation:
		return b.onObserveProgress(ctx, tx, t)
	case parse.TopicVisit, parse.TopicUnvisited, parse.TopicStudy, "":
	default:
		return bot.Text(textNotUnderstood), nil
	}
	if !t.person.Can(bot.ActCheckin) {
		return refuse(t.person, bot.ActCheckin), nil
	}
	switch p.Topic {
	case parse.TopicVisit:
		return b.onVisitProgress(ctx, tx, t)
	case parse.TopicUnvisited:
		return b.onUnvisited(ctx, tx, t)
	}
	return b.onStudyProgress(ctx, tx, t)
}
