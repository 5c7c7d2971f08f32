package admin

// What the administration commands say to the school's IT teacher. Every
// user-facing sentence of bot/admin is here.

const textImportSamePerson = "第%d行：与第%d行是同一个人，已跳过"

const (
	textNeedName          = "请写上新的学校名称。"
	textSchoolNameTaken   = "已经有一所学校叫“%s”（代码 %s）。如果它们是同一所学校，请用 minqing schools merge 合并。"
	textMergeSame         = "不能把一所学校合并到它自己。"
	textNoDemo            = "没有演示学校（代码 DEMO），无需删除。"
	textStaffNotFound     = "名单中没有“%s”。请核对姓名或工号（minqing codes --school 学校 列出全部教职工）。"
	textStaffNotFoundNear = "名单中没有“%s”。您是不是要找：%s？"
	textStaffAmbiguous    = "有%d位教职工叫“%s”：%s。请改用工号。"
	textNoStaffNo         = "无"
	textStaffHasHistory   = "%s已经有办理意见、家访、听课或谈心的记录，不能删除（记录需要保留）。请改用 minqing staff deactivate 停用。"
)

const textNoSuchSchool = "没有找到学校“%s”。"
const textNeedSchoolName = "请用 --school 写上学校名称。"

const (
	textAuditMerge    = "%s（%s）并入 %s（%s），其中 %d 人两边都有，已合并为一人"
	textAuditSettings = "设置项：%s"
)
