package admin

// What the administration commands say to the school's IT teacher. Every
// user-facing sentence of bot/admin is here.

const textImportSamePerson = "第%d行：与第%d行是同一个人，已跳过"
