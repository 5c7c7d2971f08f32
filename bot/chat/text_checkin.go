package chat

// What the bot says about study check-ins, reflection essays, excused
// weeks and study reminders. Every user-facing sentence of this feature is
// here, so that it can be reviewed and edited in one place.

const (
	// check-ins
	textStudyAskDuration   = "学了多长时间？请回复时长，例如“2小时”“40分钟”“一个半小时”；写了笔记也可以回复“笔记1500字”。发送“取消”放弃。"
	textStudyRecorded      = "已记录：%s。%s。"
	textStudyWhat          = "%s（%s）学习 %s 小时"
	textStudyWhatNotes     = "%s（%s）笔记 %s 字"
	textStudyAndNotes      = "，笔记 %s 字"
	textStudyFuture        = "日期%s还没到，没有记录。请在学习之后再打卡；如果日期写错了，请重新发送，例如“昨天学习1小时”。"
	textStudyBeforeTerm    = "%s不在本学期（%s，从%s开始）之内，没有记录。本学期的学习请从开学后打卡。"
	textStudyTooOld        = "%s已经超过 14 天，不能补打卡，没有记录。请打卡最近 14 天内的学习。"
	textStudyTooLong       = "一天学习 %s 小时超过了 12 小时，没有记录。请核对时长后重新发送，例如“学习2小时”。"
	textStudyDayTooLong    = "%s已经记录了 %s 小时，再加 %s 小时就超过一天 12 小时，没有记录。请核对后重新发送；记错了可以先发送“撤销”。"
	textStudyTooManyChars  = "一次笔记 %s 字超过了 50,000 字，没有记录。请核对字数后重新发送，例如“笔记3000字”。"
	textStudyDuplicate     = "这条和您上一条打卡（%s）完全相同，没有重复计算。如果确实又学习了一次，请回复“是”；否则不用理会。"
	textStudyNotDuplicate  = "好的，没有重复记录。"
	textWeekProgress       = "%s %s/%s 小时，还差 %s 小时"
	textWeekDone           = "%s %s/%s 小时，已完成"
	textWeekNoTarget       = "%s累计 %s 小时"
	textWeekExcused        = "%s已请假，不计入学习目标"
	textThisWeek           = "本周"
	textThatWeek           = "%s那周"
	textNotesProgress      = "本学期笔记 %s/%s 字"
	textNotesDone          = "本学期笔记 %s/%s 字，已完成"
	textNotesNoTarget      = "本学期笔记 %s 字"
	textStudyNoSemester    = "现在是假期，不在任何学期之内，没有记录。开学后再打卡吧。"
	textUndoDone           = "已撤销：%s。%s。"
	textUndoNothing        = "24 小时内没有可以撤销的学习打卡。"
	textStudyProgressHead  = "我的学习（第%d周，%s—%s）"
	textStudyProgressWeek  = "本周：%s"
	textStudyProgressEntry = " · %s"
	textStudyProgressNone  = " · 本周还没有打卡"
	textStudyProgressTerm  = "本学期（%s）：学习 %s 小时，%s，心得 %s"
	textStudyProgressYear  = "%d年：学习 %s 小时"
	textStudyProgressTail  = "打卡示例：学习 2小时 《论群众路线》 笔记1500字。发送“撤销”可撤回 24 小时内最后一次打卡，“心得”提交心得体会，“请假 本周”登记请假。"
	textEssayCount         = "%d/%d 篇"
	textEssayCountNoTarget = "%d 篇"
	textExcusedWeeks       = "，已请假 %d 周"
	textNotesPlain         = "笔记 %s 字"
	textNotesOf            = "笔记 %s/%s 字"

	// essays
	textEssayStart     = "请发送心得体会全文，可以分几条发送（第一行可写标题）。发完后发送“提交”，放弃发送“取消”。"
	textEssayPart      = "已收到第 %d 段，目前共 %s 字。继续发送，或发送“提交”完成、“取消”放弃。"
	textEssayEmpty     = "还没有收到心得内容。请先发送心得全文，再发送“提交”；放弃请发送“取消”。"
	textEssayTooLong   = "心得已超过 20,000 字，这一段没有加入。请发送“提交”提交已收到的内容，或发送“取消”重新开始。"
	textEssaySubmitted = "已提交心得%s，共 %s 字。本学期已交心得 %s。"
	textEssayCancelled = "好的，已放弃这篇心得，内容没有保存。"
	textEssayListHead  = "本学期心得（%s，共 %d 篇）："
	textEssayListItem  = "%d. %s %s %s 字 %s"
	textEssayListCopy  = " ⚠与%s的%s相似 %d%%"
	textEssayListNone  = "本学期（%s）还没有人提交心得。"
	textEssayListMore  = "……另有 %d 篇，请用“minqing export study”导出查看。"
	textUntitled       = "（无标题）"

	// excused weeks
	textExcuseHow     = "请假请写明时间，例如“请假 本周”“请假 下周”或“请假 11月18日至11月29日”。请假的周不计入学习目标，也不会收到提醒。"
	textExcuseDone    = "已登记请假：%s。这些周不计入学习目标，也不会收到提醒。"
	textExcuseTooLong = "一次最多请假 26 周，请分开登记，或请学校管理员登记。"
	textExcuseBad     = "请假的结束日期早于开始日期，请重新发送，例如“请假 11月18日至11月29日”。"
	textExcuseWeek    = "第%d周（%s—%s）"

	// reminders
	textRemindersPaused  = "好的，已暂停学习提醒。需要时发送“恢复提醒”即可重新接收。"
	textRemindersResumed = "好的，已恢复学习提醒：每周未完成学习目标时会提醒您一次。"
	textReminder         = "学习提醒：本周（第%d周）您已学习 %s 小时，目标 %s 小时，还差 %s 小时。打卡请发送例如“学习 1小时 《论群众路线》”；如本周请假请发送“请假 本周”；不想接收提醒请发送“暂停提醒”。"
	textReminderField1   = "第%d周学习打卡"
	textReminderField2   = "已学%s小时，还差%s小时"
)

// weekdayNames are the days of the week as a date shows them (周二).
var weekdayNames = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// textMenuEssay is the menu item 学习打卡 → 交心得.
const textMenuEssay = "交心得"
