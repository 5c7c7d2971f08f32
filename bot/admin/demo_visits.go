package admin

import (
	"context"
	"time"

	"minqing/bot"
)

// The demo school's home visits, observations and talks, so that 我的家访,
// 未家访 and 我的听课 show something in the simulator. Everyone is fictional.

var demoVisits = []struct {
	daysAgo               int
	teacher, class, pupil string
	mode, notes           string
	followUp              bool
}{
	{12, "王丽华", "初二(3)班", "张小明", bot.VisitHome, "家长反映孩子晚上玩手机到很晚，希望学校多提醒。", true},
	{5, "王丽华", "初二(3)班", "李思雨", bot.VisitPhone, "奶奶带孩子，辅导作业有困难。", false},
	{2, "吴芳", "初一(1)班", "陈浩然", bot.VisitVideo, "父母在外打工，孩子住校适应得不错。", false},
	{1, "何佳", "初一(2)班", "赵宇轩", bot.VisitHome, "", false},
}

var demoObservations = []struct {
	daysAgo                  int
	observer, class, subject string
	teacher, notes           string
}{
	{8, "林志远", "初二(3)班", "语文", "王丽华", "课堂互动好，板书可以更清楚。"},
	{2, "林志远", "初三(1)班", "数学", "郑伟", "例题讲解清楚，练习量略大。"},
	{9, "周明", "初一(1)班", "英语", "吴芳", "口语练习充分。"},
	{4, "周明", "初一(2)班", "数学", "何佳", ""},
	{1, "周明", "初二(3)班", "语文", "王丽华", "作文讲评有针对性。"},
}

var demoTalks = []struct {
	daysAgo         int
	leader, teacher string
	notes           string
}{
	{7, "林志远", "郑伟", "带毕业班压力大，希望减少非教学任务。"},
	{1, "林志远", "吴芳", "新学期班级管理顺利。"},
}

// seedDemoVisits adds the demo visits, observations and talks.
func (a *Admin) seedDemoVisits(ctx context.Context, tx bot.Tx, school bot.OrgUnit, units *unitCache, staff map[string]int64, now time.Time) error {
	day := func(n int) time.Time {
		d := now.AddDate(0, 0, -n)
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	}
	students, err := tx.Students(ctx, school.ID)
	if err != nil {
		return err
	}
	for _, v := range demoVisits {
		class, err := units.get(ctx, school.ID, bot.UnitClass, v.class)
		if err != nil {
			return err
		}
		var pupil int64
		for _, s := range students {
			if s.Name == v.pupil && s.ClassID == class.ID {
				pupil = s.ID
			}
		}
		if _, err := tx.CreateVisit(ctx, bot.Visit{SchoolID: school.ID, TeacherID: staff[v.teacher], ClassID: class.ID, StudentID: pupil,
			Class: v.class, Student: v.pupil, Day: day(v.daysAgo), Mode: v.mode, Notes: v.notes, FollowUp: v.followUp,
			Flagged: pupil == 0, Created: now}); err != nil {
			return err
		}
	}
	for _, o := range demoObservations {
		class, err := units.get(ctx, school.ID, bot.UnitClass, o.class)
		if err != nil {
			return err
		}
		if _, err := tx.CreateObservation(ctx, bot.Observation{SchoolID: school.ID, ObserverID: staff[o.observer], ClassID: class.ID,
			Class: o.class, Subject: o.subject, TeacherID: staff[o.teacher], TeacherName: o.teacher, Day: day(o.daysAgo),
			Notes: o.notes, Created: now}); err != nil {
			return err
		}
	}
	for _, k := range demoTalks {
		if _, err := tx.CreateTalk(ctx, bot.Talk{SchoolID: school.ID, LeaderID: staff[k.leader], TeacherID: staff[k.teacher],
			TeacherName: k.teacher, Day: day(k.daysAgo), Notes: k.notes, Created: now}); err != nil {
			return err
		}
	}
	return nil
}
