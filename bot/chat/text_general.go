package chat

// What the bot says in general: help, welcome and the answers for
// messages it cannot handle. Every user-facing sentence of this feature is
// here, so that it can be reviewed and edited in one place.

const (
	textHelp = `您好，这里是学校的民情服务号。可以直接发送：
• 建议/意见：直接写下您想说的话，例如“建议：食堂饭菜太咸了”，会匿名转给学校并给您一个回执码
• 查询 回执码：查看办理进度和答复
• 帮助：再看一次这段说明
• 取消：退出正在进行的步骤`

	textWelcome = `感谢关注！这里是学校的民情服务号，家长和老师都可以在这里向学校反映意见建议，学校会逐条登记、交办、答复。

` + textHelp

	textNotUnderstood = `抱歉，这条消息我还看不懂。发送“帮助”可以看到能做什么。`

	textNonText = `目前只能处理文字和语音消息。请用文字（或语音）把想说的发给我；发送“帮助”查看用法。`

	textVoiceUnrecognised = `抱歉，这段语音没有识别出文字。请再说一次，或者直接发文字。`

	textFlood = `您发送得太快了，这条消息没有收到。请过一分钟再把它发送一次。`

	textBusy = `系统正忙，这条消息没有处理成功，请稍后再发送一次。`

	textCancelled = `好的，已取消。`

	textNothingToCancel = `当前没有进行中的操作。发送“帮助”查看用法。`
)

// Menu labels (each at most 4 Chinese characters at the top level, as
// WeChat shows them) and click answers.
const (
	textMenuOpinion = "我要建议"
	textMenuStaff   = "教职工"
	textMenuCheckin = "学习打卡"
	textMenuVisit   = "家访记录"
	textMenuMine    = "我的"
	textMenuMe      = "我是谁"
	textMenuQuery   = "查询进度"
	textMenuLedger  = "民情台帐"
	textMenuHelp    = "使用帮助"

	textMenuVisitHow = "家访记录格式：家访 班级 学生姓名 方式 家长反映的情况。\n例如：家访 三(2)班 张小明 上门 家长反映作业太多，孩子每天写到十点。"
)

const (
	textHelpStaffHead    = "教职工还可以发送："
	textNothingToSubmit  = "当前没有正在填写的建议。点菜单“我要建议”或发送“我要建议”开始；也可以直接发送意见内容。"
	textNothingToConfirm = "当前没有需要确认的内容。发送“帮助”查看用法。"
	textCheckinSoon      = "学习打卡、心得、家访和听课记录功能即将开通，届时会通知大家。现在可以先用“我要建议”反映意见。"
	textDigestSoon       = "周报功能即将开通。现在可以发送“台帐”查看待办意见。"
	textSchoolWelcome    = "欢迎关注%s！"
)
