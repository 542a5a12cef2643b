// Alongside chat: one thread over a websocket (protocol: docs/conversations.md). No inline script; no HTML from
// messages ever reaches the page: text goes in with textContent, and only http(s) addresses become links.
(function () {
  "use strict";

  var HEARTBEAT_MS = 25000; // the server expects a ping at most every 30 s
  var PONG_TIMEOUT_MS = 10000;
  var MAX_BACKOFF_MS = 10000;
  var URL_RE = /https?:\/\/[^\s<>"']+/gi;
  var TRAILING = ".,;:!?)]}";

  function randomKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // Text with safe links: every piece is a text node, and a link only for http: and https: addresses.
  function renderText(target, text) {
    target.textContent = "";
    var last = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var url = match[0];
      while (url.length && TRAILING.indexOf(url.charAt(url.length - 1)) !== -1) { url = url.slice(0, -1); }
      var parsed = null;
      try { parsed = new URL(url); } catch (e) { parsed = null; }
      if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) { continue; }
      target.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = document.createElement("a");
      a.href = parsed.href;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      a.textContent = url;
      target.appendChild(a);
      last = match.index + url.length;
      URL_RE.lastIndex = last;
    }
    target.appendChild(document.createTextNode(text.slice(last)));
  }

  // Times read as everywhere else on the site: Alongside.time (static/js/app.js), in the person's own zone.
  function setTime(time, at) {
    if (at && window.Alongside && window.Alongside.time) { window.Alongside.time.element(at, time); }
  }

  function Chat(root) {
    this.root = root;
    this.threadId = root.getAttribute("data-thread");
    this.path = root.getAttribute("data-ws");
    this.lastSeq = parseInt(root.getAttribute("data-last-seq"), 10) || 0; // everything up to here is on the page
    this.peerRead = parseInt(root.getAttribute("data-peer-read"), 10) || 0;
    this.readSent = parseInt(root.getAttribute("data-read-mark"), 10) || 0; // the page marked this much read
    this.open = root.getAttribute("data-open") === "true";
    this.bodyMax = parseInt(root.getAttribute("data-body-max"), 10) || 4000;
    this.list = document.getElementById("chat-messages");
    this.status = document.getElementById("chat-status");
    this.form = document.getElementById("chat-form");
    this.input = document.getElementById("chat-body");
    this.error = document.getElementById("chat-error");
    this.outboxNote = document.getElementById("chat-outbox");
    this.readNote = document.getElementById("chat-read");
    this.typingNote = document.getElementById("chat-typing");
    this.storageKey = "alongside.chat.outbox." + this.threadId;
    this.outbox = this.loadOutbox();
    this.ws = null;
    this.ready = false; // resumed: live frames can be trusted and the outbox can go
    this.ended = false;
    this.backoff = 1000;
    this.unseen = 0;
    this.baseTitle = document.title;
    this.typingSentAt = 0;
    this.resuming = false;
    this.retryTimer = null;
    var self = this;
    this.outbox.forEach(function (item) { self.renderPending(item); });
    this.updateOutboxNote();
    this.updateReadNote();
    // Open at the newest messages, or at the first unread one.
    var marker = this.list.querySelector(".chat-unread-marker");
    if (marker) { this.list.scrollTop = marker.offsetTop - this.list.offsetTop; } else { this.scrollDown(); }
    this.bind();
    this.connect();
  }

  Chat.prototype.loadOutbox = function () {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(this.storageKey) || "[]");
      return Array.isArray(saved) ? saved.filter(function (i) { return i && i.key && i.body; }) : [];
    } catch (e) { return []; }
  };

  Chat.prototype.saveOutbox = function () {
    try { window.sessionStorage.setItem(this.storageKey, JSON.stringify(this.outbox)); } catch (e) { /* private mode */ }
    this.updateOutboxNote();
  };

  Chat.prototype.updateOutboxNote = function () {
    if (!this.outboxNote) { return; }
    var n = this.outbox.length;
    this.outboxNote.textContent = n && !this.ready ? n + (n === 1 ? " message" : " messages") + " waiting to send" : "";
  };

  Chat.prototype.setStatus = function (state, text) {
    this.status.setAttribute("data-state", state);
    this.status.textContent = text;
    this.root.setAttribute("data-state", state);
  };

  Chat.prototype.bind = function () {
    var self = this;
    if (this.form) {
      this.form.addEventListener("submit", function (event) { event.preventDefault(); self.submit(); });
      this.input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); self.submit(); }
      });
      this.input.addEventListener("input", function () { self.sendTyping(); });
    }
    this.list.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-delete]") : null;
      if (!button) { return; }
      if (window.confirm("Delete this message for everyone?")) {
        self.send({ type: "delete", seq: parseInt(button.getAttribute("data-delete"), 10) });
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { self.markRead(); }
    });
    window.addEventListener("online", function () { if (!self.ready && !self.ended) { self.reconnectNow(); } });
  };

  // --- the socket ---------------------------------------------------------------------------------------------

  Chat.prototype.connect = function () {
    if (this.ended) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + this.path);
    var self = this;
    this.ws = ws;
    this.ready = false;
    ws.onmessage = function (event) {
      if (ws !== self.ws) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      self.receive(frame);
    };
    ws.onclose = function (event) {
      if (ws !== self.ws) { return; }
      self.stopHeartbeat();
      self.ready = false;
      self.updateOutboxNote();
      // Close codes: alongside/lib/sockets.py (CloseCode), docs/conversations.md. 1013 (Redis unreachable, try
      // again), a restart or the network: reconnect with backoff below, resume, resend the outbox in order.
      if (event.code === 4401) { self.end("Signed out. Sign in again to keep talking."); return; }
      // A page may say it in its own words (a group: "You are no longer in this group.").
      if (event.code === 4403 || event.code === 4404) {
        self.end(self.root.getAttribute("data-gone-text") || "This conversation is not available.");
        return;
      }
      if (event.code === 4410) { self.closeThread(); return; }
      self.setStatus("offline", "Offline — reconnecting…");
      self.reconnectTimer = setTimeout(function () { self.connect(); }, self.backoff);
      self.backoff = Math.min(self.backoff * 2, MAX_BACKOFF_MS);
    };
  };

  Chat.prototype.reconnectNow = function () {
    clearTimeout(this.reconnectTimer);
    this.backoff = 1000;
    if (this.ws && this.ws.readyState <= 1) { this.ws.close(); } else { this.connect(); }
  };

  Chat.prototype.send = function (frame) {
    if (this.ws && this.ws.readyState === 1) { this.ws.send(JSON.stringify(frame)); return true; }
    return false;
  };

  Chat.prototype.startHeartbeat = function () {
    var self = this;
    this.stopHeartbeat();
    this.heartbeat = setInterval(function () {
      if (!self.send({ type: "ping" })) { return; }
      clearTimeout(self.pongTimer);
      // A socket that no longer answers (network gone, server restarted) is dropped and made again.
      self.pongTimer = setTimeout(function () { if (self.ws) { self.ws.close(); } }, PONG_TIMEOUT_MS);
    }, HEARTBEAT_MS);
  };

  Chat.prototype.stopHeartbeat = function () {
    clearInterval(this.heartbeat);
    clearTimeout(this.pongTimer);
  };

  Chat.prototype.end = function (text) {
    this.ended = true;
    this.setStatus("ended", text);
    if (this.form) { this.form.querySelector("button[type=submit]").disabled = true; }
  };

  Chat.prototype.closeThread = function () {
    this.end("This conversation has closed. You can still read it.");
    if (this.form) { this.form.hidden = true; }
  };

  Chat.prototype.receive = function (frame) {
    switch (frame.type) {
      case "hello":
        this.setStatus("connecting", "Catching up…");
        this.resuming = true;
        this.send({ type: "resume", after: this.lastSeq });
        if (!frame.open) { this.closeThread(); }
        break;
      case "resumed":
        this.resuming = false;
        if (!this.ready) {
          this.ready = true;
          this.backoff = 1000;
          this.setStatus("online", "Connected");
          this.startHeartbeat();
          this.flushOutbox();
        }
        this.markRead();
        break;
      case "message": this.onMessage(frame); break;
      case "ack": this.onAck(frame.key, frame.seq); break;
      case "deleted": this.onDeleted(frame.seq); break;
      case "read":
        if (!frame.mine) { this.peerRead = Math.max(this.peerRead, frame.seq); this.updateReadNote(); }
        break;
      case "typing": this.showTyping(frame.sender); break;
      case "pong": clearTimeout(this.pongTimer); break;
      case "reload": window.location.reload(); break;
      case "closed": this.closeThread(); break;
      case "signed_out": this.end("Signed out. Sign in again to keep talking."); break;
      case "error": this.onError(frame); break;
      default: break;
    }
  };

  // --- messages ----------------------------------------------------------------------------------------------

  Chat.prototype.findSeq = function (seq) {
    return this.list.querySelector('li.chat-message[data-seq="' + seq + '"]');
  };

  Chat.prototype.findKey = function (key) {
    var items = this.list.querySelectorAll("li.chat-message.pending");
    for (var i = 0; i < items.length; i++) { if (items[i].getAttribute("data-key") === key) { return items[i]; } }
    return null;
  };

  function para(className, text) {
    var p = document.createElement("p");
    p.className = className;
    if (text) { p.textContent = text; }
    return p;
  }

  // A referral card, as conversations/_card.html draws it: a resource's title (its link), one line, its phone.
  function buildCard(card) {
    var box = document.createElement("div");
    box.className = "chat-card" + (card.gone ? " gone" : "");
    box.setAttribute("data-card", card.gone ? "" : String(card.id));
    box.appendChild(para("chat-card-kind", "Referral"));
    if (card.gone) {
      var gone = para("chat-card-summary");
      var em = document.createElement("em");
      em.textContent = "A resource that is no longer listed.";
      gone.appendChild(em);
      box.appendChild(gone);
      return box;
    }
    var title = para("chat-card-title");
    if (card.url && /^https?:\/\//i.test(card.url)) {
      var a = document.createElement("a");
      a.href = card.url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      a.textContent = card.title;
      var hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " (opens in a new tab)";
      a.appendChild(hint);
      title.appendChild(a);
    } else {
      title.textContent = card.title;
    }
    box.appendChild(title);
    if (card.summary) { box.appendChild(para("chat-card-summary", card.summary)); }
    if (card.phone) {
      var phone = para("chat-card-phone", "Phone ");
      var tel = document.createElement("a");
      tel.href = card.tel;
      tel.textContent = card.phone;
      phone.appendChild(tel);
      box.appendChild(phone);
    }
    return box;
  }

  Chat.prototype.buildItem = function (sender, body, at, mine, card) {
    var li = document.createElement("li");
    li.className = "chat-message" + (mine ? " mine" : "");
    var who = document.createElement("span");
    who.className = "chat-sender";
    who.textContent = mine ? "You" : sender;
    li.appendChild(who);
    var time = document.createElement("time");
    setTime(time, at);
    li.appendChild(time);
    if (card) {
      li.appendChild(buildCard(card));
      return li;
    }
    var p = document.createElement("p");
    p.className = "chat-body";
    renderText(p, body);
    li.appendChild(p);
    return li;
  };

  Chat.prototype.addDelete = function (li, seq) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button chat-delete";
    button.setAttribute("data-delete", String(seq));
    button.textContent = "Delete";
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " this message";
    button.appendChild(hidden);
    li.appendChild(button);
  };

  Chat.prototype.place = function (li, seq) {
    // Keep the list in seq order even when frames arrive out of order (several server processes).
    var empty = document.getElementById("chat-empty");
    if (empty) { empty.remove(); }
    var items = this.list.querySelectorAll("li.chat-message[data-seq]");
    for (var i = items.length - 1; i >= 0; i--) {
      if (parseInt(items[i].getAttribute("data-seq"), 10) < seq) { items[i].after(li); return; }
    }
    var firstPending = this.list.querySelector("li.chat-message.pending");
    if (items.length === 0 && !firstPending) { this.list.appendChild(li); return; }
    if (items.length === 0) { this.list.insertBefore(li, firstPending); return; }
    this.list.insertBefore(li, items[0]);
  };

  Chat.prototype.settle = function (li, seq, at) {
    li.classList.remove("pending", "failed");
    li.setAttribute("data-seq", String(seq));
    li.removeAttribute("data-key");
    var state = li.querySelector(".chat-state");
    if (state) { state.remove(); }
    if (at) { setTime(li.querySelector("time"), at); }
    if (!li.querySelector("[data-delete]")) { this.addDelete(li, seq); }
    li.remove();
    this.place(li, seq);
  };

  Chat.prototype.onMessage = function (frame) {
    var shown = this.findSeq(frame.seq);
    if (shown) { // already shown: replays and broadcasts overlap
      // Settled by its ack, which carries no time: the stored time replaces the one the browser gave it.
      if (frame.at) { setTime(shown.querySelector("time"), frame.at); }
      if (frame.mine && frame.key) {
        var copy = this.findKey(frame.key);
        if (copy) { copy.remove(); }
        this.dropFromOutbox(frame.key);
      }
      this.advance(frame.seq);
      return;
    }
    var pending = frame.mine && frame.key ? this.findKey(frame.key) : null;
    if (pending) {
      this.dropFromOutbox(frame.key);
      this.settle(pending, frame.seq, frame.at);
    } else {
      var li = this.buildItem(frame.sender, frame.body, frame.at, frame.mine, frame.card);
      li.setAttribute("data-seq", String(frame.seq));
      if (frame.mine && !frame.card) { this.addDelete(li, frame.seq); }
      this.place(li, frame.seq);
      if (frame.mine && frame.key) { this.dropFromOutbox(frame.key); }
    }
    this.advance(frame.seq);
    if (!frame.mine) {
      this.typingNote.textContent = "";
      if (document.visibilityState !== "visible") { this.unseen += 1; this.updateTitle(); }
    }
    this.scrollDown();
    this.markReadSoon();
    this.updateReadNote();
  };

  Chat.prototype.advance = function (seq) {
    if (seq === this.lastSeq + 1) {
      this.lastSeq = seq;
      while (this.findSeq(this.lastSeq + 1)) { this.lastSeq += 1; }
    } else if (seq > this.lastSeq + 1 && this.ready && !this.resuming) {
      // A gap: a broadcast was missed (or came through another process first). Ask for what is missing.
      this.resuming = true;
      this.send({ type: "resume", after: this.lastSeq });
    }
  };

  Chat.prototype.onAck = function (key, seq) {
    var pending = this.findKey(key);
    this.dropFromOutbox(key);
    if (pending) {
      if (this.findSeq(seq)) { pending.remove(); } else { this.settle(pending, seq, null); }
    }
    this.advance(seq);
    this.updateReadNote();
    // One's own message is read: without this the mark waited for a timer started by an earlier message, and
    // stayed behind whenever the ack came after it (the live broadcast of one's own message comes after the ack).
    this.markReadSoon();
  };

  Chat.prototype.onDeleted = function (seq) {
    var li = this.findSeq(seq);
    if (!li) { return; }
    li.classList.add("deleted");
    var body = li.querySelector(".chat-body");
    body.textContent = "";
    var em = document.createElement("em");
    em.textContent = "Message deleted";
    body.appendChild(em);
    var button = li.querySelector("[data-delete]");
    if (button) { button.remove(); }
  };

  Chat.prototype.onError = function (frame) {
    var self = this;
    var messages = {
      too_long: "That message is too long: the limit is " + this.bodyMax + " characters.",
      empty: "Write something first.",
      rate_limited: "You are sending messages very quickly, so we will send the rest in a few seconds.",
      closed: "This conversation has closed; the message was not sent.",
      muted: "A facilitator has muted you in this group for now; the message was not sent.",
      paused: "A facilitator has paused this group's conversation; the message was not sent.",
      not_stored: "The message could not be saved yet; we will try again.",
      not_yours: "You can only delete your own messages."
    };
    this.error.textContent = messages[frame.error] || "";
    if (frame.error === "resume needs after: a seq (0 for everything)") { this.resuming = false; }
    if (!frame.key) { return; }
    if (frame.error === "rate_limited" || frame.error === "not_stored") {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(function () { self.flushOutbox(); }, (frame.retry_after || 2) * 1000);
      return;
    }
    // The server will never take this one: keep it on screen, marked, and out of the outbox.
    var li = this.findKey(frame.key);
    this.dropFromOutbox(frame.key);
    if (li) {
      li.classList.add("failed");
      var state = li.querySelector(".chat-state");
      if (state) { state.textContent = "Not sent"; }
    }
    if (frame.error === "closed") { this.closeThread(); }
  };

  // --- sending -----------------------------------------------------------------------------------------------

  Chat.prototype.submit = function () {
    if (this.ended) { return; }
    var body = this.input.value;
    if (!body.trim()) { this.error.textContent = "Write something first."; return; }
    if (body.length > this.bodyMax) {
      this.error.textContent = "That message is too long: the limit is " + this.bodyMax + " characters.";
      return;
    }
    this.error.textContent = "";
    var item = { key: randomKey(), body: body, at: new Date().toISOString() };
    this.outbox.push(item);
    this.saveOutbox();
    this.renderPending(item);
    this.input.value = "";
    this.scrollDown();
    if (this.ready) { this.send({ type: "send", key: item.key, body: item.body }); }
  };

  Chat.prototype.renderPending = function (item) {
    // Shown with the time it was written at once; the server's own time replaces it when the message comes back.
    var li = this.buildItem("You", item.body, item.at || new Date().toISOString(), true);
    li.classList.add("pending");
    li.setAttribute("data-key", item.key);
    var state = document.createElement("span");
    state.className = "chat-state";
    state.textContent = "Sending…";
    li.appendChild(state);
    var empty = document.getElementById("chat-empty");
    if (empty) { empty.remove(); }
    this.list.appendChild(li);
  };

  Chat.prototype.flushOutbox = function () {
    var self = this;
    if (!this.ready) { return; }
    this.outbox.forEach(function (item) { self.send({ type: "send", key: item.key, body: item.body }); });
    this.updateOutboxNote();
  };

  Chat.prototype.dropFromOutbox = function (key) {
    var before = this.outbox.length;
    this.outbox = this.outbox.filter(function (item) { return item.key !== key; });
    if (this.outbox.length !== before) { this.saveOutbox(); }
  };

  Chat.prototype.sendTyping = function () {
    var now = Date.now();
    if (!this.ready || now - this.typingSentAt < 3000) { return; }
    this.typingSentAt = now;
    this.send({ type: "typing" });
  };

  Chat.prototype.showTyping = function (sender) {
    var self = this;
    this.typingNote.textContent = sender + " is typing…";
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(function () { self.typingNote.textContent = ""; }, 5000);
  };

  // --- read state --------------------------------------------------------------------------------------------

  Chat.prototype.markReadSoon = function () {
    var self = this;
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(function () { self.markRead(); }, 300);
  };

  Chat.prototype.markRead = function () {
    if (document.visibilityState !== "visible" || !this.ready) { return; }
    this.unseen = 0;
    this.updateTitle();
    if (this.lastSeq > this.readSent && this.send({ type: "read", seq: this.lastSeq })) { this.readSent = this.lastSeq; }
  };

  Chat.prototype.updateTitle = function () {
    document.title = this.unseen > 0 ? "(" + this.unseen + ") " + this.baseTitle : this.baseTitle;
  };

  Chat.prototype.updateReadNote = function () {
    var mine = this.list.querySelectorAll("li.chat-message.mine[data-seq]");
    if (!mine.length) { this.readNote.textContent = ""; return; }
    var latest = parseInt(mine[mine.length - 1].getAttribute("data-seq"), 10);
    this.readNote.textContent = this.peerRead >= latest ? "Seen" : "Delivered";
  };

  Chat.prototype.scrollDown = function () { this.list.scrollTop = this.list.scrollHeight; };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("chat");
    if (root) { window.alongsideChat = new Chat(root); }
  });
})();
