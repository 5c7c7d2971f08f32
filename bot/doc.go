// Package bot is minqing's domain root: the people and units of a school,
// opinions and their lifecycle, roles and permissions, the inbound message
// and the reply, the domain errors, the keys that protect users' identities,
// and the interfaces the rest of the service implements (Store and Tx,
// State, Notifier). It imports only the standard library and knows nothing
// of HTTP, XML, SQL or Redis.
//
// Below it: bot/parse (chat text → intent and slots), bot/roster (import
// files → staff and students), bot/chat (processing a message, one file per
// feature) and bot/admin (what the command line does).
package bot
