package handlers

// What the webhook itself tells users, in one place for review.

// textNotReceived is pushed when a message failed after WeChat had been
// told it was received: nothing of it was kept, and the sender should send
// it again.
const textNotReceived = "抱歉，您刚才发送的消息没有收到（系统繁忙），内容没有保存，请重新发送一次。"
