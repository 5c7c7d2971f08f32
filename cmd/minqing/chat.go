package main

// `minqing chat`: a terminal chat with a running minqing as a WeChat user,
// for trying the service without WeChat. It posts each line to /wechat
// exactly as WeChat would (signed, and encrypted in safe mode) with
// wechat.Client, prints the passive reply, and in dev mode follows the
// customer-service messages the service pushes, through the inspection
// endpoint of the fake WeChat API.
//
// Output is for people, in Chinese, and scriptable: a reply is a block of
// lines starting with "< ", a pushed message a block of lines starting
// with "📨 ", anything else is the chat's own remark. A prompt is shown only
// when stdin is a terminal. The chat is a client: it logs nothing, and
// prints openids and message text only to its own stdout.

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"minqing/bot"
	"minqing/config"
	"minqing/handlers/dev"
	"minqing/handlers/fakewechat"
	"minqing/handlers/wechat"
)

const (
	// chatAccount is the ToUserName of the messages: the account's
	// original ID, which the service does not check.
	chatAccount = "gh_minqing_chat"
	// chatSendTimeout bounds one message's round trip (WeChat itself gives
	// up after 5 s; the service answers "success" before that).
	chatSendTimeout = 15 * time.Second
	// chatProbeTimeout bounds the first contact with the service.
	chatProbeTimeout = 3 * time.Second
	// chatPollWait is how long one long-poll of pushed messages waits.
	chatPollWait = 20 * time.Second
	// chatReadyWait is how long the chat waits, at start and after /as,
	// for the messages pushed to the user before it followed them.
	chatReadyWait = 2 * time.Second
	// chatQuiet ends the wait at exit early: once a message pushed after
	// the last one sent has been shown, and nothing more came for this
	// long.
	chatQuiet = 500 * time.Millisecond
	// chatHistory is how many messages pushed before the chat followed a
	// user it shows.
	chatHistory = 10
	// chatMaxLine bounds one line of input (a long reflection essay fits).
	chatMaxLine = 1 << 20
)

const (
	textChatUsage = `用法：minqing chat [--as 身份] [--url 地址] [--voice] [--wait 2s]

在终端里以微信用户的身份和运行中的 minqing 对话，不需要微信。
每行输入作为一条文字消息发给公众号；输入 /help 查看命令。
公众号的 Token、AppID 和 EncodingAESKey 取自与服务相同的
MINQING_WECHAT_TOKEN / _APPID / _AES_KEY（未设置时用开发模式的默认值）。

`
	textChatHelp = `命令：
  /as 身份        切换身份：parent teacher leader discipline admin，或一个 openid
  /voice 文字     发一条语音消息（文字即微信的语音识别结果）
  /menu 键        点击自定义菜单：%s
  /subscribe      关注公众号
  /unsubscribe    取消关注
  /personas       列出可用的身份
  /help           显示本帮助
  /quit           退出（Ctrl-D 也可以）
其他输入都作为文字消息发给公众号；以 / 开头的文字请写成 //…`
	textChatUnreachable = "无法连接服务：%v; 服务在运行吗？先运行 go run ./cmd/minqing"
	textChatTimeout     = "服务在 %s 内没有回复（%v）"
	textChatRefused     = "服务拒绝了这条消息：HTTP %d %s"
	textChatBadSig      = "（公众号配置不一致？请确认 MINQING_WECHAT_TOKEN、MINQING_WECHAT_APPID、MINQING_WECHAT_AES_KEY 与服务的一致）"
	textChatUndecodable = "无法解读服务的回复：%v（MINQING_WECHAT_AES_KEY 与服务的一致吗？）"
	textChatNoReply     = "（没有被动回复；如有答复，会以客服消息送达）"
	textChatNoPush      = "（这个服务没有开启开发模式，客服消息无法在这里显示；正式的公众号会把它们直接送到用户手机上。）"
	textChatEarlier     = "（此前还有 %d 条更早的客服消息，未显示）"
	textChatUnknownCmd  = "未知命令 %s；输入 /help 查看命令（要发送以 / 开头的文字，请写成 //…）"
	textChatNeedArg     = "用法：%s"
	textChatBadMenuKey  = "没有菜单键 %q；可用：%s"
	textChatNowAs       = "（现在的身份：%s）"
	textChatWelcome     = "已连接 %s（%s）。现在的身份：%s。输入 /help 查看命令，/quit 退出。"
	textChatUnknownWho  = "未知身份 %q：请用 parent、teacher、leader、discipline、admin，或一个 openid"
	textChatPlainMode   = "明文模式"
	textChatSafeMode    = "安全模式"
	textChatCustom      = "客服消息"
	textChatTemplate    = "模板消息"
	textChatLink        = "链接："
)

// chatMenuKeys are the click keys of the custom menu (bot/menu.go).
var chatMenuKeys = []string{bot.MenuOpinion, bot.MenuCheckin, bot.MenuVisit, bot.MenuQuery, bot.MenuLedger, bot.MenuMe, bot.MenuHelp}

// cmdChat runs `minqing chat`. It exits 0 on /quit or at the end of
// stdin (after waiting up to --wait for pushed messages), 1 if the service
// cannot be reached, and 2 on bad flags or a bad account configuration.
func cmdChat(ctx context.Context, e *env, args []string) int {
	fs := cliFlags(e, "chat")
	as := fs.String("as", "parent", "who to be: parent, teacher, leader, discipline, admin, or an openid")
	rawURL := fs.String("url", "", "the service (default: MINQING_PUBLIC_URL, else http://127.0.0.1 on the port of MINQING_HTTP_ADDR)")
	voice := fs.Bool("voice", false, "send each line as a voice message (the line is WeChat's recognition of it)")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait at the end for pushed messages")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, textChatUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "minqing chat: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	user, err := resolveChatUser(*as)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 2
	}
	base, err := chatBaseURL(*rawURL, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing chat: %v\n", err)
		return 2
	}
	client, err := chatClient(base, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing chat: %v\n", err)
		return 2
	}
	// A transport of its own, closed at the end: the chat leaves no
	// connections behind in a process that goes on (tests).
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	client.HTTP = &http.Client{Transport: tr}

	if err := probeChat(ctx, client.HTTP, base); err != nil {
		fmt.Fprintln(e.stderr, chatConnError(err))
		return 1
	}

	tty := isTerminal(e.stdin)
	out := &chatOut{w: e.stdout, tty: tty}
	loc, err := time.LoadLocation(cmp.Or(e.getenv("MINQING_TIMEZONE"), config.DefaultTimezone))
	if err != nil {
		loc = time.Local
	}
	pollCtx, stopPoll := context.WithCancel(ctx)
	poll := newChatPoller(base+"/dev/wechat-api/_fake/sent", client.HTTP, out, loc, user.openid)
	go poll.run(pollCtx)
	defer func() {
		// Nothing may write to stdout once the command has returned.
		stopPoll()
		<-poll.stopped
	}()

	c := &chatSession{
		ctx:       ctx,
		client:    client,
		out:       out,
		poll:      poll,
		user:      user,
		voice:     *voice,
		msgID:     time.Now().UnixNano(),
		lastEvent: map[string]int64{},
	}
	if tty {
		mode := textChatPlainMode
		if client.Crypto != nil {
			mode = textChatSafeMode
		}
		out.info(fmt.Sprintf(textChatWelcome, base, mode, user.describe()))
	}
	poll.waitReady(user.openid, chatReadyWait)

	readCtx, stopRead := context.WithCancel(ctx)
	defer stopRead()
	lines, readErr := readLines(readCtx, e.stdin)
	for {
		out.showPrompt(c.user.label + "> ")
		select {
		case <-ctx.Done():
			out.endPrompt()
			if tty {
				out.info("") // leave the shell's prompt a line of its own
			}
			return 0
		case line, ok := <-lines:
			out.endPrompt()
			if !ok {
				if tty {
					out.info("")
				}
				if err := readErr(); err != nil {
					fmt.Fprintf(e.stderr, "minqing chat: reading input: %v\n", err)
				}
				c.drain(*wait)
				return 0
			}
			if quit := c.handle(line); quit {
				c.drain(*wait)
				return 0
			}
		}
	}
}

// chatSession is one session: who speaks, and where to.
type chatSession struct {
	ctx    context.Context
	client *wechat.Client
	out    *chatOut
	poll   *chatPoller
	user   chatUser
	voice  bool

	msgID int64
	// lastEvent is the CreateTime of each user's last event: the service
	// deduplicates events by sender and CreateTime, so two clicks within
	// a second need distinct seconds.
	lastEvent map[string]int64
	// lastSend is when the last message was sent.
	lastSend time.Time
}

// handle acts on one line of input and reports whether the chat ends.
func (c *chatSession) handle(line string) (quit bool) {
	line = strings.TrimSpace(line)
	switch {
	case line == "":
		return false
	case strings.HasPrefix(line, "//"):
		c.sendText(line[1:])
		return false
	case !strings.HasPrefix(line, "/"):
		c.sendText(line)
		return false
	}
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "/quit", "/exit", "/q":
		return true
	case "/help", "/h", "/?":
		c.out.info(fmt.Sprintf(textChatHelp, strings.Join(chatMenuKeys, " ")))
	case "/personas":
		c.out.info(c.personas())
	case "/as":
		if arg == "" {
			c.out.info(fmt.Sprintf(textChatNeedArg, "/as parent|teacher|leader|discipline|admin|OPENID"))
			return false
		}
		u, err := resolveChatUser(arg)
		if err != nil {
			c.out.info(err.Error())
			return false
		}
		c.user = u
		c.out.info(fmt.Sprintf(textChatNowAs, u.describe()))
		c.poll.waitReady(u.openid, chatReadyWait)
	case "/voice":
		if arg == "" {
			c.out.info(fmt.Sprintf(textChatNeedArg, "/voice 文字"))
			return false
		}
		c.sendVoice(arg)
	case "/menu":
		key := strings.ToUpper(arg)
		if !slices.Contains(chatMenuKeys, key) {
			c.out.info(fmt.Sprintf(textChatBadMenuKey, arg, strings.Join(chatMenuKeys, " ")))
			return false
		}
		c.sendEvent("CLICK", key)
	case "/subscribe":
		c.sendEvent("subscribe", "")
	case "/unsubscribe":
		c.sendEvent("unsubscribe", "")
	default:
		c.out.info(fmt.Sprintf(textChatUnknownCmd, name))
	}
	return false
}

func (c *chatSession) sendText(text string) {
	if c.voice {
		c.sendVoice(text)
		return
	}
	c.msgID++
	c.send(wechat.NewText(c.user.openid, chatAccount, text, c.msgID, time.Now()))
}

func (c *chatSession) sendVoice(recognition string) {
	c.msgID++
	c.send(wechat.NewVoice(c.user.openid, chatAccount, recognition, "chat-voice-"+strconv.FormatInt(c.msgID, 36), c.msgID, time.Now()))
}

func (c *chatSession) sendEvent(event, key string) {
	created := max(time.Now().Unix(), c.lastEvent[c.user.openid]+1)
	c.lastEvent[c.user.openid] = created
	c.send(wechat.NewEvent(c.user.openid, chatAccount, event, key, time.Unix(created, 0)))
}

// send posts m and prints the passive reply, or what went wrong.
func (c *chatSession) send(m wechat.Message) {
	ctx, cancel := context.WithTimeout(c.ctx, chatSendTimeout)
	defer cancel()
	c.lastSend = time.Now()
	res, err := c.client.Send(ctx, m)
	switch {
	case err != nil && errors.Is(err, context.DeadlineExceeded):
		c.out.info(fmt.Sprintf(textChatTimeout, chatSendTimeout, err))
	case err != nil && isTransportError(err):
		c.out.info(chatConnError(err))
	case err != nil:
		c.out.info(fmt.Sprintf(textChatUndecodable, err))
	case !res.OK():
		msg := fmt.Sprintf(textChatRefused, res.Status, strings.TrimSpace(string(truncateBytes(res.Body, 200))))
		if res.Status == http.StatusForbidden || res.Status == http.StatusBadRequest || res.Status == http.StatusUnauthorized {
			msg += textChatBadSig
		}
		c.out.info(msg)
	case res.Empty:
		c.out.info(textChatNoReply)
	default:
		c.out.reply(replyText(res.Reply))
	}
}

// drain waits, up to wait, for messages pushed in answer to the last one
// sent: it returns early once such a message has been shown and nothing
// more came for chatQuiet, or when pushed messages cannot be followed.
func (c *chatSession) drain(wait time.Duration) {
	if wait <= 0 {
		return
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.poll.stopped:
			return
		case <-deadline.C:
			return
		case <-tick.C:
			if last := c.poll.lastPushed(); last.After(c.lastSend) && time.Since(last) >= chatQuiet {
				return
			}
		}
	}
}

// personas lists the personas, marking the current one.
func (c *chatSession) personas() string {
	var b strings.Builder
	for i, p := range dev.Personas {
		mark := "  "
		if p.OpenID == c.user.openid {
			mark = "* "
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s%-11s %s · %s · %s", mark, p.Key, p.Name, p.Role, p.OpenID)
	}
	return b.String()
}

// chatUser is who the chat speaks as.
type chatUser struct {
	openid string
	label  string // the prompt: the persona's name, or the openid
	role   string // the persona's role in the demo school, if a persona
}

func (u chatUser) describe() string {
	if u.role == "" {
		return u.label
	}
	return u.label + "（" + u.role + "）"
}

// resolveChatUser finds who s names: a persona's key or name, or an
// openid. A word of lowercase letters only is taken for a mistyped
// persona key: real openids always have capitals or digits.
func resolveChatUser(s string) (chatUser, error) {
	s = strings.TrimSpace(s)
	for _, p := range dev.Personas {
		if strings.EqualFold(s, p.Key) || s == p.Name || s == p.OpenID {
			return chatUser{openid: p.OpenID, label: p.Name, role: p.Role}, nil
		}
	}
	if !looksLikeOpenID(s) {
		return chatUser{}, fmt.Errorf(textChatUnknownWho, s)
	}
	return chatUser{openid: s, label: s}, nil
}

// looksLikeOpenID reports whether s can be an openid: 6 to 64 letters,
// digits, '-' or '_', not all of them lowercase letters.
func looksLikeOpenID(s string) bool {
	if len(s) < 6 || len(s) > 64 {
		return false
	}
	word := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_':
			word = false
		default:
			return false
		}
	}
	return !word
}

// chatBaseURL is the service's address: flagURL, else MINQING_PUBLIC_URL,
// else http://127.0.0.1 on the port of MINQING_HTTP_ADDR.
func chatBaseURL(flagURL string, getenv func(string) string) (string, error) {
	raw := cmp.Or(strings.TrimSpace(flagURL), strings.TrimSpace(getenv("MINQING_PUBLIC_URL")))
	if raw == "" {
		addr := cmp.Or(strings.TrimSpace(getenv("MINQING_HTTP_ADDR")), config.DefaultHTTPAddr)
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return "", fmt.Errorf("MINQING_HTTP_ADDR must be host:port (e.g. :8080), got %q", addr)
		}
		raw = "http://" + net.JoinHostPort("127.0.0.1", port)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--url must be an http(s) URL such as http://localhost:8080, got %q", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// chatClient is a WeChat client for the account the service uses: the
// same MINQING_WECHAT_* variables (or their _FILE), with the dev-mode
// defaults the service applies.
func chatClient(base string, getenv func(string) string) (*wechat.Client, error) {
	token, err := secretEnv(getenv, "MINQING_WECHAT_TOKEN")
	if err != nil {
		return nil, err
	}
	key, err := secretEnv(getenv, "MINQING_WECHAT_AES_KEY")
	if err != nil {
		return nil, err
	}
	c := &wechat.Client{
		URL:   base + "/wechat",
		Token: cmp.Or(token, config.DevToken),
		AppID: cmp.Or(strings.TrimSpace(getenv("MINQING_WECHAT_APPID")), config.DevAppID),
	}
	if key != "" {
		if c.Crypto, err = wechat.NewCrypto(key, c.AppID); err != nil {
			return nil, fmt.Errorf("MINQING_WECHAT_AES_KEY: %w", err)
		}
	}
	return c, nil
}

// secretEnv reads name, or the file named by name_FILE, as config does.
func secretEnv(getenv func(string) string, name string) (string, error) {
	v := strings.TrimSpace(getenv(name))
	file := strings.TrimSpace(getenv(name + "_FILE"))
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("set %s or %s_FILE, not both", name, name)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return v, nil
}

// probeChat checks that something answers HTTP at base. Any answer will
// do; only a transport error means the service cannot be reached.
func probeChat(ctx context.Context, hc *http.Client, base string) error {
	ctx, cancel := context.WithTimeout(ctx, chatProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
	res.Body.Close()
	return nil
}

// chatConnError is the Chinese sentence for a connection failure, with
// the cause without the URL around it.
func chatConnError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Sprintf(textChatUnreachable, err)
}

func isTransportError(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue)
}

// replyText is what a passive reply says.
func replyText(m wechat.Message) string {
	if m.MsgType == "text" || m.MsgType == "" {
		return m.Content
	}
	var parts []string
	for _, s := range []string{m.Content, m.Title, m.Description, m.Url, m.MediaId} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return "[" + m.MsgType + "] " + strings.Join(parts, "\n")
}

func truncateBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// readLines reads stdin line by line into a channel, closed at the end;
// err tells, after that, why reading stopped if not at EOF. Reading runs
// in a goroutine so that the chat can end (Ctrl-C) while a terminal read
// blocks; it stops sending when ctx ends.
func readLines(ctx context.Context, r io.Reader) (lines <-chan string, err func() error) {
	ch := make(chan string)
	var readErr error
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64*1024), chatMaxLine)
		for sc.Scan() {
			select {
			case ch <- strings.TrimSuffix(sc.Text(), "\r"):
			case <-ctx.Done():
				return
			}
		}
		readErr = sc.Err()
	}()
	// readErr is written before ch is closed, and read after.
	return ch, func() error { return readErr }
}

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// chatOut writes the chat's output, one block at a time, so that pushed
// messages arriving while the prompt waits do not garble it: the prompt
// line is cleared, the message printed and the prompt shown again.
type chatOut struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	prompt   string
	atPrompt bool
}

// showPrompt shows the prompt, on a terminal only.
func (o *chatOut) showPrompt(p string) {
	if !o.tty {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.prompt, o.atPrompt = p, true
	io.WriteString(o.w, p)
}

// endPrompt records that the user has answered the prompt.
func (o *chatOut) endPrompt() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.atPrompt = false
}

// block writes the lines of text, each after prefix.
func (o *chatOut) block(prefix, text string) {
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString(strings.TrimRight(prefix+line, " "))
		b.WriteByte('\n')
	}
	o.write(b.String())
}

func (o *chatOut) write(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.atPrompt {
		io.WriteString(o.w, "\r\033[K")
	}
	io.WriteString(o.w, s)
	if o.atPrompt {
		io.WriteString(o.w, o.prompt)
	}
}

// reply prints a passive reply.
func (o *chatOut) reply(text string) { o.block("< ", text) }

// info prints a remark of the chat itself.
func (o *chatOut) info(text string) { o.block("", text) }

// push prints a message the service pushed.
func (o *chatOut) push(m fakewechat.Sent, loc *time.Location) {
	kind, body := textChatCustom, m.Text
	if m.API == fakewechat.APITemplate {
		kind = textChatTemplate
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(m.Data)) {
			fmt.Fprintf(&b, "%s：%s\n", k, m.Data[k])
		}
		if m.URL != "" {
			b.WriteString(textChatLink + m.URL)
		}
		body = b.String()
	}
	o.block("📨 ", kind+" "+m.At.In(loc).Format("15:04")+"\n"+body)
}

// chatPoller follows the customer-service messages pushed to the chat's
// current user, through the fake WeChat API's GET /_fake/sent.
type chatPoller struct {
	url  string
	http *http.Client
	out  *chatOut
	loc  *time.Location
	// stopped is closed when the poller ends: its context ended, or the
	// service has no fake WeChat API.
	stopped chan struct{}

	mu       sync.Mutex
	openid   string
	lastSeq  map[string]int64 // per openid followed so far
	ready    map[string]chan struct{}
	restart  context.CancelFunc // cancels the poll in flight
	lastPush time.Time
}

func newChatPoller(url string, hc *http.Client, out *chatOut, loc *time.Location, openid string) *chatPoller {
	return &chatPoller{
		url: url, http: hc, out: out, loc: loc, openid: openid,
		stopped: make(chan struct{}),
		lastSeq: map[string]int64{},
		ready:   map[string]chan struct{}{},
	}
}

// run polls until ctx ends or the service turns out to have no fake
// WeChat API (404), which it says once.
func (p *chatPoller) run(ctx context.Context) {
	defer close(p.stopped)
	backoff := time.Second
	for ctx.Err() == nil {
		p.mu.Lock()
		openid := p.openid
		after, seen := p.lastSeq[openid]
		pctx, cancel := context.WithCancel(ctx)
		p.restart = cancel
		p.mu.Unlock()

		wait := chatPollWait
		if !seen {
			wait = 0 // first look: what came before, at once
		}
		page, status, err := p.fetch(pctx, openid, after, wait)
		switched := pctx.Err() != nil
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case switched:
			continue // the user changed: follow the new one
		case err == nil && status == http.StatusNotFound:
			p.out.info(textChatNoPush)
			return
		case err != nil || status != http.StatusOK:
			// The service restarting, or a blip: try again, less often.
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			continue
		}
		backoff = time.Second
		p.deliver(openid, page)
	}
}

// fetch asks for the messages to openid after seq after, waiting up to
// wait for one. It returns the page and the status; non-200 answers give
// an empty page.
func (p *chatPoller) fetch(ctx context.Context, openid string, after int64, wait time.Duration) (fakewechat.SentPage, int, error) {
	var page fakewechat.SentPage
	ctx, cancel := context.WithTimeout(ctx, wait+10*time.Second)
	defer cancel()
	q := url.Values{"touser": {openid}, "after": {strconv.FormatInt(after, 10)}}
	if wait > 0 {
		q.Set("wait", wait.String())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"?"+q.Encode(), nil)
	if err != nil {
		return page, 0, err
	}
	res, err := p.http.Do(req)
	if err != nil {
		return page, 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
		return page, res.StatusCode, nil
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 16<<20)).Decode(&page); err != nil {
		return page, res.StatusCode, fmt.Errorf("decode pushed messages: %w", err)
	}
	return page, res.StatusCode, nil
}

// deliver prints the messages of a page polled for openid, unless the
// chat has switched to someone else since (they are shown when it
// switches back).
func (p *chatPoller) deliver(openid string, page fakewechat.SentPage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.openid != openid {
		return
	}
	after, seen := p.lastSeq[openid]
	msgs := page.Messages
	if !seen && len(msgs) > chatHistory {
		p.out.info(fmt.Sprintf(textChatEarlier, len(msgs)-chatHistory))
		msgs = msgs[len(msgs)-chatHistory:]
	}
	next := max(after, page.LastSeq)
	for _, m := range msgs {
		if m.Seq <= after {
			continue
		}
		p.out.push(m, p.loc)
		next = max(next, m.Seq)
	}
	if len(msgs) > 0 {
		p.lastPush = time.Now()
	}
	p.lastSeq[openid] = next
	if !seen {
		close(p.readyLocked(openid))
	}
}

// readyLocked returns the channel closed once openid's first poll is done.
func (p *chatPoller) readyLocked(openid string) chan struct{} {
	ch, ok := p.ready[openid]
	if !ok {
		ch = make(chan struct{})
		p.ready[openid] = ch
	}
	return ch
}

// waitReady follows openid from now on and waits, up to d, until the
// messages pushed to it earlier have been shown.
func (p *chatPoller) waitReady(openid string, d time.Duration) {
	p.mu.Lock()
	if p.openid != openid {
		p.openid = openid
		if p.restart != nil {
			p.restart()
		}
	}
	ready := p.readyLocked(openid)
	p.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ready:
	case <-p.stopped:
	case <-t.C:
	}
}

// lastPushed is when a pushed message was last shown.
func (p *chatPoller) lastPushed() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastPush
}
