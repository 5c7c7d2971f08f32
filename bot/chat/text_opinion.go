package chat

import (
	"minqing/bot"
	"minqing/bot/parse"
)

// What the bot says while taking opinions in and afterwards, to the
// (usually anonymous) sender.

const (
	textOpinionFiled         = "已收到您的意见，学校会登记办理。\n分类：%s\n回执码：%s"
	textAnonymityLine        = "匿名：学校的数据库和备份里没有您的身份；最多%d天内系统能把答复推送给您，之后凭回执码查询。发送“隐私”看详细说明。"
	textOpinionNext          = "发送“查询 %[1]s”可查看进度；分类不对可回复“改为 师德师风”这样的话更正；学校交办前可发送“撤回 %[1]s”撤回。"
	textOpinionTooShort      = "内容太短了，请多写几句，说清楚是什么事（比如时间、地点、希望学校怎么做）。"
	textOpinionTooLong       = "内容有%d字，超过了%d字的上限。请精简一下，或者分几条发送。"
	textOpinionRepeat        = "这条意见今天已经收到过了（回执码 %s），不用重复发送。发送“查询 %[1]s”可查看进度。"
	textOpinionRepeatPending = "这条意见刚刚已经收到，正在登记，不用重复发送。"
	textTryLater             = "系统暂时忙不过来，这条消息没有办理，请稍后再试。"
	textOpinionCap           = "您今天已经反映了%d条意见，已达到每天的上限。请明天再发，或把几件事合并成一条发送。"
	textConfirmOpinion       = "您是想把这段话作为意见建议（匿名）反映给学校吗？\n「%s」\n回复“是”提交，回复“否”取消。"
	textConfirmDeclined      = "好的，没有提交。需要反映意见时，直接发送内容即可，也可以在开头写上“建议：”。"
	textNoSchool             = "学校还没有完成设置，暂时不能接收意见。请稍后再试。"

	textChooseSchool      = "请先选择您要反映意见的学校，回复序号或学校代码："
	textChooseSchoolAgain = "没有找到这所学校，请回复列表中的序号或学校代码（发送“取消”退出）。"
	textSchoolChosen      = "好的，已选择%s。"

	textDraftStart            = "请直接发送您想向%s反映的内容，可以分几条发送（文字或语音都可以）。\n发完后回复“提交”；两分钟内没有新消息也会自动提交。回复“取消”放弃。"
	textDraftResume           = "您有一条正在填写的建议（已有%d段），请继续发送，或回复“提交”“取消”。"
	textDraftPart             = "已记下第%d段（共%d字）。继续补充，或回复“提交”。"
	textDraftFull             = "内容已经接近%d字的上限，这一段没有记入。请回复“提交”先提交已有内容。"
	textDraftEmpty            = "还没有收到内容。请先发送您想反映的内容，再回复“提交”；或回复“取消”退出。"
	textDraftCancelled        = "已取消，这条建议没有提交。"
	textDraftHelp             = "正在填写建议：直接发送内容（可以分几条），回复“提交”提交，回复“取消”放弃。"
	textDraftSubmitted        = "已提交您的建议（共%d段）。"
	textDraftAutoSubmitted    = "两分钟没有收到新内容，已自动提交您的建议（共%d段）。"
	textDraftAlreadySubmitted = "这条建议两分钟没有新内容，已经自动提交了，回执马上发给您。"
	textDraftAutoRefused      = "您在“我要建议”中填写的内容没有提交："

	textQueryHow      = "请发送“查询”加回执码，例如：查询 K7M2-9QXD。"
	textQueryNotFound = "没有找到回执码 %s。请核对后再发（回执码是8位字母和数字，例如 K7M2-9QXD）。"
	textQueryLocked   = "查询太频繁，请一小时后再试。"
	textQueryHead     = "回执码 %s（%s，%s提交）\n「%s」"
	textQueryStatus   = "状态：%s"
	textQueryDue      = "，要求%s前办理"
	textQueryAnswer   = "学校答复：%s"
	textQueryRated    = "评价：%s"
	textQueryRejected = "不予受理的原因：%s"
	textQueryMerged   = "这条意见与另一条相同的意见合并办理。"

	textRateHow          = "对这个答复满意吗？请回复“满意”“基本满意”或“不满意”（回执码 %s）。"
	textRateNothing      = "没有找到等待评价的答复。如需评价，请发送“满意 回执码”。"
	textRateNeedCode     = "请在评价后加上回执码，例如：满意 K7M2-9QXD。"
	textRateWhich        = "您有几条答复等待评价：%s。请在评价后加上回执码，例如：满意 %s。"
	textRateAlready      = "回执码 %s 已经评价过了（%s）。"
	textRateNotYet       = "回执码 %s 目前是“%s”，学校答复后才能评价。"
	textRated            = "谢谢您的评价（%s，回执码 %s）！"
	textRatedUnsatisfied = "谢谢您的评价。您对回执码 %s 的答复不满意，学校会看到这个评价；如有补充，可以再发一条意见说明。"

	textWithdrawHow     = "请发送“撤回”加回执码，例如：撤回 K7M2-9QXD。"
	textWithdrawTooLate = "回执码 %s 已经是“%s”，不能撤回了。"
	textWithdrawn       = "已撤回回执码 %s 的意见。"
	textNotYours        = "没有在您最近提交的意见中找到回执码 %s。撤回、更正分类只能由本人在提交后的几天内操作；查看进度请发送“查询 %[1]s”。"

	textRecategorizeHow     = "请写明新的分类，例如：改为 师德师风。可选：领导班子、处室部门、师德师风、教育教学、后勤保障、安全、收费、其他。"
	textRecategorizeNothing = "没有找到您最近提交、还能更正分类的意见。可以发送“改为 回执码 分类”。"
	textRecategorizeTooLate = "回执码 %s 已经由学校受理，分类不能再由您更正了。"
	textRecategorized       = "已把回执码 %s 的分类改为“%s”。"

	textPrivacy = "关于匿名，说清楚：\n" +
		"1. 意见本身不保存您的微信身份，也不保存任何由它推算出的信息；时间只记到小时。学校的数据库、备份和导出里都查不到是谁反映的，拿到服务器密钥也不行。\n" +
		"2. 为了把答复推送给您、让您能撤回或更正分类、防止重复提交和刷屏，系统在临时存储（Redis，或程序内存）里用随机的临时密钥记下“这条意见是您发的”，最多保存%d天，到期连同密钥一起删除，此后任何人都对不上是您；服务重启也可能提前删除。这以后请凭回执码“查询”。\n" +
		"3. 做不到的：在您发送时能控制正在运行的服务器的人，可能记下发送者；意见内容本身（写到的具体人和事）也可能让人猜到是谁写的。\n" +
		"4. 教师家访时代家长记录的意见不是匿名的，会注明。"

	textPushAnswer   = "您反映的意见（回执码 %s）学校已答复：\n%s"
	textPushRejected = "您反映的意见（回执码 %s）学校决定不予受理，原因：\n%s"
)

var textStatusLabel = map[bot.OpinionStatus]string{
	bot.StatusReceived:   "待受理",
	bot.StatusAssigned:   "已交办",
	bot.StatusProcessing: "办理中",
	bot.StatusAnswered:   "已答复",
	bot.StatusClosed:     "已办结",
	bot.StatusRejected:   "不予受理",
	bot.StatusMerged:     "重复（已合并）",
	bot.StatusWithdrawn:  "已撤回",
}

func statusLabel(s bot.OpinionStatus) string {
	if l, ok := textStatusLabel[s]; ok {
		return l
	}
	return string(s)
}

var textRatingLabel = map[string]string{
	parse.RatingSatisfied:   "满意",
	parse.RatingBasic:       "基本满意",
	parse.RatingUnsatisfied: "不满意",
}

func ratingLabel(r string) string {
	if l, ok := textRatingLabel[r]; ok {
		return l
	}
	return r
}

var textEventLabel = map[string]string{
	"received":      "收到",
	"assigned":      "交办",
	"processing":    "办理中",
	"answered":      "答复",
	"closed":        "办结",
	"rejected":      "不予受理",
	"merged":        "合并",
	"withdrawn":     "反映人撤回",
	"recategorized": "更正分类",
	"rated":         "反映人评价",
	"pushed":        "答复已推送给反映人",
	"push_failed":   "答复未能推送（等反映人查询）",
}

func eventLabel(k string) string {
	if l, ok := textEventLabel[k]; ok {
		return l
	}
	return k
}
