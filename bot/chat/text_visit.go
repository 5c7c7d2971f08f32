package chat

// What the bot says about home visits (家访), observations (听课) and talks
// (谈心). Every user-facing sentence of these features is here.

const (
	// the guided 家访 flow
	textVisitAskClass      = "请发送学生所在的班级，例如：三(2)班、初二3班。（随时发送“取消”退出）"
	textVisitAskClassBad   = "没看懂这个班级。请按“年级+班号”发送，例如：三(2)班、3年级2班、初二3班、高一(5)班。"
	textVisitAskStudent    = "请发送学生姓名，例如：张小明。"
	textVisitStudentBad    = "请只发送学生的姓名（2到5个汉字），例如：张小明。"
	textVisitAskDate       = "哪天家访的？发送“今天”“昨天”“周二”或日期，例如：11月18日。"
	textVisitDateBad       = "没看懂这个日期。请发送“今天”“昨天”“周二”或日期，例如：11月18日。"
	textVisitDateFuture    = "家访日期不能晚于今天，请重新发送日期，例如：今天、昨天、11月18日。"
	textVisitAskMode       = "家访方式是？请发送：上门、电话 或 视频。"
	textVisitModeBad       = "请发送家访方式：上门、电话 或 视频。"
	textVisitAskNotes      = "家长说了什么、反映了哪些情况？请直接发送；没有可发送“无”。"
	textVisitAskFollow     = "需要后续跟进吗？请回复“需要”或“不需要”。"
	textVisitFollowBad     = "请回复“需要”或“不需要”。"
	textVisitPickStudent   = "名册里有%d位叫%s的学生，请回复序号选择：\n%s"
	textVisitPickBad       = "请回复列表中的序号（%d到%d），或发送“取消”。"
	textVisitPickElsewhere = "名册中%s没有叫%s的学生。您是指下面哪一位？请回复序号；都不是请回复 0，按原文记录：\n%s"
	textVisitNoSchool      = "您的账号还没有所属学校，无法记录。请联系学校管理员。"

	// a recorded visit
	textVisitSaved     = "已记录家访：%s %s，%s，%s。"
	textVisitSavedSaid = "\n家长所说：%s"
	textVisitSavedFlw  = "\n需要跟进：%s"
	textVisitFlagged   = "\n（学校名册中没有找到这位学生，记录已保存，并标记给管理员核对名册。）"
	textVisitWeek      = "\n本周已家访 %d 次（目标每周 %d 次）；发送“我的家访”查看进度和班级覆盖。"
	textVisitToLedger  = "\n如需把家长的意见转入民情台帐由学校办理，请回复“转台帐”。"
	textYes            = "是"
	textNo             = "否"
	textNotGiven       = "未注明"

	// 转台帐
	textToLedgerNone   = "最近两周没有可以转入台帐的家访记录（需要记录了家长反映的内容，且还没有转过）。"
	textToLedgerDone   = "已把%s家长反映的意见转入民情台帐（%s，编号 %s，实名：由您记录）。学校答复后会发给您，请您转告家长。"
	textPushVisitReply = "您家访时转入台帐的家长意见（编号 %s）学校已答复：\n%s\n请您转告家长。"
	textPushVisitRej   = "您家访时转入台帐的家长意见（编号 %s）学校决定不予受理，原因：\n%s\n请您向家长说明。"
	textAnsweredToRec  = "编号 %s 已改为“%s”。这条意见是教师家访时记录的，答复已发给记录的教师，由其转告家长。"

	// 我的家访, 未家访
	textVisitProgressWeek = "本周（%s）家访 %d 次，目标每周 %d 次%s。"
	textVisitProgressSem  = "\n本学期（%s）共家访 %d 次。"
	textVisitCoverageHead = "\n本学期班级家访覆盖（已家访/学生数）："
	textVisitCoverageLine = "\n• %s：%d/%d"
	textVisitCoverageGoal = "\n班主任每学期需对每位学生家庭至少家访一次。发送“未家访”查看名单。"
	textVisitNoClasses    = "\n名册中您没有任教的班级，因此没有班级覆盖情况。"
	textTargetMet         = "，已完成"
	textTargetShort       = "，还差 %d 次"
	textUnvisitedHead     = "本学期（%s）还没有家访的学生："
	textUnvisitedLine     = "\n• %s（%d人）：%s"
	textUnvisitedMore     = " 等"
	textUnvisitedNone     = "本学期（%s）您任教班级的学生都已家访过，辛苦了！"
	textNoSemester        = "现在不在学期中，暂时没有统计。"

	// 听课, 谈心
	textObserveHow      = "听课记录格式：听课 班级 学科 老师 评价。\n例如：听课 初二3班 语文 李老师 评价：课堂互动好，板书可以更清楚。"
	textTalkHow         = "谈心记录格式：谈心 老师 内容。\n例如：谈心 王老师 最近带毕业班压力大。"
	textObserveSaved    = "已记录听课：%s，%s。"
	textObserveEval     = "\n评价：%s"
	textTalkSaved       = "已记录谈心：%s，%s。"
	textTalkNotes       = "\n内容：%s"
	textStaffNotFound   = "\n（名册中没有找到“%s”，已按原文记录。）"
	textStaffPick       = "名册里有几位可能是“%s”，请回复序号选择；都不是请回复 0：\n%s"
	textStaffPickBad    = "请回复列表中的序号（0到%d），或发送“取消”。"
	textPushEvaluation  = "%s听了您%s的课，评价：\n%s"
	textObserveWeek     = "\n本周听课 %d 节（目标 %d 节），谈心 %d 次（目标 %d 次）。"
	textObserveSemester = "\n本学期（%s）听课 %d 节（目标 %d 节），本月 %d 节（目标 %d 节）。"
	textObserveCampus   = "\n本学期在%s听课 %d 节%s"
	textObserveCampusLs = "：%s"
	textObserveNone     = "本学期（%s）还没有听课记录。"
	textObserveMine     = "我的听课谈心："
	textObserveProgSem  = "\n本学期共听课 %d 节，谈心 %d 次。"
	textObserveLastHead = "\n最近的听课："
	textObserveLastLine = "\n• %s %s"
	textAnyClass        = "（未注明班级）"
)

// visitModeLabels are the modes as users read them.
var visitModeLabels = map[string]string{
	"home": "上门", "phone": "电话", "video": "视频", "wechat": "微信", "school": "家长来校",
}
