package chat

// What the bot says to small talk and to text it cannot place, and the
// sender's own list (查询 or 详情 without a code).

const (
	textTalkGreeting     = "您好！这里是学校的民情服务号。"
	textTalkWhatParent   = "有意见建议直接发文字或语音就行，会匿名转给学校，并给您一个回执码查进度。发送“帮助”看全部用法。"
	textTalkWhatStaff    = "教职工可以反映意见、查看台帐和办理意见；发送“帮助”看您能用的全部命令。"
	textTalkThanks       = "不客气！有新的意见建议随时发给我。"
	textTalkAck          = "好的。有意见建议随时发给我；发送“帮助”看用法。"
	textTalkHowTo        = "反映问题很简单：直接把想说的写下来发给我，例如“建议：食堂饭菜太咸了，希望少放点盐”。"
	textTalkSymbols      = "收到您的表情了😊"
	textTalkForeign      = "目前只能处理中文消息。请用中文（文字或语音）把想说的发给我，例如“建议：食堂饭菜太咸了”；发送“帮助”看用法。"
	textTalkFragment     = "您是想反映“%s”方面的事吗？请多写几句，说清楚是什么问题、希望学校怎么做，我会匿名转给学校。"
	textTalkOffer        = "这条消息我没有完全看懂。要把它作为意见（匿名）反映给学校吗？\n「%s」\n回复“是”提交为意见，回复“否”不提交。"
	textTalkStaffOpinion = "如果是想反映意见，请在开头写上“建议：”。"

	textOwnLatest         = "您最近反映的意见："
	textOwnListFoot       = "更早的意见请发送“查询 回执码”（回执码在当时收到的回复里）。"
	textOwnListNone       = "没有找到您最近反映的意见。请发送“查询 回执码”查看（回执码在提交意见时收到的回复里）；有新的意见建议直接发送文字即可。"
	textOwnListNoneLeader = "您最近没有以个人身份反映意见。查看待办意见请发送“台帐”，查看某一条请发送“详情 回执码”。"
)
