package bot

// Who may do what: every permission check of the bot goes through Can, and
// every refusal text is in bot/chat/text_permission.go.

// Action is something a sender asks the bot to do that not everyone may.
type Action string

// The actions that need a role.
const (
	// ActCheckin: study check-ins, reflection essays, home visits, 我的学习.
	ActCheckin Action = "checkin"
	// ActObserve: class observations (听课) and talks with teachers (谈心).
	ActObserve Action = "observe"
	// ActLedger: the school's ledger (台帐) — view, assign, answer, close —
	// except opinions about the leadership team.
	ActLedger Action = "ledger"
	// ActSupervise: the opinions about the leadership team (领导班子),
	// which are not routed to the leadership they concern.
	ActSupervise Action = "supervise"
	// ActDigest: the weekly digest (周报).
	ActDigest Action = "digest"
	// ActAdmin: school administration (rebinding staff, settings).
	ActAdmin Action = "admin"
)

// roleActions is the whole permission table.
var roleActions = map[Role][]Action{
	RoleTeacher:        {ActCheckin},
	RolePartyMember:    {ActCheckin},
	RoleMiddleLeader:   {ActCheckin, ActObserve, ActLedger, ActDigest},
	RoleSchoolLeader:   {ActCheckin, ActObserve, ActLedger, ActDigest},
	RolePartySecretary: {ActCheckin, ActObserve, ActLedger, ActDigest, ActSupervise},
	RoleDiscipline:     {ActCheckin, ActSupervise},
	RoleAdmin:          {ActAdmin},
}

// Can reports whether p's roles allow a. A nil person (not bound staff)
// may do none of them.
func (p *Person) Can(a Action) bool {
	if p == nil || !p.Active {
		return false
	}
	for _, r := range p.Roles {
		for _, x := range roleActions[r] {
			if x == a {
				return true
			}
		}
	}
	return false
}
