package chat

import "minqing/bot"

// Refusals: what a sender is told when their role does not allow a request,
// and how to get access.

var textRefusedUnbound = map[bot.Action]string{
	bot.ActCheckin:   "学习打卡、心得和家访记录只对本校教职工开放。教职工请先发送“绑定 绑定码”（绑定码向学校管理员领取）完成绑定。家长如有意见建议，可以直接发送文字。",
	bot.ActObserve:   "听课和谈心记录只对学校领导开放。请先发送“绑定 绑定码”完成绑定。",
	bot.ActLedger:    "民情台帐只对本校领导开放。学校领导请先发送“绑定 绑定码”完成绑定。",
	bot.ActSupervise: "这项内容只对负责监督的同志开放。请先发送“绑定 绑定码”完成绑定。",
	bot.ActDigest:    "周报只对学校领导开放。学校领导请先发送“绑定 绑定码”完成绑定。",
	bot.ActAdmin:     "这项操作只对学校管理员开放。",
}

var textRefusedRole = map[bot.Action]string{
	bot.ActCheckin:   "您的账号目前没有打卡权限（名单中的职务不是任课教师）。如有误，请联系学校管理员在教职工名单中修改职务后重新导入。",
	bot.ActObserve:   "听课和谈心记录只对学校领导开放。如果您担任领导职务，请联系学校管理员在教职工名单中填写职务后重新导入。",
	bot.ActLedger:    "民情台帐只对本校领导开放。如果您担任领导职务，请联系学校管理员在教职工名单中填写职务后重新导入。",
	bot.ActSupervise: "涉及领导班子的意见由纪检委员（或教育局）负责，您的账号没有查看权限。",
	bot.ActDigest:    "周报只对学校领导开放。如果您担任领导职务，请联系学校管理员在教职工名单中填写职务后重新导入。",
	bot.ActAdmin:     "这项操作只对学校管理员开放。",
}
