// minqing dev simulator: talks to /dev/api/* on the same origin.
// Each persona has its own conversation, kept in localStorage.
(function () {
  "use strict";

  var PREFIX = "minqing-dev:v1:";
  var MAX_KEPT = 300; // messages kept per persona
  var TIME_GAP = 5 * 60 * 1000; // show a time line after a 5-minute gap
  var CODE_RE = /[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}/g;
  var AVATAR_ACCOUNT = "民";

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    personas: $("personas"), role: $("role"), subscribe: $("subscribe"), clear: $("clear"),
    chat: $("chat"), messages: $("messages"), composer: $("composer"), input: $("input"),
    send: $("send"), voice: $("voice"), menu: $("menu"), conn: $("conn"),
    banner: $("banner"), bannerClose: $("banner-close"), modeNote: $("mode-note")
  };

  var personas = [];
  var byKey = {};
  var byOpenID = {};
  var current = "";
  var voiceMode = false;
  var queue = Promise.resolve();

  // ---- storage (localStorage, or memory when it is unavailable) ----

  var memory = {};
  var store = {
    get: function (k) {
      try { return window.localStorage.getItem(PREFIX + k); } catch (e) { return memory[k] === undefined ? null : memory[k]; }
    },
    set: function (k, v) {
      try { window.localStorage.setItem(PREFIX + k, v); } catch (e) { memory[k] = v; }
    },
    remove: function (k) {
      try { window.localStorage.removeItem(PREFIX + k); } catch (e) { delete memory[k]; }
    }
  };

  function loadConv(key) {
    try {
      var v = JSON.parse(store.get("conv:" + key) || "[]");
      return Array.isArray(v) ? v : [];
    } catch (e) { return []; }
  }
  function saveConv(key, conv) {
    if (conv.length > MAX_KEPT) conv = conv.slice(conv.length - MAX_KEPT);
    store.set("conv:" + key, JSON.stringify(conv));
  }
  function cursor(key) {
    var n = parseInt(store.get("seq:" + key) || "0", 10);
    return isFinite(n) && n > 0 ? n : 0;
  }
  function setCursor(key, n) { store.set("seq:" + key, String(n)); }
  function unread(key) { return parseInt(store.get("unread:" + key) || "0", 10) || 0; }
  function setUnread(key, n) {
    if (n > 0) store.set("unread:" + key, String(n)); else store.remove("unread:" + key);
    renderBadge(key);
  }

  // ---- conversation model ----

  var nextID = Date.now();
  function newID() { nextID += 1; return nextID.toString(36); }

  // add appends a message to a persona's conversation and shows it if that
  // persona is on screen. m: {w: "user"|"bot"|"push"|"sys", t, at, ...}.
  function add(key, m) {
    m.id = m.id || newID();
    m.at = m.at || Date.now();
    var conv = loadConv(key);
    var prev = conv.length ? conv[conv.length - 1] : null;
    conv.push(m);
    saveConv(key, conv);
    if (key === current) {
      var stick = m.w === "user" || nearBottom();
      var empty = els.messages.querySelector(".empty");
      if (empty) empty.remove();
      appendMessage(m, prev);
      if (stick) scrollToBottom();
    }
    return m.id;
  }

  function update(key, id, fields) {
    var conv = loadConv(key);
    for (var i = 0; i < conv.length; i++) {
      if (conv[i].id === id) {
        for (var f in fields) conv[i][f] = fields[f];
        break;
      }
    }
    saveConv(key, conv);
    if (key === current) {
      var li = els.messages.querySelector('[data-id="' + id + '"]');
      if (li) {
        li.classList.toggle("pending", !!fields.pending);
        li.classList.toggle("failed", !!fields.failed);
      }
    }
  }

  // ---- rendering ----

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function fmtTime(ms) {
    var d = new Date(ms), now = new Date();
    var hm = pad(d.getHours()) + ":" + pad(d.getMinutes());
    if (d.toDateString() === now.toDateString()) return hm;
    var y = d.getFullYear() === now.getFullYear() ? "" : d.getFullYear() + "年";
    return y + (d.getMonth() + 1) + "月" + d.getDate() + "日 " + hm;
  }

  // textWithCodes fills el with text, turning receipt codes into links
  // that put the code into the input.
  function textWithCodes(el, text) {
    var last = 0, m;
    CODE_RE.lastIndex = 0;
    while ((m = CODE_RE.exec(text)) !== null) {
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      // A link, not a button: a button is an atomic inline and breaks
      // lines badly in Chinese text.
      var a = document.createElement("a");
      a.href = "#input";
      a.className = "code";
      a.textContent = m[0];
      a.title = "填入输入框";
      a.setAttribute("data-code", m[0]);
      el.appendChild(a);
      last = m.index + m[0].length;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }

  function node(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function appendMessage(m, prev) {
    if (!prev || m.at - prev.at > TIME_GAP) {
      var t = node("li", "time", fmtTime(m.at));
      t.setAttribute("aria-hidden", "true");
      els.messages.appendChild(t);
    }
    if (m.w === "sys") {
      var s = node("li", "sys" + (m.error ? " error" : ""));
      s.setAttribute("data-id", m.id);
      s.appendChild(node("span", "", m.t));
      els.messages.appendChild(s);
      return;
    }
    var li = node("li", "msg " + m.w);
    li.setAttribute("data-id", m.id);
    if (m.seq) li.setAttribute("data-seq", String(m.seq));
    if (m.pending) li.classList.add("pending");
    if (m.failed) li.classList.add("failed");
    var p = byKey[current];
    var av = node("div", "avatar " + (m.w === "user" ? "p-" + current : "account"),
      m.w === "user" ? (p ? p.name.charAt(0) : "我") : AVATAR_ACCOUNT);
    av.setAttribute("aria-hidden", "true");
    li.appendChild(av);
    var body = node("div", "body");
    if (m.w === "push") {
      var meta = node("div", "meta");
      meta.appendChild(node("span", "tag", "客服消息"));
      var tm = node("time", "", fmtTime(m.at));
      tm.setAttribute("datetime", new Date(m.at).toISOString());
      meta.appendChild(tm);
      body.appendChild(meta);
    }
    var bubble = node("div", "bubble");
    bubble.appendChild(node("span", "sr-only", m.w === "user" ? "我：" : m.w === "push" ? "公众号客服消息：" : "公众号："));
    if (m.voice) bubble.appendChild(node("span", "voice-label", "[语音] "));
    textWithCodes(bubble, m.t);
    body.appendChild(bubble);
    li.appendChild(body);
    els.messages.appendChild(li);
  }

  function renderConversation() {
    els.messages.textContent = "";
    els.messages.setAttribute("data-persona", current);
    var conv = loadConv(current);
    if (!conv.length) {
      var p = byKey[current];
      var e = node("li", "empty", "这里是「" + (p ? p.name : "") + "」的对话。\n发送“帮助”看看能做什么，或点下方菜单。");
      els.messages.appendChild(e);
    }
    for (var i = 0; i < conv.length; i++) appendMessage(conv[i], i ? conv[i - 1] : null);
    scrollToBottom();
  }

  function nearBottom() {
    var c = els.chat;
    return c.scrollHeight - c.scrollTop - c.clientHeight < 80;
  }
  function scrollToBottom() { els.chat.scrollTop = els.chat.scrollHeight; }

  function renderBadge(key) {
    var tab = $("persona-" + key);
    if (!tab) return;
    var b = tab.querySelector(".badge");
    var n = key === current ? 0 : unread(key);
    b.hidden = n === 0;
    b.textContent = n > 99 ? "99+" : String(n);
    tab.setAttribute("aria-label", byKey[key].name + (n ? "，" + n + " 条新消息" : ""));
  }

  // ---- personas ----

  function renderPersonas() {
    els.personas.textContent = "";
    personas.forEach(function (p) {
      var b = node("button", "persona");
      b.type = "button";
      b.id = "persona-" + p.key;
      b.setAttribute("role", "tab");
      b.setAttribute("aria-controls", "chat");
      b.setAttribute("data-persona", p.key);
      b.appendChild(node("span", "", p.name));
      var badge = node("span", "badge");
      badge.hidden = true;
      badge.setAttribute("aria-hidden", "true");
      b.appendChild(badge);
      b.addEventListener("click", function () { choose(p.key); });
      b.addEventListener("keydown", tabKeys);
      els.personas.appendChild(b);
    });
  }

  function tabKeys(e) {
    var i = personas.findIndex(function (p) { return p.key === current; });
    var j = -1;
    if (e.key === "ArrowRight") j = (i + 1) % personas.length;
    else if (e.key === "ArrowLeft") j = (i - 1 + personas.length) % personas.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = personas.length - 1;
    if (j < 0) return;
    e.preventDefault();
    choose(personas[j].key);
    $("persona-" + personas[j].key).focus();
  }

  function choose(key) {
    if (!byKey[key]) return;
    current = key;
    store.set("persona", key);
    personas.forEach(function (p) {
      var tab = $("persona-" + p.key);
      var on = p.key === key;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
    });
    els.chat.setAttribute("aria-labelledby", "persona-" + key);
    els.role.textContent = byKey[key].role;
    setUnread(key, 0);
    personas.forEach(function (p) { renderBadge(p.key); });
    closeMenus();
    renderConversation();
  }

  // ---- sending ----

  function post(payload) {
    return fetch("api/send", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
      cache: "no-store",
      credentials: "same-origin"
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) throw new Error(body.error || "HTTP " + res.status);
        return body;
      });
    });
  }

  // send queues one message for the current persona, so that replies keep
  // their order; shown is the user's bubble (null for events), note a
  // system line.
  function send(payload, shown, note) {
    var key = current;
    payload.persona = key;
    var id = null;
    if (shown) id = add(key, { w: "user", t: shown.text, voice: !!shown.voice, pending: true });
    if (note) add(key, { w: "sys", t: note });
    queue = queue.then(function () {
      return post(payload).then(function (r) {
        if (id) update(key, id, { pending: false });
        if (!r.empty && r.reply) add(key, { w: "bot", t: r.reply });
      }, function (err) {
        if (id) update(key, id, { pending: false, failed: true });
        add(key, { w: "sys", t: "发送失败：" + (err && err.message ? err.message : "无法连接服务"), error: true });
      });
    });
    return queue;
  }

  function sendInput() {
    var text = els.input.value;
    if (!text.trim()) { els.input.focus(); return; }
    if (voiceMode) send({ voice: text }, { text: text, voice: true });
    else send({ text: text }, { text: text });
    els.input.value = "";
    grow();
    els.input.focus();
  }

  function grow() {
    els.input.style.height = "auto";
    els.input.style.height = Math.min(els.input.scrollHeight, 110) + "px";
  }

  function setVoice(on) {
    voiceMode = on;
    els.voice.setAttribute("aria-pressed", on ? "true" : "false");
    els.input.classList.toggle("voice-mode", on);
    els.input.placeholder = on ? "说的话（当作微信的语音识别结果发送）" : "输入消息，回车发送";
  }

  // ---- menu ----

  function renderMenu(menu) {
    els.menu.textContent = "";
    (menu || []).forEach(function (item, i) {
      var wrap = node("div", "menu-item");
      if (item.sub && item.sub.length) {
        var top = node("button", "menu-btn has-sub");
        top.type = "button";
        top.id = "menu-top-" + i;
        top.setAttribute("data-name", item.name);
        top.setAttribute("aria-haspopup", "menu");
        top.setAttribute("aria-expanded", "false");
        top.setAttribute("aria-controls", "menu-pop-" + i);
        var lines = node("span", "lines", "≡");
        lines.setAttribute("aria-hidden", "true");
        top.appendChild(lines);
        top.appendChild(document.createTextNode(item.name));
        var pop = node("ul", "menu-pop");
        pop.id = "menu-pop-" + i;
        pop.hidden = true;
        pop.setAttribute("role", "menu");
        pop.setAttribute("aria-labelledby", top.id);
        item.sub.forEach(function (sub) {
          var li = node("li");
          li.setAttribute("role", "none");
          var b = menuLeaf(sub);
          b.setAttribute("role", "menuitem");
          b.tabIndex = -1;
          li.appendChild(b);
          pop.appendChild(li);
        });
        top.addEventListener("click", function (e) {
          e.stopPropagation();
          var open = top.getAttribute("aria-expanded") === "true";
          closeMenus();
          if (!open) openMenu(top, pop);
        });
        top.addEventListener("keydown", function (e) {
          if (e.key === "ArrowUp" || e.key === "ArrowDown") {
            e.preventDefault();
            closeMenus();
            openMenu(top, pop);
          }
        });
        pop.addEventListener("keydown", function (e) { popKeys(e, top, pop); });
        wrap.appendChild(pop);
        wrap.appendChild(top);
      } else {
        wrap.appendChild(menuLeaf(item));
      }
      els.menu.appendChild(wrap);
    });
  }

  function menuLeaf(item) {
    var b;
    if (item.url && !item.key) {
      b = node("a", "menu-btn", item.name);
      b.href = item.url;
      b.target = "_blank";
      b.rel = "noopener noreferrer";
      return b;
    }
    b = node("button", "menu-btn", item.name);
    b.type = "button";
    b.setAttribute("data-key", item.key || "");
    b.addEventListener("click", function (e) {
      e.stopPropagation();
      var top = closeMenus();
      send({ event: "CLICK", key: item.key }, null, "点击菜单「" + item.name + "」");
      if (top) top.focus();
    });
    return b;
  }

  function openMenu(top, pop) {
    pop.hidden = false;
    top.setAttribute("aria-expanded", "true");
    var first = pop.querySelector(".menu-btn");
    if (first) first.focus();
  }

  // closeMenus closes any open pop-up and returns its button.
  function closeMenus() {
    var opened = null;
    els.menu.querySelectorAll(".menu-pop").forEach(function (pop) {
      if (!pop.hidden) {
        pop.hidden = true;
        opened = $(pop.getAttribute("aria-labelledby"));
      }
    });
    els.menu.querySelectorAll("[aria-expanded]").forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
    return opened;
  }

  function popKeys(e, top, pop) {
    var items = Array.prototype.slice.call(pop.querySelectorAll(".menu-btn"));
    var i = items.indexOf(document.activeElement);
    var j = -1;
    if (e.key === "ArrowDown") j = (i + 1) % items.length;
    else if (e.key === "ArrowUp") j = (i - 1 + items.length) % items.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = items.length - 1;
    else if (e.key === "Escape") { e.preventDefault(); closeMenus(); top.focus(); return; }
    else if (e.key === "Tab") { closeMenus(); return; }
    if (j < 0) return;
    e.preventDefault();
    items[j].focus();
  }

  // ---- pushed customer-service messages ----

  function setConn(state, title) {
    els.conn.className = "conn " + state;
    els.conn.title = title;
    els.conn.setAttribute("aria-label", title);
  }

  function addPush(key, m) {
    if (m.seq <= cursor(key)) return;
    var at = Date.parse(m.at) || Date.now();
    var conv = loadConv(key);
    for (var i = 0; i < conv.length; i++) {
      if (conv[i].w === "push" && conv[i].seq === m.seq && conv[i].at === at) return; // shown by another tab
    }
    add(key, { w: "push", t: m.text, seq: m.seq, at: at });
    if (key !== current) setUnread(key, unread(key) + 1);
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  // poll long-polls every persona's pushes in one request (browsers allow
  // only a few connections per host).
  async function poll() {
    var backoff = 1000;
    var qs = personas.map(function (p) { return "persona=" + encodeURIComponent(p.key); }).join("&");
    for (var wait = "0s"; ; wait = "20s") { // the first answer says at once that pushes work
      var after = Math.min.apply(null, personas.map(function (p) { return cursor(p.key); }));
      try {
        var res = await fetch("api/pushed?" + qs + "&after=" + after + "&wait=" + wait, { cache: "no-store", credentials: "same-origin" });
        if (!res.ok) throw new Error("HTTP " + res.status);
        var page = await res.json();
        setConn("ok", "推送消息：已连接");
        backoff = 1000;
        if (page.last_seq < after) { // the service restarted: numbering begins again
          personas.forEach(function (p) { setCursor(p.key, 0); });
          continue;
        }
        (page.messages || []).forEach(function (m) {
          var p = byOpenID[m.openid];
          if (p) addPush(p.key, m);
        });
        personas.forEach(function (p) { setCursor(p.key, Math.max(cursor(p.key), page.last_seq)); });
      } catch (e) {
        setConn("down", "推送消息：连接中断，正在重试");
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10000);
      }
    }
  }

  // ---- wiring ----

  function wire() {
    els.composer.addEventListener("submit", function (e) { e.preventDefault(); sendInput(); });
    // Enter sends, Shift+Enter breaks the line; not while an input method
    // is composing (Enter then confirms the characters).
    var enterSent = false;
    els.input.addEventListener("keydown", function (e) {
      enterSent = false;
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        enterSent = true;
        sendInput();
      }
    });
    els.input.addEventListener("keyup", function (e) { if (e.key === "Enter") enterSent = false; });
    // Some keyboards (and DevTools' key events) still insert the break.
    els.input.addEventListener("beforeinput", function (e) {
      if (enterSent && (e.inputType === "insertLineBreak" || e.inputType === "insertParagraph")) e.preventDefault();
    });
    els.input.addEventListener("input", grow);
    els.voice.addEventListener("click", function () { setVoice(!voiceMode); els.input.focus(); });
    els.subscribe.addEventListener("click", function () {
      send({ event: "subscribe" }, null, "关注了公众号");
    });
    els.clear.addEventListener("click", function () {
      saveConv(current, []);
      renderConversation();
    });
    els.bannerClose.addEventListener("click", function () {
      els.banner.hidden = true;
      store.set("banner", "hidden");
      els.input.focus();
    });
    els.messages.addEventListener("click", function (e) {
      var code = e.target.closest && e.target.closest(".code");
      if (!code) return;
      e.preventDefault();
      var v = els.input.value;
      els.input.value = v + (v && !/\s$/.test(v) ? " " : "") + code.getAttribute("data-code") + " ";
      grow();
      els.input.focus();
    });
    document.addEventListener("click", function () { closeMenus(); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        var top = closeMenus();
        if (top) top.focus();
      }
    });
    // Another tab of the simulator changed a conversation.
    window.addEventListener("storage", function (e) {
      if (!e.key || e.key.indexOf(PREFIX) !== 0) return;
      var k = e.key.slice(PREFIX.length);
      if (k === "conv:" + current) renderConversation();
      else if (k.indexOf("unread:") === 0) renderBadge(k.slice(7));
    });
  }

  function start() {
    if (store.get("banner") === "hidden") els.banner.hidden = true;
    wire();
    fetch("api/personas", { cache: "no-store", credentials: "same-origin" })
      .then(function (res) { if (!res.ok) throw new Error("HTTP " + res.status); return res.json(); })
      .then(function (data) {
        personas = (data.personas || []).map(function (p) { return { key: p.key, name: p.name, role: p.role, openid: p.openid }; });
        personas.forEach(function (p) { byKey[p.key] = p; byOpenID[p.openid] = p; });
        els.modeNote.textContent = data.mode === "aes" ? "并加密（安全模式）" : "（明文模式）";
        renderPersonas();
        renderMenu(data.menu);
        var saved = store.get("persona");
        choose(byKey[saved] ? saved : personas[0].key);
        document.body.setAttribute("data-ready", "true");
        poll();
      })
      .catch(function (err) {
        els.messages.appendChild(node("li", "sys error")).appendChild(node("span", "", "无法加载模拟器：" + err.message + "。请确认服务在运行，然后刷新页面。"));
      });
  }

  start();
})();
