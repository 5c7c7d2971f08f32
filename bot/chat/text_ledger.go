package chat

// What the bot says to leaders about the ledger.

const (
	textLedgerHead         = "民情台帐：待办 %d 条（逾期在前）"
	textLedgerOverdue      = "（限%s，已逾期）"
	textLedgerDue          = "（限%s）"
	textLedgerFoot         = "第%d/%d页。发送“详情 回执码”看全文，“交办 回执码 部门 3天”交办。"
	textLedgerNext         = "发送“台帐 %d”看下一页。"
	textLedgerEmpty        = "民情台帐里没有待办的意见。"
	textLedgerNoPage       = "没有第%d页，一共%d页。"
	textLedgerNeedCode     = "请写上回执码，例如：详情 K7M2-9QXD。发送“台帐”查看待办列表。"
	textLedgerNoSuchCode   = "没有找到回执码 %s。发送“台帐”查看待办列表。"
	textLedgerNotYours     = "这条意见不属于您负责的学校。"
	textDetailHead         = "回执码 %s｜%s｜%s\n提交时间：%s"
	textDetailNotAnonymous = "\n（家访时由教师记录，非匿名）"
	textDetailUnit         = "\n涉及：%s"
	textDetailAssigned     = "\n交办：%s，限%s"
	textDetailAnswer       = "答复：%s"
	textDetailHistory      = "办理记录："

	textAssignNoUnit      = "没有找到“%s”。可以交办的部门：%s。\n格式：交办 回执码 部门 3天"
	textAssignTooLong     = "办理期限最长60个工作日。"
	textAssigned          = "已把回执码 %s 交办给%s，%d个工作日内办理（%s前）。"
	textNoUnits           = "（名单中还没有部门，请先导入教职工名单）"
	textIllegalTransition = "回执码 %s 目前是“%s”，不能直接改为“%s”。"
	textStepDone          = "回执码 %s 已改为“%s”。"

	textAnswerNeedText       = "请写上答复内容，例如：答复 %s 已安排食堂调整口味，下周一起执行。"
	textRejectNeedReason     = "请写上不予受理的原因，例如：不予受理 %s 不属于学校职责范围。"
	textAnswerTooLong        = "答复请控制在600字以内；详细说明可以分成答复和办结说明两部分。"
	textAnswerAssignFirst    = "回执码 %s 还没有交办，请先交办（或在交办后直接答复）：交办 回执码 部门 3天。"
	textAnswered             = "回执码 %s 已改为“%s”，正在把答复推送给反映人。如果对方超过48小时没有和公众号互动，会在其发送“查询”时看到。"
	textAnsweredNoLink       = "回执码 %s 已改为“%s”。系统已不再记得这条意见是谁发的（超过了保存期限），答复无法推送，反映人发送“查询”加回执码可以看到。"
	textDetailRatingComment  = "（反映人补充：%s）"
	textAnsweredLinkDown     = "回执码 %s 已改为“%s”。系统暂时连不上临时存储，这次答复没能推送给反映人；反映人发送“查询”加回执码可以看到。"
	textAnsweredNotAnonymous = "回执码 %s 已改为“%s”（这条意见由教师在家访时记录，请由教师转告家长）。"

	textMergeHow = "格式：合并 回执码 到 另一个回执码。"
	textMerged   = "已把回执码 %s 作为重复意见合并到 %s。"
)
