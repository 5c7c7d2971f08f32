package main

import (
	"context"
	"math/rand/v2"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
)

// demoHistoryWeeks is how many weeks of ledger history `minqing demo`
// adds before today, so that the digest's trends look like a real
// school's.
const demoHistoryWeeks = 16

// seedDemoHistory adds generated opinions over the last weeks to the demo
// school (about eight a week, through their whole lifecycle). It returns
// how many it added.
func seedDemoHistory(ctx context.Context, store bot.Store, code string, now time.Time, loc *time.Location) (int, error) {
	rng := rand.New(rand.NewPCG(20261123, 47))
	n := 0
	err := store.Update(ctx, func(tx bot.Tx) error {
		n = 0
		school, err := tx.UnitByCode(ctx, code)
		if err != nil {
			return err
		}
		units, err := tx.UnitsOfSchool(ctx, school.ID)
		if err != nil {
			return err
		}
		s := genSchool{ID: school.ID, Parents: 60}
		for _, u := range units {
			switch u.Kind {
			case bot.UnitClass, bot.UnitGrade, bot.UnitCampus:
				s.Named = append(s.Named, u.ID)
			case bot.UnitDepartment:
				switch u.Name {
				case "教务处", "总务处", "政教处", "办公室":
					s.Depts = append(s.Depts, u.ID)
				}
			}
		}
		staff, err := tx.Staff(ctx, school.ID, false)
		if err != nil {
			return err
		}
		for _, p := range staff {
			if p.Has(bot.RoleSchoolLeader) && s.Actor == 0 {
				s.Actor = p.ID
			}
			if p.Has(bot.RoleTeacher) || p.Has(bot.RolePartyMember) {
				s.Recorders = append(s.Recorders, p.ID)
			}
		}
		set := chat.DefaultSettings()
		for _, g := range genLedger(rng, s, now.AddDate(0, 0, -7*demoHistoryWeeks), now, 8, set, loc, func() string { return "" }) {
			status := g.O
			o := g.O
			o.Status, o.Rating, o.RatedAt, o.Answer, o.AnsweredAt, o.AssignedUnitID, o.Due = bot.StatusReceived, "", time.Time{}, "", time.Time{}, 0, time.Time{}
			o.Updated = o.Created
			o, err := bot.CreateWithCode(ctx, tx, o)
			if err != nil {
				return err
			}
			status.ID, status.Code = o.ID, o.Code
			if err := tx.UpdateOpinion(ctx, status); err != nil {
				return err
			}
			for _, e := range g.Events {
				e.OpinionID = o.ID
				if err := tx.AddOpinionEvent(ctx, e); err != nil {
					return err
				}
			}
			n++
		}
		return nil
	})
	return n, err
}
