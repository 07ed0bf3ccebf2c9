// ChatDesk sandbox: a client (left) and the agents' forum group (right) on top of the
// Telegram emulator's control API. Polls once a second; injects what the person does as
// Telegram updates, exactly as a test would. Every text goes in with textContent.
"use strict";

(function () {
  const POLL_MS = 1000;
  const NAMES = {
    en: [["Emma", "Johnson"], ["Liam", "Brown"], ["Olivia", "Davis"], ["Noah", "Wilson"],
      ["Ava", "Taylor"], ["Lucas", "Miller"]],
    ru: [["Мария", "Иванова"], ["Алексей", "Смирнов"], ["Анна", "Кузнецова"],
      ["Дмитрий", "Попов"], ["Ольга", "Волкова"]],
    fa: [["سارا", "رضایی"], ["علی", "محمدی"], ["مریم", "حسینی"], ["رضا", "کریمی"],
      ["نگار", "صادقی"]],
  };
  const TOPIC_HINTS = ["/take", "/note ", "/resolve ", "/wait", "/hold 3d", "/escalate",
    "/deescalate", "/priority high", "/close", "/reopen", "/canned", "/history"];
  const GENERAL_HINTS = ["/queue", "/mine"];
  const GENERAL = 0;
  const ENTITY_TAGS = {
    bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code",
    pre: "code", spoiler: "span", blockquote: "span", expandable_blockquote: "span",
    text_link: "a", url: "a", mention: "span", text_mention: "span", hashtag: "span",
    cashtag: "span", bot_command: "span", email: "span", phone_number: "span",
    custom_emoji: "span",
  };
  const MEDIA_ICONS = {
    document: "📄", voice: "🎤", video: "🎬", audio: "🎵", animation: "🎞", video_note: "📹",
    sticker: "🏷",
  };

  const $ = (id) => document.getElementById(id);
  const store = {
    get(key, fallback) {
      try {
        const value = window.localStorage.getItem("chatdesk-sandbox:" + key);
        return value === null ? fallback : JSON.parse(value);
      } catch (err) {
        return fallback;
      }
    },
    set(key, value) {
      try {
        window.localStorage.setItem("chatdesk-sandbox:" + key, JSON.stringify(value));
      } catch (err) {
        // private mode or storage full: the page still works, it just forgets on reload
      }
    },
  };

  const state = {
    config: null,
    clients: [],
    clientId: store.get("client", null),
    thread: null, // selected topic (message_thread_id), GENERAL, or null before the first one
    pinned: false, // the person chose a topic: stop following the newest one
    knownTopics: null,
    topics: [],
    groupMessages: [],
    reply: { client: null, agent: null },
    file: { client: null, agent: null },
    seen: store.get("seen", {}),
    signatures: {},
    queries: new Map(),
    forceReplied: new Set(),
    busy: false,
    again: false,
    stalledSince: null,
  };

  // --- talking to the emulator ---------------------------------------------------------------

  async function api(method, path, body) {
    const init = { method, cache: "no-store", headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!data || !data.ok) {
      throw new Error((data && (data.error || data.description)) || "HTTP " + response.status);
    }
    return data.result;
  }

  // --- small DOM helpers -----------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fullName(user) {
    if (!user) return "";
    return [user.first_name, user.last_name].filter(Boolean).join(" ");
  }

  function timeOf(unix) {
    return new Date(unix * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function safeLink(href) {
    const link = document.createElement("a");
    let url = null;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(href) ? href : "https://" + href);
    } catch (err) {
      url = null;
    }
    if (url && (url.protocol === "http:" || url.protocol === "https:")) {
      link.href = url.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      topicLink(link, url);
    }
    return link;
  }

  // t.me/c/<chat>/<thread> links to a topic of the agents' group open it here instead.
  function topicLink(link, url) {
    const match = /^\/c\/(\d+)\/(\d+)\/?$/.exec(url.pathname);
    if (url.hostname !== "t.me" || !match || !state.config) return;
    if ("-100" + match[1] !== String(state.config.agent_chat_id)) return;
    const thread = Number(match[2]);
    link.addEventListener("click", (event) => {
      if (!state.topics.some((t) => t.message_thread_id === thread)) return;
      event.preventDefault();
      selectTopic(thread, true);
    });
  }

  function toast(text, kind) {
    const box = el("div", "toast " + (kind || "info"), text);
    box.dir = "auto";
    box.addEventListener("click", () => box.remove());
    $("toasts").appendChild(box);
    window.setTimeout(() => box.remove(), kind === "alert" || kind === "error" ? 9000 : 5000);
  }

  // --- rendering messages ------------------------------------------------------------------------

  // Entity offsets count UTF-16 code units, as JavaScript strings do.
  function renderText(text, entities) {
    const box = el("div", "text");
    box.dir = "auto";
    const list = (entities || []).filter((e) => ENTITY_TAGS[e.type] && e.length > 0);
    const cuts = new Set([0, text.length]);
    for (const e of list) {
      cuts.add(Math.min(text.length, Math.max(0, e.offset)));
      cuts.add(Math.min(text.length, Math.max(0, e.offset + e.length)));
    }
    const points = Array.from(cuts).sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i += 1) {
      const start = points[i];
      const end = points[i + 1];
      let node = document.createTextNode(text.slice(start, end));
      const active = list
        .filter((e) => e.offset <= start && e.offset + e.length >= end)
        .sort((a, b) => b.length - a.length);
      for (let j = active.length - 1; j >= 0; j -= 1) {
        node = wrapEntity(node, active[j], text);
      }
      box.appendChild(node);
    }
    return box;
  }

  function wrapEntity(child, entity, text) {
    let node;
    if (entity.type === "url") {
      node = safeLink(text.slice(entity.offset, entity.offset + entity.length));
    } else if (entity.type === "text_link") {
      node = safeLink(entity.url || "");
    } else {
      node = document.createElement(ENTITY_TAGS[entity.type]);
    }
    node.classList.add("e-" + entity.type);
    node.appendChild(child);
    return node;
  }

  function renderMedia(msg) {
    const ids = msg.file_ids || [];
    const href = ids.length ? "/control/files/" + encodeURIComponent(ids[ids.length - 1]) : null;
    if (msg.media_kind === "photo" && href) {
      const img = document.createElement("img");
      img.className = "photo";
      img.src = href;
      img.alt = "photo";
      img.loading = "lazy";
      return img;
    }
    const media = msg.media && !Array.isArray(msg.media) ? msg.media : {};
    const icon = msg.media_kind === "sticker" && media.emoji ? media.emoji
      : (MEDIA_ICONS[msg.media_kind] || "📎");
    const box = el(href ? "a" : "div", "file", icon + " " + (media.file_name || msg.media_kind));
    if (href) {
      box.href = href;
      box.target = "_blank";
      box.rel = "noopener noreferrer";
    }
    return box;
  }

  function snippet(msg) {
    const text = msg.text || msg.caption || (msg.media_kind ? "[" + msg.media_kind + "]" : "");
    const first = text.split("\n")[0];
    return first.length > 80 ? first.slice(0, 79) + "…" : first;
  }

  function serviceText(service) {
    if (service.forum_topic_created) return "Topic “" + service.forum_topic_created.name + "” created";
    if (service.forum_topic_edited) {
      return service.forum_topic_edited.name
        ? "Topic renamed to “" + service.forum_topic_edited.name + "”" : "Topic edited";
    }
    if (service.forum_topic_closed) return "Topic closed";
    if (service.forum_topic_reopened) return "Topic reopened";
    if (service.pinned_message) return "Message pinned";
    return Object.keys(service)[0].replace(/_/g, " ");
  }

  function renderKeyboard(msg, side) {
    const keyboard = el("div", "keyboard");
    for (const row of msg.reply_markup.inline_keyboard) {
      const line = el("div", "kb-row");
      for (const button of row) {
        if (button.url) {
          const link = safeLink(button.url);
          link.className = "kb-button";
          link.textContent = button.text + " ↗";
          line.appendChild(link);
          continue;
        }
        const press = el("button", "kb-button", button.text);
        press.type = "button";
        press.dir = "auto";
        if (typeof button.callback_data === "string") {
          press.dataset.callback = button.callback_data;
          press.addEventListener("click", () => pressButton(msg, button, side, press));
        } else {
          press.disabled = true;
        }
        line.appendChild(press);
      }
      keyboard.appendChild(line);
    }
    return keyboard;
  }

  function renderMessage(msg, byId, side, selfId) {
    if (msg.service && Object.keys(msg.service).length) {
      return el("div", "service", serviceText(msg.service));
    }
    const own = !msg.from_bot && msg.from && msg.from.id === selfId;
    const row = el("div", "msg " + (msg.from_bot ? "from-bot" : own ? "own" : "other"));
    row.dataset.messageId = String(msg.message_id);
    const bubble = el("div", "bubble");
    if (!own) {
      const author = msg.from_bot ? fullName(state.config.bot) || "Bot" : fullName(msg.from);
      bubble.appendChild(el("div", "author", author));
    }
    const quoted = msg.reply_to_message_id ? byId.get(msg.reply_to_message_id) : null;
    if (quoted && !(quoted.service && quoted.service.forum_topic_created)) {
      const quote = el("div", "quote", snippet(quoted));
      quote.dir = "auto";
      bubble.appendChild(quote);
    }
    if (msg.media_kind) bubble.appendChild(renderMedia(msg));
    if (msg.text !== null && msg.text !== undefined) {
      bubble.appendChild(renderText(msg.text, msg.entities));
    }
    if (msg.caption) bubble.appendChild(renderText(msg.caption, msg.caption_entities));
    const meta = el("div", "meta");
    const reactions = (msg.reactions || []).map((r) => r.emoji || "").join("");
    if (reactions) {
      const badge = el("span", "reactions", reactions);
      badge.title = "The bot's reaction";
      meta.appendChild(badge);
    }
    meta.appendChild(el("span", "", (msg.edit_date ? "edited · " : "") + timeOf(msg.date)));
    const replyButton = el("button", "link-button reply-button", "↩");
    replyButton.type = "button";
    replyButton.title = "Reply";
    replyButton.setAttribute("aria-label", "Reply");
    replyButton.addEventListener("click", () => setReply(side, msg));
    meta.appendChild(replyButton);
    bubble.appendChild(meta);
    if (msg.reply_markup && Array.isArray(msg.reply_markup.inline_keyboard)) {
      bubble.appendChild(renderKeyboard(msg, side));
    }
    row.appendChild(bubble);
    return row;
  }

  function renderMessages(container, messages, side, selfId, empty) {
    const atBottom = container.dataset.jump === "1"
      || container.scrollHeight - container.scrollTop - container.clientHeight < 60;
    delete container.dataset.jump;
    const byId = new Map(messages.map((m) => [m.message_id, m]));
    const nodes = messages.filter((m) => !m.deleted)
      .map((m) => renderMessage(m, byId, side, selfId));
    if (!nodes.length) nodes.push(el("div", "empty", empty));
    container.replaceChildren(...nodes);
    if (atBottom) {
      container.scrollTop = container.scrollHeight;
      for (const img of container.querySelectorAll("img")) {
        if (!img.complete) {
          img.addEventListener("load", () => { container.scrollTop = container.scrollHeight; });
        }
      }
    }
  }

  function changed(key, value) {
    const signature = JSON.stringify(value);
    if (state.signatures[key] === signature) return false;
    state.signatures[key] = signature;
    return true;
  }

  // --- replies and files ---------------------------------------------------------------------

  function setReply(side, msg, placeholder) {
    state.reply[side] = msg ? { message_id: msg.message_id } : null;
    const box = $(side + "-reply");
    box.hidden = !msg;
    box.querySelector(".replying-text").textContent = msg ? "Replying to: " + snippet(msg) : "";
    const input = $(side + "-text");
    if (placeholder) input.placeholder = placeholder;
    else if (!msg) input.placeholder = input.dataset.placeholder;
    if (msg) input.focus();
  }

  function kindOf(file) {
    const type = file.type || "";
    if (/^image\/(jpeg|png|webp)$/.test(type)) return "photo";
    if (type === "audio/ogg") return "voice";
    if (type === "video/mp4") return "video";
    return "document";
  }

  function attachmentOf(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result);
        resolve({
          kind: kindOf(file),
          base64: url.slice(url.indexOf(",") + 1),
          filename: file.name,
          mime_type: file.type || "application/octet-stream",
        });
      };
      reader.onerror = () => reject(new Error("could not read " + file.name));
      reader.readAsDataURL(file);
    });
  }

  function pickFile(side) {
    const input = $(side + "-file");
    state.file[side] = input.files && input.files.length ? input.files[0] : null;
    $(side + "-file-name").textContent = state.file[side]
      ? "Attached: " + state.file[side].name + " (the text becomes its caption)" : "";
  }

  function clearFile(side) {
    $(side + "-file").value = "";
    pickFile(side);
  }

  async function messageBody(side, text) {
    const body = {};
    const file = state.file[side];
    if (file) {
      body.attachment = await attachmentOf(file);
      if (text) body.caption = text;
    } else {
      body.text = text;
    }
    if (state.reply[side]) body.reply_to_message_id = state.reply[side].message_id;
    return body;
  }

  // --- the client side --------------------------------------------------------------------------

  function currentLang() {
    const client = state.clients.find((c) => c.id === state.clientId);
    return (client && client.language_code) || $("client-lang").value || "en";
  }

  function updateClients(clients) {
    state.clients = clients.slice().sort((a, b) => a.id - b.id);
    if (state.clientId !== null && !state.clients.some((c) => c.id === state.clientId)) {
      state.clientId = null;
    }
    if (state.clientId === null && state.clients.length) {
      state.clientId = state.clients[state.clients.length - 1].id;
    }
    if (!changed("clients", [state.clients, state.clientId])) return;
    const select = $("client-select");
    select.replaceChildren(...state.clients.map((c) => {
      const option = el("option", "", fullName(c) + " · " + c.id);
      option.value = String(c.id);
      option.selected = c.id === state.clientId;
      return option;
    }));
    select.disabled = !state.clients.length;
    $("client-lang").value = currentLang();
  }

  async function newClient() {
    const lang = $("client-lang").value || "en";
    const first = state.config.first_client_id || 100000001;
    const id = Math.max(first - 1, ...state.clients.map((c) => c.id)) + 1;
    const names = NAMES[lang] || NAMES.en;
    const [firstName, lastName] = names[state.clients.length % names.length];
    await api("POST", "/control/users", {
      user_id: id, first_name: firstName, last_name: lastName, language_code: lang,
    });
    state.clients.push({ id, first_name: firstName, last_name: lastName, language_code: lang });
    selectClient(id);
    return id;
  }

  function selectClient(id) {
    state.clientId = id;
    $("client-messages").dataset.jump = "1";
    store.set("client", id);
    $("client-lang").value = currentLang();
    setReply("client", null);
    delete state.signatures.client;
    delete state.signatures.clients;
    schedulePoll();
  }

  async function changeLanguage() {
    const lang = $("client-lang").value;
    const client = state.clients.find((c) => c.id === state.clientId);
    if (!client) return;
    client.language_code = lang;
    await api("POST", "/control/users", { user_id: state.clientId, language_code: lang });
  }

  async function sendAsClient(event) {
    event.preventDefault();
    const input = $("client-text");
    const text = input.value.trim();
    if (!text && !state.file.client) return;
    try {
      if (state.clientId === null) await newClient();
      const body = await messageBody("client", text);
      body.user_id = state.clientId;
      body.language_code = currentLang();
      await api("POST", "/control/updates/private-message", body);
      input.value = "";
      clearFile("client");
      setReply("client", null);
    } catch (err) {
      toast(err.message, "error");
    }
    schedulePoll();
  }

  async function refreshClient() {
    const id = state.clientId;
    if (id === null) {
      if (changed("client", null)) {
        renderMessages($("client-messages"), [], "client", null,
          "Press “New client”, or just write: a client is created for you.");
      }
      return;
    }
    const messages = await api("GET", "/control/chats/" + id + "/messages");
    if (id !== state.clientId || !changed("client", [id, messages])) return;
    renderMessages($("client-messages"), messages, "client", id,
      "Write something as the client: the bot answers with the ticket number.");
    const last = messages.filter((m) => !m.deleted).pop();
    const markup = last && last.from_bot && last.reply_markup;
    if (markup && markup.force_reply && !state.forceReplied.has(id + ":" + last.message_id)) {
      state.forceReplied.add(id + ":" + last.message_id);
      setReply("client", last, markup.input_field_placeholder);
    }
  }

  // --- the agents' side ------------------------------------------------------------------------

  function topicColor(color) {
    return "#" + (Number(color) || 0x6fb9f0).toString(16).padStart(6, "0");
  }

  function threadOf(msg) {
    return msg.message_thread_id === null || msg.message_thread_id === undefined
      ? GENERAL : msg.message_thread_id;
  }

  function selectTopic(thread, byPerson) {
    if (byPerson) state.pinned = true;
    if (state.thread === thread) return;
    state.thread = thread;
    $("group-messages").dataset.jump = "1";
    setReply("agent", null);
    delete state.signatures.thread;
    delete state.signatures.topics;
    renderGroup();
  }

  async function refreshGroup() {
    const chatId = state.config.agent_chat_id;
    const [topics, messages] = await Promise.all([
      api("GET", "/control/chats/" + chatId + "/topics"),
      api("GET", "/control/chats/" + chatId + "/messages"),
    ]);
    state.topics = topics;
    state.groupMessages = messages;
    const ids = topics.map((t) => t.message_thread_id);
    if (state.knownTopics === null) {
      state.knownTopics = new Set();
      if (state.thread === null) state.thread = ids.length ? Math.max(...ids) : GENERAL;
    }
    const fresh = ids.filter((id) => !state.knownTopics.has(id));
    fresh.forEach((id) => state.knownTopics.add(id));
    const before = state.thread;
    if (fresh.length && !state.pinned) state.thread = Math.max(...fresh);
    if (state.thread !== GENERAL && !ids.includes(state.thread)) state.thread = GENERAL;
    if (state.thread !== before) $("group-messages").dataset.jump = "1";
    renderGroup();
  }

  function renderGroup() {
    const me = state.config.agent_user_id;
    const activity = new Map();
    const unread = new Map();
    for (const msg of state.groupMessages) {
      const thread = threadOf(msg);
      activity.set(thread, Math.max(activity.get(thread) || 0, msg.message_id));
      const mine = !msg.from_bot && msg.from && msg.from.id === me;
      if (!mine && !msg.deleted && msg.message_id > (state.seen[thread] || 0)
          && !(msg.service && Object.keys(msg.service).length)) {
        unread.set(thread, (unread.get(thread) || 0) + 1);
      }
    }
    const thread = state.thread === null ? GENERAL : state.thread;
    const inThread = state.groupMessages.filter((m) => threadOf(m) === thread);
    const last = inThread.length ? inThread[inThread.length - 1].message_id : 0;
    if (last > (state.seen[thread] || 0)) {
      state.seen[thread] = last;
      unread.delete(thread);
      store.set("seen", state.seen);
    }
    const topics = state.topics.slice().sort(
      (a, b) => (activity.get(b.message_thread_id) || 0) - (activity.get(a.message_thread_id) || 0));
    const listing = topics.map((t) => [t.message_thread_id, t.name, t.closed, t.icon_color,
      unread.get(t.message_thread_id) || 0]);
    if (changed("topics", [listing, thread, unread.get(GENERAL) || 0])) {
      renderTopics(topics, unread, thread);
    }
    if (changed("thread", [thread, inThread])) {
      const topic = state.topics.find((t) => t.message_thread_id === thread);
      const title = $("topic-title");
      title.replaceChildren();
      title.appendChild(el("span", "", topic ? topic.name : "General"));
      if (topic && topic.closed) title.appendChild(el("span", "badge closed", "closed"));
      if (!topic) title.appendChild(el("span", "muted", " — the group's general chat"));
      renderMessages($("group-messages"), inThread, "agent", me,
        topic ? "No messages in this topic yet."
          : "New tickets open their own topics here. Try /queue or /mine.");
      renderHints(topic ? TOPIC_HINTS : GENERAL_HINTS);
    }
  }

  function renderTopics(topics, unread, thread) {
    const items = [topicItem(GENERAL, "# General", null, false, unread.get(GENERAL), thread)];
    for (const t of topics) {
      items.push(topicItem(t.message_thread_id, t.name, t.icon_color, t.closed,
        unread.get(t.message_thread_id), thread));
    }
    $("topics").replaceChildren(...items);
  }

  function topicItem(id, name, color, closed, unread, thread) {
    const item = el("button", "topic" + (id === thread ? " active" : "") + (closed ? " is-closed" : ""));
    item.type = "button";
    item.dataset.thread = String(id);
    if (id === thread) item.setAttribute("aria-current", "true");
    const dot = el("span", "dot");
    if (color !== null) dot.style.backgroundColor = topicColor(color);
    else dot.classList.add("general");
    item.appendChild(dot);
    const label = el("span", "topic-name", name);
    label.dir = "auto";
    item.appendChild(label);
    if (closed) item.appendChild(el("span", "badge closed", "closed"));
    if (unread) item.appendChild(el("span", "badge unread", String(unread)));
    item.addEventListener("click", () => selectTopic(id, true));
    return item;
  }

  function renderHints(hints) {
    $("agent-hints").replaceChildren(...hints.map((hint) => {
      const chip = el("button", "chip", hint.trim());
      chip.type = "button";
      chip.addEventListener("click", () => {
        const input = $("agent-text");
        input.value = hint;
        input.focus();
        state.pinned = true;
      });
      return chip;
    }));
  }

  async function sendAsAgent(event) {
    event.preventDefault();
    const input = $("agent-text");
    const text = input.value.trim();
    if (!text && !state.file.agent) return;
    state.pinned = true;
    try {
      const body = await messageBody("agent", text);
      body.chat_id = state.config.agent_chat_id;
      body.user_id = state.config.agent_user_id;
      if (state.thread !== null && state.thread !== GENERAL) {
        body.message_thread_id = state.thread;
      }
      await api("POST", "/control/updates/group-message", body);
      input.value = "";
      clearFile("agent");
      setReply("agent", null);
    } catch (err) {
      toast(err.message, "error");
    }
    schedulePoll();
  }

  // --- buttons and their answers -----------------------------------------------------------------

  async function pressButton(msg, button, side, node) {
    node.classList.add("pressed");
    const userId = side === "agent" ? state.config.agent_user_id : msg.chat_id;
    try {
      const result = await api("POST", "/control/updates/callback-query", {
        chat_id: msg.chat_id, message_id: msg.message_id, data: button.callback_data,
        user_id: userId,
      });
      if (result.callback_query_id) {
        state.queries.set(result.callback_query_id, Date.now());
      }
    } catch (err) {
      toast(err.message, "error");
    }
    schedulePoll();
  }

  async function refreshAnswers() {
    if (!state.queries.size) return;
    const answers = await api("GET", "/control/callback-answers");
    for (const answer of answers) {
      if (!state.queries.has(answer.callback_query_id)) continue;
      state.queries.delete(answer.callback_query_id);
      if (answer.text) toast(answer.text, answer.show_alert ? "alert" : "info");
    }
    for (const [id, since] of state.queries) {
      if (Date.now() - since > 30000) state.queries.delete(id);
    }
  }

  // --- status and the poll loop ------------------------------------------------------------------

  function updateStatus(world) {
    const status = $("status");
    const waiting = world.pending_updates;
    if (waiting > 0) {
      state.stalledSince = state.stalledSince || Date.now();
    } else {
      state.stalledSince = null;
    }
    const stalled = state.stalledSince && Date.now() - state.stalledSince > 5000;
    const parts = [stalled ? "ChatDesk is not picking up updates" : "connected"];
    if (waiting) parts.push(waiting + " update" + (waiting === 1 ? "" : "s") + " waiting");
    if (world.rate_limited) parts.push(world.rate_limited + " × 429");
    status.textContent = parts.join(" · ");
    status.className = "status " + (stalled ? "warn" : "ok");
  }

  async function poll() {
    if (state.busy) {
      state.again = true;
      return;
    }
    state.busy = true;
    try {
      const [world, clients] = await Promise.all([
        api("GET", "/control/state"), api("GET", "/sandbox/clients")]);
      updateStatus(world);
      updateClients(clients);
      await Promise.all([refreshClient(), refreshGroup(), refreshAnswers()]);
    } catch (err) {
      const status = $("status");
      status.textContent = "sandbox unreachable: " + err.message;
      status.className = "status error";
    } finally {
      state.busy = false;
      if (state.again) {
        state.again = false;
        window.setTimeout(poll, 0);
      }
    }
  }

  function schedulePoll() {
    window.setTimeout(poll, 120);
  }

  function wire(side, send) {
    const input = $(side + "-text");
    input.dataset.placeholder = input.placeholder;
    $(side + "-form").addEventListener("submit", send);
    $(side + "-file").addEventListener("change", () => pickFile(side));
    $(side + "-reply").querySelector("button").addEventListener("click", () => setReply(side, null));
  }

  async function start() {
    try {
      state.config = await api("GET", "/sandbox/config");
    } catch (err) {
      $("status").textContent = "cannot load the sandbox: " + err.message;
      $("status").className = "status error";
      return;
    }
    const config = state.config;
    $("group-title").textContent = config.group_title;
    $("agent-name").textContent = config.agent_name;
    if (config.bot) $("bot-name").textContent = "@" + (config.bot.username || fullName(config.bot));
    if (config.panel_url) {
      const panel = $("panel-link");
      const link = safeLink(config.panel_url);
      if (link.href) {
        panel.href = link.href;
        panel.hidden = false;
        $("panel-login").textContent = config.panel_login ? "(" + config.panel_login + ")" : "";
      }
    }
    wire("client", sendAsClient);
    wire("agent", sendAsAgent);
    $("agent-text").addEventListener("input", () => { state.pinned = true; });
    $("new-client").addEventListener("click", () => newClient().catch((err) => toast(err.message, "error")));
    $("client-select").addEventListener("change", (event) => selectClient(Number(event.target.value)));
    $("client-lang").addEventListener("change", () => changeLanguage().catch((err) => toast(err.message, "error")));
    renderHints(GENERAL_HINTS);
    await poll();
    window.setInterval(poll, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", start);
}());
