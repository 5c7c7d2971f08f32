// Package dev is the dev mode of minqing: the web simulator at /dev/ and
// the personas it (and `minqing chat`) speaks as. It exists only when dev
// mode is on (the embedded default), never in a production configuration.
package dev

// Persona is a simulated WeChat user. `minqing demo` binds the staff
// personas to staff of the demo school; the parent stays anonymous.
type Persona struct {
	Key    string `json:"key"`    // parent, teacher, leader, admin
	Name   string `json:"name"`   // what the simulator shows
	Role   string `json:"role"`   // who they are in the demo school
	OpenID string `json:"openid"` // their openid with the dev account
}

// Personas are the simulated users, in the order the simulator shows them.
var Personas = []Persona{
	{Key: "parent", Name: "家长", Role: "匿名家长", OpenID: "dev-parent-0001"},
	{Key: "teacher", Name: "教师", Role: "王丽华 · 初二(3)班班主任", OpenID: "dev-teacher-0001"},
	{Key: "leader", Name: "校长", Role: "林志远 · 校长", OpenID: "dev-leader-0001"},
	{Key: "discipline", Name: "纪检委员", Role: "陈静 · 纪检委员", OpenID: "dev-discipline-0001"},
	{Key: "admin", Name: "管理员", Role: "赵磊 · 信息管理员", OpenID: "dev-admin-0001"},
}

// PersonaByKey finds a persona; ok=false if there is none.
func PersonaByKey(key string) (Persona, bool) {
	for _, p := range Personas {
		if p.Key == key {
			return p, true
		}
	}
	return Persona{}, false
}
