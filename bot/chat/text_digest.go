package chat

// Everything users read of the weekly digest (周报), in one place.

const (
	textDigestLedgerTitle           = "民情台帐"
	textDigestLedgerLeadershipTitle = "民情台帐（领导班子类，监督专送）"
	textDigestNew                   = "新收意见"
	textDigestAssigned              = "交办"
	textDigestAnswered              = "答复"
	textDigestClosed                = "办结"
	textDigestOpen                  = "未办结（周末）"
	textDigestOverdue               = "其中超期"
	textDigestMedian                = "首次答复用时（中位数）"
	textDigestDaysUnit              = "个工作日"
	textDigestResponse              = "本周响应率"
	textDigestResolution            = "本周办结率"
	textDigestSatisfaction          = "本周满意率"
	textDigestSemResponse           = "本学期响应率"
	textDigestSemResolution         = "本学期办结率"
	textDigestSemSatisfaction       = "本学期满意率"
	textDigestRateOf                = "（%d/%d）"
	textDigestPoints                = "个百分点"
	textDigestByCategory            = "新收意见·按类别"
	textDigestBySource              = "新收意见·按来源"
	textDigestByUnit                = "新收意见·按涉及年级班级/部门"
	textDigestOpenList              = "未办结意见（超期在前，最早在前）"
	textDigestColCategory           = "类别"
	textDigestColThis               = "本周"
	textDigestColLast               = "上周"
	textDigestColChange             = "变化"
	textDigestColCount              = "条数"
	textDigestColSource             = "来源"
	textDigestColUnit               = "涉及"
	textDigestColCode               = "回执码"
	textDigestColUnitAssigned       = "承办部门"
	textDigestColCreated            = "收到日期"
	textDigestColOverdue            = "超期"
	textDigestDaysOverdue           = "%d天"
	textDigestUnassigned            = "未交办"
	textDigestNoUnit                = "未指明"
	textDigestOther                 = "其他"
	textDigestKNote                 = "为保护反映人，少于%[1]d人反映的分组不单独显示，记为“<%[1]d”并入“其他”。"
	textDigestChartCategory         = "本周新收意见·类别与状态"
	textDigestChartTrend            = "近8周走势"
	textDigestFigure                = "指标"
	textDigestDistrict              = "全区合计"
	textDigestNoActivity            = "本周无动态"
	textDigestMore                  = "……另有%d条，详见网页版"

	textDigestTitleSchool = "%s 第%d周周报（%s至%s）"
	textDigestTitleBureau = "%s 全区第%d周周报（%s至%s）"
	textDigestPartial     = "（本周尚未结束，数据截至%s）"
	textDigestSemester    = "学期：%s"
	textDigestSchoolsHead = "各校对比"
	textDigestLinkLine    = "完整周报（含图表、可打印）：%s"
	textDigestLinkExpiry  = "（链接%d天内有效，请勿转发）"

	// Chat.
	textDigestShortHead  = "%s第%d周周报（%s至%s）"
	textDigestShortNew   = "新收意见%d条（上周%d），交办%d，答复%d，办结%d；未办结%d，其中超期%d。"
	textDigestShortRates = "本周响应率%s、办结率%s、满意率%s；本学期%s、%s、%s。"
	textDigestShortOther = "%s：%s"
	textDigestNotLeader  = "周报只发给学校领导和监督人员。"
	textDigestNoWeek     = "没有找到第%d周。可以发送“周报”“上周周报”或“第47周周报”。"
	textDigestFuture     = "第%d周还没有开始。可以发送“周报”查看上周的周报。"
	textDigestBureauNote = "（各校分项见网页版）"

	// Template message fields (each at most 20 characters).
	textDigestTplTitle   = "%s周报"
	textDigestTplWeek    = "第%d周 %s至%s"
	textDigestTplSummary = "新收%d条 超期%d条"
)

// sourceLabel names where an opinion came from.
func sourceLabel(s string) string {
	switch s {
	case "voice":
		return "语音"
	case "home_visit":
		return "家访"
	}
	return "公众号留言"
}

// The study section.
const (
	textDigestStudyTitle   = "学习打卡"
	textDigestStudyMet     = "达到每周学习目标"
	textDigestStudyExcused = "请假（不计）"
	textDigestStudyHours   = "学习总时长"
	textDigestStudyMedian  = "人均学习时长（中位数）"
	textDigestStudyChars   = "笔记字数"
	textDigestStudyEssays  = "收到心得体会"
	textDigestStudyCopies  = "心得疑似雷同"
	textDigestStudyBehind  = "本周未达标（仅领导可见）"
	textDigestStudyPeople  = "人数"
	textDigestChartStudy   = "本周学习时长分布（有目标的教职工）"
	textDigestStudyNote    = "未达标名单只在领导的周报中显示，不公开排名。"
	textDigestHours        = "小时"
	textDigestColName      = "姓名"
	textDigestColDone      = "本周已学"
	textDigestColTarget    = "每周目标"
)

// textDigestStudyBuckets label the hour buckets.
var textDigestStudyBuckets = []string{"未打卡", "1小时以内", "1–3小时", "3–5小时", "5小时以上"}

// The home visits' and observations' sections.
const (
	textDigestVisitsTitle    = "家访"
	textDigestVisitsCount    = "本周家访"
	textDigestVisitsMet      = "完成每周%d次家访的教师"
	textDigestVisitsCoverage = "本学期家访覆盖率"
	textDigestVisitsLowest   = "各班家访覆盖（由低到高）"
	textDigestChartCoverage  = "本学期各班家访覆盖率"
	textDigestColClass       = "班级"
	textDigestColVisited     = "已家访"
	textDigestColStudents    = "学生数"
	textDigestColCoverage    = "覆盖率"
	textDigestObsTitle       = "推门听课与谈心"
	textDigestObsCount       = "听课"
	textDigestTalkCount      = "谈心"
	textDigestObsMet         = "完成每周听课的校级领导"
	textDigestTalkMet        = "完成每周谈心的校级领导"
	textDigestObsLeaders     = "各位领导（本周/目标）"
	textDigestColObs         = "本周听课"
	textDigestColTalks       = "本周谈心"
	textDigestColSemObs      = "本学期听课"
)
