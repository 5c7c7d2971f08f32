package chat

import "minqing/bot"

// What the bot says about binding staff to WeChat and about who a sender is.

const (
	textBindHow          = "请发送“绑定”加上您的绑定码，例如：绑定 7KQ2M9XD。绑定码向学校管理员领取。"
	textBindWrong        = "绑定码不正确，请核对后重新发送（注意区分字母和数字，绑定码里没有 0、O、1、I）。"
	textBindUsed         = "这个绑定码已经使用过了。如需重新绑定，请联系学校管理员获取新的绑定码。"
	textBindExpired      = "这个绑定码已过期。请联系学校管理员获取新的绑定码。"
	textBindTriesLeft    = "（还可以尝试 %d 次）"
	textBindLocked       = "尝试次数过多，绑定功能已暂停一小时。请核对绑定码后再试，或联系学校管理员。"
	textBindUnavailable  = "系统繁忙，暂时无法绑定，请稍后再试。"
	textBindInactive     = "这个绑定码对应的人员已不在教职工名单中。如有误，请联系学校管理员。"
	textBindAlreadyBound = "您的微信已绑定为%s的%s。如需更换，请先发送“解绑”。"
	textBindDone         = "绑定成功！您是%s的%s（%s）。"

	textUnbindNotBound = "您的微信还没有绑定教职工身份，无需解绑。"
	textUnbindDone     = "已解绑，您（%s）的微信现在是匿名用户。如需重新绑定，请联系学校管理员获取新的绑定码。"

	textWhoAmI          = "您是%s的%s（%s）。"
	textWhoAmIAnonymous = "您目前是匿名用户（家长或访客）：学校看不到您是谁。可以直接发送意见建议。\n教职工请发送“绑定 绑定码”完成绑定。"
	textWelcomeBack     = "欢迎回来，%s！您的教职工绑定已恢复。"

	textRoleNone = "教职工"

	textHelpCheckin     = "• 学习打卡：学习 2小时 《论群众路线》 笔记1500字（撤销：撤回最后一次）\n• 心得体会：发送“心得”，再发全文（可分几条），最后发送“提交”\n• 家访记录：家访 三(2)班 张小明 上门 家长反映……\n• 我的学习：查看本周和本学期进度\n• 请假 本周 / 请假 11月18日至11月29日；暂停提醒 / 恢复提醒"
	textHelpObserve     = "• 听课：听课 初二(3)班 语文 李老师 评价……\n• 谈心：谈心 王老师 内容……\n• 我的听课：听课、谈心进度"
	textHelpLedger      = "• 台帐：查看待办意见；详情/交办/答复/办结 回执码"
	textHelpDigest      = "• 周报：查看本周汇总"
	textHelpStaffCommon = "• 我是谁 · 解绑 · 帮助"
)

var textRoleLabel = map[bot.Role]string{
	bot.RoleTeacher:        "教师",
	bot.RolePartyMember:    "党员",
	bot.RoleMiddleLeader:   "中层干部",
	bot.RoleSchoolLeader:   "校级领导",
	bot.RolePartySecretary: "党组织书记",
	bot.RoleDiscipline:     "纪检委员",
	bot.RoleAdmin:          "管理员",
}

// Import reports.
