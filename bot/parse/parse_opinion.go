package parse

// Opinions, and telling them from greetings and questions.
//
// A message that is neither a command nor a check-in is weighed on three
// scales, read in one left-to-right pass over a lexicon (longest match
// first, no overlaps, so 乱收费 counts once and 食品安全 is not 食品 + 安全):
//
//   - negativity: words of complaint or request. Strong ones (太, 经常,
//     从来不, 凭什么, 能不能, 体罚 …) make a complaint on their own; weak
//     ones (没, 不, 老 …) only hint at one;
//   - category: each keyword adds its weight (1 general … 6 unmistakable)
//     to its category, once however often it occurs; a few combinations
//     add more (a teacher and violence, a teacher forbidding, a teacher's
//     paid tutoring: ethics; pupils and violence: safety; an amount of
//     money: fees); the school's Lexicon adds lexiconExtraWeight per
//     keyword. The highest total wins; a tie goes to the category with the
//     longest (most specific) keyword, then to the order of tieOrder. No
//     keyword at all is CatOther;
//   - reference to school life (孩子, 老师, 食堂 …).
//
// Then:
//
//   - an explicit prefix (建议, 意见, 投诉, 反映, 希望, 能不能 …) is an opinion;
//   - greetings, thanks and praise alone (你好, 在吗, 谢谢老师辛苦了) are unknown;
//   - a question of information (明天放假吗, 几点放学, 学校电话是多少) with no
//     negativity is unknown: the bot answers it with help, not a receipt;
//   - strong negativity about something (a category keyword, school life, or
//     just a long enough sentence) is an opinion;
//   - otherwise a statement of six characters or more, not news of one's
//     own child (请假, 发烧, 来接), with a category keyword, or about school
//     life with a weak negative word, is an opinion with Unsure set
//     ("孩子今天没带午饭", "老师今天布置的作业孩子不会做"): the bot should ask
//     "要把这条作为意见反映给学校吗？" before filing it;
//   - anything else is unknown.

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// lexiconExtraWeight is the weight of each keyword of ParseContext.Lexicon.
const lexiconExtraWeight = 4

// lexEntry is one word of the lexicon.
type lexEntry struct {
	word   string
	cat    Category
	weight int
	// neg is how much the word says "complaint": 0, 1 (weak), 2 (strong).
	neg int
	// positive words (太好了, 辛苦了) cancel what they would otherwise mean.
	positive bool
	// id numbers the entry, for weigh's set of words seen.
	id int
	// violence marks words of violence (打了, 骂, 推搡); they are read in
	// the scan so that blockers keep 打印 and 打电话 out.
	violence bool
}

// builtinLexicon: per category, "word:weight" with "!" for a strongly
// negative word. Drawn from the seeds' lists of problems and from the
// usual complaints of parents and teachers.
var builtinLexicon = map[Category]string{
	CatLeadership: `校长:3 副校长:3 书记:3 校领导:4 学校领导:4 领导班子:5 班子成员:4 班子:2 领导:2 一把手:4 干部:2 中层:2
		公车:3! 公车私用:5! 吃喝:3! 吃吃喝喝:5! 大吃大喝:5! 酒桌:3! 牌桌:3! 打牌:2! 一言堂:5! 穿小鞋:4! 官僚:3! 官僚主义:5!
		形式主义:4! 作风:2 决策:2 拍脑袋:3! 说了算:3! 任人唯亲:5! 亲戚:3! 评优评先:3 评优:2 评先:2 职称:2 扣绩效:4! 念文件:3! 念稿子:3! 照本宣科:3! 找我谈话:3! 找我谈心:3! 绩效:2
		校务公开:4 不公开:2!  开会:2 会议:1 民主:2 独断:4! 专横:4! 特权:4! 走后门:4! 关系户:4! 不作为:2!`,
	CatDepartment: `教务处:5 政教处:5 总务处:5 德育处:5 办公室:4 校办:4 处室:5 后勤处:5 教科室:5 教研室:4 财务室:5 财务:2 会计:2 出纳:2
		学籍:3 转学:3 手续:3 证明:2 开证明:3 盖章:3 报销:3 报账:3 推诿:5! 踢皮球:5! 办事拖拉:5! 拖拉:2! 效率低:4! 办事效率:4
		慢作为:4!  门难进:4! 脸难看:4! 事难办:4! 排课:3 课表:2 窗口:2 没人接:3! 找不到人:3! 办事:2 跑了:2! 趟:1 处:1 部门:3
		教导处:5 少先队:3 团委:3 后勤部门:5 学生处:5 档案:2 登记:1`,
	CatEthics: `师德:5 师风:5 师德师风:6 体罚:5! 变相体罚:6! 罚站:4! 打手心:4! 打骂:5! 辱骂:5! 推搡:4! 有偿补课:6! 有偿家教:6!
		私自办班:6! 办班:3!  补习班:3 推销:5! 辅导班:4! 课外辅导班:5! 他家补课:6! 她家补课:6! 家里补课:5! 收礼:5! 礼品:4! 礼物:3! 红包:4! 
		送礼:4! 请吃饭:4! 吃请:4! 收受:4! 歧视:4! 冷嘲热讽:5! 讽刺:4! 挖苦:4! 侮辱:5! 羞辱:5! 偏心:4! 区别对待:4! 点名批评:3!
		没素质:3! 难听:3! 玩手机:4! 接电话:3! 当着:2! 当众:3! 伤人:3! 伤自尊:4! 打击孩子:3! 抽烟:3! 喝酒:3! 早退:2! 脾气:2 不负责:3! 不负责任:4! 敷衍:3! 走形式:3!  骂人:4!
		罚跑:4! 罚抄:3! 罚写:3! 罚做:3! 罚蹲:4! 罚钱:4! 笨:2! 脑子有问题:4! 猪:2! 滚:2! 态度:1 迟到:1 老师:1 班主任:1 教师:1 责任心:3 素质:2`,
	CatTeaching: `作业:3 作叶:3 做作业:3 写作业:3 作业太多:5! 作业多:5! 抄写:3 课程:2 教学:2 考试:2 排名:4 分数:2 成绩:2 补课:3
		拖堂:5! 不讲课:3! 进度:2 跟不上:3!  上课:1 讲课:2 备课:3 教案:2 课时:2 主科:2 副科:2 占课:4! 体育课:2 音乐课:2 美术课:2
		实验课:3 教学质量:5 教学方法:4 教材:2 练习册:2 试卷:2 月考:2 周考:2 留堂:3! 周末补课:3 双减:3 听课:3 学习会:2 课:1
		换老师:3 英语老师:1 数学老师:1 语文老师:1 教得:2  讲的:1  学不会:2 写到:2 半夜:2  刷题:3 题海:3
		复习:2  重点:2 家长签字:3 打卡作业:3`,
	CatLogistics: `食堂:4 食唐:4 饭菜:4 伙食:4 饭:2 菜:2 米饭:3 午饭:3 午餐:3 早餐:3 晚饭:3 菜量:4 饭量:3 营养餐:4 营养:2 宿舍:4 寝室:4
		床:2 床板:3 被子:3 热水:3 开水:3 开水房:4 饮水:3 饮水机:4 厕所:4 卫生间:4 空调:4 暖气:4 风扇:3 电扇:3 灯:2 日光灯:3
		一闪一闪:3! 桌椅:3 课桌:3 椅子:3 校服:4 校车:4 维修:3 报修:3 坏了:2! 洗澡:3 澡堂:4 小卖部:3 操场:2 设施:3 设备:2 网络:2
		  漏水:3 停水:3 停电:3 卫生:2 垃圾:2 蚊子:2 食材:3 咸:3 难吃:3! 夹生:3! 凉的:2 后勤:3 图书:1 住校:2 热饭:3
		   菜少:3! 吃不饱:4! 喊饿:3! 发霉:3! 潮:2 起球:3! 冷水:2 冷:2 太冷:3! 冻:2 太热:3! 闷热:3 电脑:2 电脑室:3 功能室:3 落灰:2 手抖:3! 虫子:3! 苍蝇:3! 蟑螂:4! 老鼠:3! 汤:2 纸:1 水龙头:3 下水道:3 路灯:3`,
	CatSafety: `安全:4 安全隐患:6 隐患:4 校门口:3 门口:2 接送:3 堵:2! 拥堵:3! 交通:3 车开得:3 开得特别快:4! 开得快:4! 危险:3! 吓人:2!
		打架:4! 欺凌:5! 霸凌:5! 欺负:4! 校园暴力:6! 勒索:4! 要钱:3!  溺水:5! 防溺水:5 玩水:4! 水塘:3 河边:3 水库:3 围栏:3
		护栏:3 栏杆:3 扶手:3 消防:4 消防通道:6 灭火器:4 逃生:3 围墙:3 缺口:2 门卫:3 保安:3 外来人员:4 陌生人:3 随便就能进:4!
		食物中毒:6! 拉肚子:6! 吐了:4! 中毒:4! 食品安全:6 三无:4! 过期:3! 变质:4! 小摊:3 摊贩:3 值班:2 出了事:3! 出事:3!
		受伤:4! 摔伤:4! 摔了:3! 摔倒:3! 医务室:2 骨折:4! 晕倒:4! 开车打电话:5! 维持秩序:3 秩序:2 河:2 淌水:4! 过河:3 桥:2 路上:1 监控:3 丢东西:3! 被偷:4! 偷:2! 威胁:3! 管制刀具:6! 刀:2 踩踏:5! 楼梯:2      
		高年级:2 低年级:2   打了:2! 掉下来:3! 电动车:2 车速:3 红绿灯:3 马路:2 路口:2 斑马线:3 黑车:4! 超载:4!`,
	CatFees: `收费:4 乱收费:6! 费用:4 缴费:4 交费:4 退费:5 交钱:4 收钱:4 收的钱:4 钱:1 收据:4 票据:4 发票:2 贵:2! 自愿:3 订报纸:4 订杂志:4
		 资料费:5 补课费:5 课后服务费:5 校服费:5 校服钱:5 书钱:5 饭钱:4 资料钱:5 午托费:5 价格:3 班费:5 保险费:5 保险:3 书本费:5 报名费:5 住宿费:5 伙食费:5 餐费:5
		学费:5 车费:4  押金:4 赞助费:6! 择校费:6! 捐款:3 收了:1 元:1 块钱:2 多少钱:2   `,
	CatOther: `家长会:2 课外活动:2 社会实践:2 心理:2 心理咨询:3 公众号:2 家长群:2  家长学校:3  兴趣班:2 社团:2 图书馆:2`,
}

// negWords are words of complaint or request without a category.
var negWords = `太:2 太多:2 太少:2 太贵:2 特别差:2 很差:2 差劲:2 不好:2 乱:2 经常:2 总是:2 老是:2 老在:2 从来不:2 从来没:2 从不:2 从没:2
	没人:2 不管:2 严重:2 影响:2 脏:2 臭:2 凭什么:2 为什么:2 为啥:2 咋办:2 咋回事:2 怎么回事:2 怎么能:2 不合理:2 不公平:2 不及时:2
	不给:2 不开:2 不让:2 逼:2 催着:2 强制:2 必须:2 好几:2 不行:2 不够:2 只会:2 只能:2 互相:2 根本:2 竟然:2 居然:2 还要:2 都不:2
	也不:2 都没:2 也没:2 不想上学:2 受不了:2 该管管:2 管管:2 能不能:2 可不可以:2 能否:2 希望:2 要求:2 请学校:2 麻烦学校:2 不通知:2
	随便:2 每次都:2 一直:2 天天:2 整天:2 到现在:2 好久:2 半天:2 要等:2 等了:2 缺:1 差点:2 耽误:2 浪费:2 不像话:2 过分:2 离谱:2
	不应该:2 不该:2 不要:1 迟迟:2 推脱:2 不理:2 态度差:2 态度不好:2 不解决:2 没解决:2 还没:2 又要:2 怎么这么:2 怎么又:2 怎么还:2 填错:2 弄错:2 搞错:2 还是错:2 肿了:2 有点多:2 有点少:2 有点贵:2 有点咸:2 有点晚:2 偏多:2 偏少:2 哭了:2 凶:2 合理吗:2 正常吗:2 有必要吗:2 应该吗:2 干嘛:2 有啥用:2 有什么用:2 问题:1 没:1 没有:1 不:1 老:1 又:1 只:1
	都是:1 就走:2 死了:2 不公开:2 不管用:2 不更新:2 没处说:2 没得选:2 贵多了:2 晚点:2 挤:1 慢:1 多了:1 少了:2 闹心:2 坑:2
	凭啥:2 咋:1 怎么:1 才:1 还是没:2 到底:2 难道:2 谁管:2 没人管:2 乱七八糟:2 不来:1 排后面:2 连:1`

// positiveWords are praise and thanks; they are not complaints.
var positiveWords = `太好了 太好 太棒了 太棒 太感谢 太谢谢 辛苦了 辛苦 谢谢 感谢 不错 挺好 很好 点赞 真好 满意 表扬 好评 收到 知道了 已阅 明白了`

// The words of the combination rules. Except violenceWords they are looked
// for anywhere in the text (a longer word of the scan may cover them:
// 也不让 is read as 也不 + 让).
var (
	teacherRefs   = words(`老师 班主任 教师`)
	violenceWords = `骂 关在 关起来 关小黑屋 扇了 巴掌 一巴掌 踹 拧 打了 打人 打孩子 打学生 打他 打她 打我 打得 打过 被打 挨打 骂了 推搡 推了 踢了 踢他 掐 揪耳朵 扇耳光 耳光 体罚 打手心 罚站 罚跪 打骂 辱骂 骂人`
	// tutoringWords and moneyWords: a teacher's tutoring for money is
	// 有偿补课, an ethics matter, whatever else the text mentions.
	tutoringWords = words(`补课 补习 辅导 家教`)
	moneyWords    = words(`块 元 钱 收费 交钱 一百 两百 一节课 一次 每次 一小时`)
	// blockers are read as words so that no keyword is found across them:
	// 学校办个… is not 校办, 打印 is not 打.
	// restrictWords: a teacher forbidding or forcing is a matter of ethics
	// (老师下课也不让孩子上厕所).
	restrictWords = words(`不让 不准 不许 强迫 逼着 逼孩子`)
	blockers      = `学校 打印 打扫 打电话 打开 打针 打卡 推荐 推迟 推进 推动 推广 放学 上学 开学 大学 学期 学习 处理 办法 办理 到处 好处 相处`
	peerWords     = words(`同学 高年级 低年级 大孩子 男生 女生 初三的 初二的 初一的 六年级的 五年级的 小混混`)
)

// tieOrder breaks ties between categories with equally long keywords:
// the more specific concern first.
var tieOrder = []Category{CatEthics, CatSafety, CatFees, CatDepartment, CatLeadership, CatTeaching, CatLogistics, CatOther}

// words splits a list of words.
func words(s string) []string { return strings.Fields(s) }

// lexiconSize is the number of entries of lexicon.
var lexiconSize int

// lexicon is every lexEntry indexed by its first rune, longest first.
var lexicon = buildLexicon()

func buildLexicon() map[rune][]lexEntry {
	idx := map[rune][]lexEntry{}
	add := func(e lexEntry) {
		r, _ := utf8.DecodeRuneInString(e.word)
		list := idx[r]
		for i := range list {
			if list[i].word == e.word {
				// merge: a word can be a category keyword and a flag
				if e.cat != "" {
					list[i].cat, list[i].weight = e.cat, e.weight
				}
				list[i].neg = max(list[i].neg, e.neg)
				list[i].positive = list[i].positive || e.positive
				list[i].violence = list[i].violence || e.violence
				return
			}
		}
		idx[r] = append(list, e)
	}
	for _, c := range Categories {
		for _, f := range strings.Fields(builtinLexicon[c]) {
			neg := 0
			if strings.HasSuffix(f, "!") {
				f, neg = strings.TrimSuffix(f, "!"), 2
			}
			w, weight, _ := strings.Cut(f, ":")
			n, err := strconv.Atoi(weight)
			if err != nil || w == "" {
				panic("bot: bad lexicon entry " + f)
			}
			add(lexEntry{word: w, cat: c, weight: n, neg: neg})
		}
	}
	for _, f := range strings.Fields(negWords) {
		w, weight, _ := strings.Cut(f, ":")
		n, err := strconv.Atoi(weight)
		if err != nil {
			panic("bot: bad negative word " + f)
		}
		add(lexEntry{word: w, neg: n})
	}
	for _, w := range strings.Fields(positiveWords) {
		add(lexEntry{word: w, positive: true})
	}
	for _, w := range strings.Fields(violenceWords) {
		add(lexEntry{word: w, violence: true})
	}
	for _, w := range strings.Fields(blockers) {
		add(lexEntry{word: w})
	}
	n := 0
	for _, list := range idx {
		for i := range list {
			list[i].id = n
			n++
		}
	}
	lexiconSize = n
	for r, list := range idx {
		// longest first
		for i := 1; i < len(list); i++ {
			for j := i; j > 0 && len(list[j].word) > len(list[j-1].word); j-- {
				list[j], list[j-1] = list[j-1], list[j]
			}
		}
		idx[r] = list
	}
	return idx
}

// weighing is what the lexicon says of a text.
type weighing struct {
	score    map[Category]int
	longest  map[Category]int // byte length of the longest keyword per category
	strong   int              // strong negative words
	weak     int              // weak negative words
	pos      int              // praise and thanks
	catNeg   bool             // a category keyword that is itself a complaint (体罚, 乱收费)
	violence bool
}

func weigh(s string, extra Lexicon) weighing {
	w := weighing{score: make(map[Category]int, 4), longest: make(map[Category]int, 4)}
	seen := make([]uint64, (lexiconSize+63)/64) // each keyword counts once
	for i := 0; i < len(s); {
		r, sz := utf8.DecodeRuneInString(s[i:])
		var hit *lexEntry
		for k, e := range lexicon[r] {
			if strings.HasPrefix(s[i:], e.word) {
				hit = &lexicon[r][k]
				break
			}
		}
		if hit == nil {
			i += sz
			continue
		}
		repeated := seen[hit.id/64]&(1<<(hit.id%64)) != 0
		seen[hit.id/64] |= 1 << (hit.id % 64)
		if hit.cat != "" && !repeated {
			w.score[hit.cat] += hit.weight
			w.longest[hit.cat] = max(w.longest[hit.cat], len(hit.word))
			if hit.neg > 0 {
				w.catNeg = true
			}
		}
		switch {
		case hit.positive:
			w.pos++
		case hit.neg >= 2:
			w.strong++
		case hit.neg == 1:
			w.weak++
		}
		w.violence = w.violence || hit.violence
		i += len(hit.word)
	}
	// An amount of money (200块, 收六百) speaks of fees.
	money := amount(s)
	if money {
		w.score[CatFees] += 4
		w.longest[CatFees] = max(w.longest[CatFees], 1)
	}
	teacher := containsAny(s, teacherRefs)
	for c, words := range extra {
		for _, kw := range words {
			if kw != "" && strings.Contains(s, kw) {
				w.score[c] += lexiconExtraWeight
				w.longest[c] = max(w.longest[c], len(kw))
			}
		}
	}
	if w.violence {
		switch {
		case containsAny(s, peerWords):
			w.score[CatSafety] += 4
		case teacher:
			w.score[CatEthics] += 4
		}
		w.strong++
	}
	if teacher && containsAny(s, restrictWords) {
		w.score[CatEthics] += 3
	}
	if teacher && containsAny(s, tutoringWords) && (money || containsAny(s, moneyWords)) {
		w.score[CatEthics] += 4
		w.catNeg = true
	}
	return w
}

// category picks the winning category.
func (w weighing) category() Category {
	best, bestScore, bestLen := CatOther, 0, 0
	for _, c := range tieOrder {
		sc, l := w.score[c], w.longest[c]
		if sc > bestScore || (sc == bestScore && sc > 0 && l > bestLen) {
			best, bestScore, bestLen = c, sc, l
		}
	}
	return best
}

// opinionLabels are prefixes that label a message as an opinion and are
// not part of it (建议：…); opinionLeads start an opinion and are part of
// the sentence (希望学校…, 能不能…).
var (
	opinionLabels = wordList("我想反映一下", "我想反映个问题", "我想反映一个问题", "我想反映", "我要反映一下", "我要反映", "反映一下", "反映个问题", "反映一个问题", "反映",
		"我要投诉", "我想投诉", "投诉一下", "投诉", "举报", "建议一下", "建议", "意见", "提个意见", "提个建议", "提一个建议", "提点意见", "提点建议", "给学校提个建议",
		"给学校提个意见", "我有个建议", "我有个意见", "我有意见", "我有建议", "我有一个建议", "强烈建议", "强烈要求", "强烈投诉", "呼吁", "意见建议", "留言")
	opinionLeads = wordList("希望", "请问能不能", "请问可不可以", "请问能否", "能不能", "可不可以", "能否", "麻烦学校", "请学校", "恳请", "要求学校", "建议学校", "学校能不能", "学校可不可以")
	// pleasantries alone make a message unknown.
	pleasantries = wordList("你好", "您好", "在吗", "在不在", "有人吗", "谢谢", "谢谢你", "谢谢您", "感谢", "老师好", "老师您好", "校长好", "领导好", "领导您好", "主任好", "各位好", "早上好", "中午好", "下午好", "晚上好", "早安", "晚安",
		"哈哈", "哈", "嗯", "嗯嗯", "哦", "噢", "呵呵", "辛苦了", "辛苦", "老师辛苦了", "收到", "知道了", "好的", "再见", "拜拜", "hello", "hi", "您好老师", "大家好", "新年快乐", "节日快乐", "教师节快乐", "👍", "🙏", "[微笑]", "[抱拳]", "[强]", "[玫瑰]")
	pleasantryFillers = wordList("老师", "校长", "啊", "呀", "啦", "了", "的", "哈", "请问", "您", "你们", "大家", "吗", "呢")
	// infoQuestions ask for information.
	infoQuestions = wordList("几点", "几号", "几月", "哪天", "什么时候", "啥时候", "多少", "是否", "有没有", "请问", "哪里", "在哪", "要不要", "需不需要", "会不会", "是不是", "什么", "啥", "多久", "多长时间", "怎么交", "怎么报名", "怎么查", "怎么办理", "怎么弄", "怎么请假", "需要什么", "要带什么", "放假", "开学")
	// personalNotices tell the school about one's own child: leave,
	// illness, pick-up. Without a complaint they are not opinions.
	personalNotices = wordList("请假", "请个假", "不去学校", "不去上学", "没去上学", "没来上学", "发烧", "生病", "感冒", "来接", "接孩子", "去接", "早点接")
	// schoolRefs show a text is about school life.
	schoolRefs = wordList("学校", "老师", "班主任", "校长", "孩子", "娃", "学生", "班", "教室", "宿舍", "食堂", "校", "年级", "同学", "作业", "课", "儿子", "女儿", "闺女", "领导", "家长")
)

// opinion decides between an opinion, an unsure opinion and unknown.
func (m *message) opinion() Parsed {
	s := m.s
	text := s
	explicit := false
	if w, ok := matchAny(s, 0, opinionLabels); ok {
		rest := strings.TrimLeft(s[len(w):], " :,.、-—!;")
		if rest != "" {
			text, explicit = rest, true
		}
	} else if _, ok := matchAny(s, 0, opinionLeads); ok {
		explicit = true
	}
	if !explicit && onlyWords(asciiLower(s), pleasantries, pleasantryFillers) {
		return Parsed{Intent: IntentUnknown}
	}
	w := weigh(text, m.ctx.Lexicon)
	cat := w.category()
	n := runeCount(text)
	school := containsAny(text, schoolRefs)
	p := Parsed{Intent: IntentOpinion, Category: cat, Text: text, Date: m.dateOnly(), Unit: longestUnit(text, m.ctx.Units)}
	switch {
	case explicit:
		return p
	case w.strong == 0 && !w.catNeg && (w.pos > 0 || isInfoQuestion(text)):
		return Parsed{Intent: IntentUnknown}
	case w.strong > 0 || w.catNeg:
		if w.score[cat] > 0 || school || n >= 8 {
			return p
		}
	case n < 6, containsAny(text, personalNotices):
		// one word (食堂), or news of one's own child (孩子发烧了请假一天)
	case w.score[cat] >= 2, school && w.weak > 0:
		p.Unsure = true
		return p
	}
	return Parsed{Intent: IntentUnknown}
}

// isInfoQuestion reports a question asking for information.
func isInfoQuestion(s string) bool {
	t := strings.TrimRight(s, " !~")
	if strings.HasSuffix(t, "?") || strings.HasSuffix(t, "吗") || strings.HasSuffix(t, "么") || strings.HasSuffix(t, "呢") || strings.HasSuffix(t, "吗?") {
		return true
	}
	return containsAny(s, infoQuestions)
}

// amount reports whether s names an amount of money: a number followed by
// 块/元/毛, or 收/交/要 followed by a number.
func amount(s string) bool {
	found := false
	scanNumbers(s, func(i int) int {
		if found {
			return len(s)
		}
		_, j, ok := numberAt(s, i)
		if !ok {
			return -1
		}
		if _, ok := matchAny(s, skipSpaces(s, j), []string{"块", "元", "毛"}); ok {
			found = true
		}
		for _, v := range []string{"收", "交", "要"} {
			if strings.HasSuffix(s[:i], v) {
				found = true
			}
		}
		return j
	})
	return found
}
