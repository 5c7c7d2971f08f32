package admin

// The sheets of the visit and observation exports: every header a user
// reads is here.

const (
	textSheetVisits       = "家访记录"
	textSheetCoverage     = "班级覆盖"
	textSheetObservations = "听课记录"
	textSheetTalks        = "谈心记录"
	textSheetLeaders      = "听课谈心统计"
	textMainCampus        = "本部"
	textFlaggedCheck      = "名册中无此学生，请核对"
	textYes               = "是"
	textNo                = "否"
)

var (
	visitHeader       = []string{"学生", "班级", "日期", "教师", "方式", "家长所说", "需要跟进", "转入台帐（编号）", "名册核对"}
	coverageHeader    = []string{"校区", "班级", "学生数", "已家访", "未家访", "覆盖率", "未家访学生"}
	observationHeader = []string{"日期", "听课人", "校区", "班级", "学科", "授课教师", "评价"}
	talkHeader        = []string{"日期", "领导", "谈心对象", "内容"}
	leaderHeader      = []string{"领导", "职务", "听课节数", "谈心次数"}
	modeNames         = map[string]string{"home": "上门", "phone": "电话", "video": "视频", "wechat": "微信", "school": "家长来校"}
)
