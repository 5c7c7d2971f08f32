package digest

// Everything readers see on the digest page, in one place.
var pageText = map[string]string{
	"title":      "周报",
	"print":      "打印 / 存为PDF",
	"export":     "导出本周民情台帐（Excel）",
	"invalid":    "链接无效",
	"invalidMsg": "这个周报链接不完整或已被改动。请在公众号中发送“周报”获取新的链接。",
	"expired":    "链接已过期",
	"expiredMsg": "这个周报链接已过期（有效期%d天）。请在公众号中发送“周报”获取新的链接。",
	"revoked":    "无权查看",
	"revokedMsg": "您的账号目前不能查看这份周报。如有疑问请联系学校管理员。",
	"error":      "暂时无法生成周报，请稍后再试。",
	"generated":  "生成时间",
	"partial":    "本周尚未结束，数据截至生成时间。",
	"semester":   "学期",
	"figure":     "指标",
	"this":       "本周",
	"last":       "上周",
	"change":     "变化",
	"schools":    "各校对比",
	"more":       "另有 %d 条未列出",
	"footer":     "学校每周通报 · 民情台帐 · 本页仅供学校领导查阅，请勿转发",
	"note":       "注：",
}
