package chat

// What a school's administrator is told about a settings document
// (minqing settings --set / --template).

const (
	textSettingsNotJSON          = "设置文件不是有效的 JSON：%v。可以用 minqing settings --school 学校 --template 生成一份模板再修改。"
	textSettingsUnknownKey       = "不认识的设置项“%s”（是不是“%s”？）。可用的设置项：%s。"
	textSettingsNotObject        = "设置项“%s”应当是 {\"分类\": …} 这样的对象。"
	textSettingsUnknownCategory  = "设置项“%s”里的分类“%v”不存在。可用的分类：%s。"
	textSettingsBadValue         = "设置的值类型不对：%v。数字不加引号，日期写成 \"2026-10-01\"，部门写成 \"总务处\"。"
	textSettingsSupervisor       = "监督（supervisor）只能是 纪检委员（discipline）、党组织书记（party_secretary）或 教育局（bureau），不能是“%s”。"
	textSettingsWorkday          = "调休上课日“%s”的格式不对，应写成 2026-10-10。"
	textSettingsHoliday          = "节假日“%s”的格式不对，应写成 2026-10-01 或 2026-10-01/2026-10-07。"
	textSettingsHolidayRange     = "节假日“%s”不是有效的日期范围（结束日期不能早于开始日期）。"
	textSettingsPositive         = "%s 必须是正数。"
	textSettingsLinkDays         = "推送答复天数（link_days）最多%d天。"
	textSettingsSemester         = "学期“%s”要写名称和开始、结束日期，例如 {\"name\": \"2026秋季学期\", \"start\": \"2026-09-01\", \"end\": \"2027-01-20\"}，结束不能早于开始。"
	textSettingsRouteNoUnit      = "交办部门：%s → “%s”，本校没有这个部门。"
	textSettingsUnits            = "本校的部门：%s。"
	textSettingsTemplateNote     = "修改后用 minqing settings --school 学校 --set 本文件 保存。交办部门：各分类的意见默认交给哪个部门（须是本校名单中的部门）；监督：涉及领导班子的意见由谁办理（纪检委员、党组织书记或教育局）；节假日、调休上课日：按工作日计算期限；关键词：各分类补充的关键词；每日意见上限：每人每天最多几条；推送答复天数：多少天内能把答复推送给匿名反映人（最多30天，之后凭回执码查询）；办理期限：交办时不写天数的默认工作日数；最少人数：统计中一组至少几人才显示；学期：各学期的名称和起止日期（不写则按秋季、春季学期推算）；周报：发送时间、模板编号、链接有效天数；家访听课、学习打卡：家访听课和学习打卡的要求（英文键名，见 README）。"
	textSettingsStudyGroup       = "学习打卡要求（study.targets）里的人群“%s”不存在，只能是 party_member（党员）、leader（领导）或 teacher（其他教师）"
	textSettingsStudyTarget      = "学习打卡要求（study.targets.%s）超出范围：每周学时 weekly_hours 0–40，每学期笔记字数 semester_note_chars 0–1000000，每学期心得 semester_essays 0–20"
	textSettingsReminderDay      = "提醒日（study.reminder_day）“%s”不是星期几，应写 monday … sunday"
	textSettingsReminderTime     = "提醒时间（study.reminder_time）“%s”格式不对，应写成 17:00"
	textSettingsReminderTemplate = "提醒模板编号（study.reminder_template_id）太长"
	textSettingsVisitNumber      = "家访听课要求（visits.%s）应是 0 到 1000 之间的整数"
	textSettingsVisitOnOff       = "家访听课设置（visits.%s）只能是 \"on\"（开）或 \"off\"（关）"
	textSettingsDigestLinkDays   = "周报链接有效天数（digest.link_days）应是 1 到 366 之间的整数"
	textSettingsDigestSendAt     = "周报发送时间（digest.send_at）“%s”格式不对，应写成 \"Mon 07:30\" 或 \"周一 07:30\""
	textAssignNoRoute            = "这条意见（%s）没有默认交办部门，请写明部门。可以交办的部门：%s。\n格式：交办 回执码 部门 3天"
)
