package conformance

import (
	"errors"
	"testing"
	"time"

	"minqing/bot"
)

var visitTests = []test{
	{"Visits", []string{"StudentsNamed", "Student", "CreateVisit", "Visit", "SetVisitOpinion", "VisitsBy", "SchoolVisits", "VisitedStudents",
		"CreateObservation", "ObservationsBy", "SchoolObservations", "CreateTalk", "TalksBy", "SchoolTalks",
		"VisitCounts", "Coverage", "LeaderCounts"}, testVisits},
}

// testVisits: home visits, observations and talks, read back by person, by
// school and as the digest's counts (visits per teacher, coverage per
// class, observations and talks per leader).
func testVisits(t *testing.T, e *env) {
	ctx := e.ctx
	db := e.db
	school := e.school("中心小学", "ZXXX")
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	var (
		teacher, leader bot.Person
		c1, c2, campus  bot.OrgUnit
		s1, s3          bot.Student
		v1              bot.Visit
	)
	err := db.Update(ctx, func(tx bot.Tx) error {
		var err error
		must := func(e error) {
			if err == nil {
				err = e
			}
		}
		teacher, _ = tx.CreatePerson(ctx, bot.Person{SchoolID: school.ID, Name: "李老师", Roles: []bot.Role{bot.RoleTeacher}, Active: true})
		leader, err = tx.CreatePerson(ctx, bot.Person{SchoolID: school.ID, Name: "王校长", Roles: []bot.Role{bot.RoleSchoolLeader}, Active: true})
		campus, _ = tx.CreateUnit(ctx, bot.OrgUnit{ParentID: school.ID, SchoolID: school.ID, Kind: bot.UnitCampus, Name: "者力完小"})
		c1, _ = tx.CreateUnit(ctx, bot.OrgUnit{ParentID: school.ID, SchoolID: school.ID, Kind: bot.UnitClass, Name: "三(2)班"})
		c2, _ = tx.CreateUnit(ctx, bot.OrgUnit{ParentID: campus.ID, SchoolID: school.ID, Kind: bot.UnitClass, Name: "一(1)班"})
		s1, _ = tx.CreateStudent(ctx, bot.Student{SchoolID: school.ID, ClassID: c1.ID, Name: "张小明", Active: true})
		_, _ = tx.CreateStudent(ctx, bot.Student{SchoolID: school.ID, ClassID: c1.ID, Name: "王浩", Active: true})
		s3, _ = tx.CreateStudent(ctx, bot.Student{SchoolID: school.ID, ClassID: c2.ID, Name: "刘洋", Active: true})
		v1, err = tx.CreateVisit(ctx, bot.Visit{SchoolID: school.ID, TeacherID: teacher.ID, ClassID: c1.ID, StudentID: s1.ID, Class: "三(2)班",
			Student: "张小明", Day: d(11, 17), Mode: bot.VisitHome, Notes: "家长反映作业太多 😀", FollowUp: true, Created: now})
		must(err)
		_, e := tx.CreateVisit(ctx, bot.Visit{SchoolID: school.ID, TeacherID: teacher.ID, ClassID: c1.ID, StudentID: s1.ID, Class: "三(2)班",
			Student: "张小明", Day: d(11, 20), Mode: bot.VisitPhone, Created: now})
		must(e)
		_, e = tx.CreateVisit(ctx, bot.Visit{SchoolID: school.ID, TeacherID: teacher.ID, Class: "三(2)班", Student: "赵无名", Day: d(11, 23),
			Mode: bot.VisitVideo, Flagged: true, Created: now})
		must(e)
		_, e = tx.CreateVisit(ctx, bot.Visit{SchoolID: school.ID, TeacherID: teacher.ID, ClassID: c2.ID, StudentID: s3.ID, Class: "一(1)班",
			Student: "刘洋", Day: d(9, 3), Mode: bot.VisitHome, Created: now})
		must(e)
		_, e = tx.CreateObservation(ctx, bot.Observation{SchoolID: school.ID, ObserverID: leader.ID, CampusID: campus.ID, ClassID: c2.ID,
			Class: "一(1)班", Subject: "语文", TeacherID: teacher.ID, TeacherName: "李老师", Day: d(11, 18), Notes: "互动好", Created: now})
		must(e)
		_, e = tx.CreateObservation(ctx, bot.Observation{SchoolID: school.ID, ObserverID: leader.ID, Class: "初二(3)班", Subject: "数学",
			TeacherName: "钱老师", Day: d(11, 19), Created: now})
		must(e)
		_, e = tx.CreateTalk(ctx, bot.Talk{SchoolID: school.ID, LeaderID: leader.ID, TeacherID: teacher.ID, TeacherName: "李老师", Day: d(11, 19),
			Notes: "压力大", Created: now})
		must(e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	week := [2]time.Time{d(11, 16), d(11, 23)}
	sem := [2]time.Time{d(9, 1), d(12, 31)}
	err = db.Update(ctx, func(tx bot.Tx) error {
		got, err := tx.Visit(ctx, v1.ID)
		wantRead(t, "Visit", v1, got, err)
		mine, err := tx.VisitsBy(ctx, teacher.ID, week[0], week[1])
		if err != nil {
			return err
		}
		if len(mine) != 2 || !mine[0].Day.Equal(d(11, 17)) || mine[1].Mode != bot.VisitPhone {
			t.Errorf("VisitsBy(week) = %+v, want the visits of 17 and 20 Nov", mine)
		}
		ids, err := tx.VisitedStudents(ctx, school.ID, sem[0], sem[1])
		wantRead(t, "VisitedStudents", []int64{s1.ID, s3.ID}, ids, err)
		counts, err := tx.VisitCounts(ctx, school.ID, week[0], week[1])
		wantRead(t, "VisitCounts", []bot.PersonCount{{PersonID: teacher.ID, Count: 2}}, counts, err)
		cov, err := tx.Coverage(ctx, school.ID, sem[0], sem[1])
		wantRead(t, "Coverage", []bot.ClassCoverage{{ClassID: c1.ID, Visited: 1, Students: 2}, {ClassID: c2.ID, Visited: 1, Students: 1}}, cov, err)
		lc, err := tx.LeaderCounts(ctx, school.ID, week[0], week[1])
		wantRead(t, "LeaderCounts", []bot.LeaderCount{{PersonID: leader.ID, Observations: 2, Talks: 1}}, lc, err)
		obs, err := tx.ObservationsBy(ctx, leader.ID, week[0], week[1])
		if err != nil {
			return err
		}
		if len(obs) != 2 || obs[0].CampusID != campus.ID || obs[1].TeacherID != 0 || obs[1].TeacherName != "钱老师" {
			t.Errorf("ObservationsBy = %+v", obs)
		}
		talks, err := tx.TalksBy(ctx, leader.ID, week[0], week[1])
		if err != nil {
			return err
		}
		if len(talks) != 1 || talks[0].TeacherID != teacher.ID || talks[0].Notes != "压力大" {
			t.Errorf("TalksBy = %+v", talks)
		}
		named, err := tx.StudentsNamed(ctx, school.ID, "张小明")
		wantRead(t, "StudentsNamed", []bot.Student{s1}, named, err)
		one, err := tx.Student(ctx, s3.ID)
		wantRead(t, "Student", s3, one, err)
		if _, err := tx.Student(ctx, s3.ID+1000); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("Student(missing) = %v, want ErrNotFound", err)
		}
		st, err := tx.SchoolTalks(ctx, school.ID, sem[0], sem[1])
		wantRead(t, "SchoolTalks", talks, st, err)
		so, err := tx.SchoolObservations(ctx, school.ID, week[0], week[1])
		wantRead(t, "SchoolObservations", obs, so, err)
		all, err := tx.SchoolVisits(ctx, school.ID, sem[0], sem[1])
		if err != nil {
			return err
		}
		if len(all) != 4 || !all[3].Flagged || all[3].StudentID != 0 {
			t.Errorf("SchoolVisits = %+v", all)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 转台帐 once: the second filing of the same visit conflicts.
	err = db.Update(ctx, func(tx bot.Tx) error {
		o, err := tx.CreateOpinion(ctx, bot.Opinion{SchoolID: school.ID, Code: "VVVV-0001", Category: "teaching", Text: "作业太多",
			TextHash: "h", Source: bot.SourceHomeVisit, RecorderID: teacher.ID, Status: bot.StatusReceived, Created: now, Updated: now})
		if err != nil {
			return err
		}
		if err := tx.SetVisitOpinion(ctx, v1.ID, o.ID); err != nil {
			return err
		}
		if err := tx.SetVisitOpinion(ctx, v1.ID, o.ID); !errors.Is(err, bot.ErrConflict) {
			t.Errorf("second SetVisitOpinion = %v, want ErrConflict", err)
		}
		if err := tx.SetVisitOpinion(ctx, v1.ID+1000, o.ID); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("SetVisitOpinion(no visit) = %v, want ErrNotFound", err)
		}
		v, err := tx.Visit(ctx, v1.ID)
		if err == nil && v.OpinionID != o.ID {
			t.Errorf("OpinionID = %d, want %d", v.OpinionID, o.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
