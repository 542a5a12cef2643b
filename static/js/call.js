// Alongside: in-browser voice calls (WebRTC audio). Signalling goes over /ws/calls/<thread>/; the server relays
// it only between the two people of the connection and sends each of them their own ICE servers per call.
// No inline scripts (the CSP forbids them): this file finds the call screen by its data attributes.
(function () {
  "use strict";

  var CONNECT_TIMEOUT_MS = 30000; // answered but no audio path after this long: the peer is unreachable

  function formatDuration(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = h > 0 && m < 10 ? "0" + m : String(m);
    return (h > 0 ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }

  function microphoneProblem(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
      return "Your browser has blocked the microphone, so the call can't start. Allow microphone access for this " +
        "site (usually through the padlock or camera icon next to the address), then try again.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
      return "No microphone was found. Connect a microphone or headset, then try again.";
    }
    if (name === "NotReadableError" || name === "TrackStartError") {
      return "Your microphone couldn't be started. Another app may be using it: close that app, then try again.";
    }
    if (!navigator.mediaDevices || !window.RTCPeerConnection) {
      return "This browser can't make voice calls. Try a recent version of Firefox, Chrome, Edge or Safari.";
    }
    return "The microphone couldn't be started, so the call can't start. Please try again.";
  }

  function CallScreen(root) {
    this.root = root;
    this.peer = root.getAttribute("data-peer") || "your peer";
    this.path = root.getAttribute("data-ws");
    this.status = root.querySelector("[data-call-status]");
    this.error = root.querySelector("[data-call-error]");
    this.duration = root.querySelector("[data-call-duration]");
    this.clock = root.querySelector("[data-call-clock]");
    this.when = root.querySelector("[data-call-when]");
    this.audio = root.querySelector("[data-call-audio]");
    this.buttons = {
      start: root.querySelector("[data-call-start]"),
      answer: root.querySelector("[data-call-answer]"),
      decline: root.querySelector("[data-call-decline]"),
      mute: root.querySelector("[data-call-mute]"),
      hangup: root.querySelector("[data-call-hangup]")
    };
    this.ws = null;
    this.delay = 1000;
    this.reset();
    this.bind();
    this.show("offline", "Getting calls ready…");
    this.connect();
  }

  CallScreen.prototype.reset = function () {
    this.callId = null;
    this.incomingId = null;
    this.role = null; // "caller" or "callee"
    this.config = null;
    this.pc = null;
    this.stream = null;
    this.pendingCandidates = [];
    this.connectedAt = null;
    if (this.timer) { clearInterval(this.timer); }
    this.timer = null;
    if (this.connectTimeout) { clearTimeout(this.connectTimeout); }
    this.connectTimeout = null;
  };

  // --- what the person sees -----------------------------------------------------------------------------------

  var VISIBLE = {
    offline: [],
    idle: ["start"],
    preparing: [],
    calling: ["hangup"],
    ringing: ["hangup"],
    incoming: ["answer", "decline"],
    connecting: ["mute", "hangup"],
    connected: ["mute", "hangup"],
    ended: ["start"],
    unavailable: []
  };

  CallScreen.prototype.show = function (state, text) {
    var self = this;
    this.state = state;
    this.root.setAttribute("data-state", state);
    this.status.textContent = text;
    Object.keys(this.buttons).forEach(function (name) {
      var button = self.buttons[name];
      button.hidden = VISIBLE[state].indexOf(name) === -1;
      button.disabled = false;
    });
    this.duration.hidden = !(state === "connected" || (state === "ended" && this.connectedAt));
    if (this.when) { this.when.hidden = this.duration.hidden; }
    if (state === "incoming") { this.buttons.answer.focus(); }
  };

  // "Started 4 December, 1:21 am": the same words as every other time on the site (Alongside.time in app.js).
  CallScreen.prototype.showStart = function (at) {
    if (!this.when || !window.Alongside || !window.Alongside.time) { return; }
    this.when.textContent = "Started ";
    this.when.appendChild(window.Alongside.time.element(new Date(at)));
  };

  CallScreen.prototype.problem = function (text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  };

  CallScreen.prototype.tick = function () {
    if (!this.connectedAt) { return; }
    this.clock.textContent = formatDuration(Math.floor((Date.now() - this.connectedAt) / 1000));
  };

  // --- the signalling socket ------------------------------------------------------------------------------------

  CallScreen.prototype.connect = function () {
    var self = this;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + this.path);
    this.ws = ws;
    ws.onopen = function () {
      self.delay = 1000;
      if (self.state === "offline") {
        self.show("idle", "You can call " + self.peer + ".");
      }
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      self.receive(frame);
    };
    ws.onclose = function (event) {
      if (self.ws !== ws) { return; }
      self.ws = null;
      if (self.callId || self.incomingId) {
        self.finish("The call dropped because the connection to Alongside was lost.", true);
      }
      // Close codes: alongside/lib/sockets.py (CloseCode). 1013 (try again) and anything else: reconnect below.
      if (event.code === 4401) {
        self.show("unavailable", "You have been signed out. Sign in again to make calls.");
        return;
      }
      if (event.code === 4403 || event.code === 4404) {
        self.show("unavailable", "Voice calls aren't available in this conversation any more.");
        return;
      }
      self.show("offline", "Calls are offline. Reconnecting…");
      setTimeout(function () { self.connect(); }, self.delay);
      self.delay = Math.min(self.delay * 2, 30000);
    };
  };

  CallScreen.prototype.send = function (frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  };

  CallScreen.prototype.receive = function (frame) {
    switch (frame.type) {
      case "call.config": return this.onConfig(frame);
      case "call.invite": return this.onInvite(frame);
      case "call.ringing":
        if (frame.call === this.callId && this.state === "calling") { this.show("ringing", "Ringing " + this.peer + "…"); }
        return;
      case "call.accept": return this.onAccept(frame);
      case "call.decline":
        if (frame.call === this.callId) { this.finish(this.peer + " can't take the call right now.", false); }
        return;
      case "call.offer": return this.onOffer(frame);
      case "call.answer": return this.onAnswer(frame);
      case "call.ice": return this.onIce(frame);
      case "call.hangup": return this.onHangup(frame);
      case "call.busy":
        this.stopMicrophone();
        this.reset();
        this.show("idle", "You can call " + this.peer + ".");
        this.problem(this.peer + " is already in a call. Try again a little later, or send a message.");
        return;
      case "error":
        if (this.state === "preparing" || this.state === "calling") {
          this.stopMicrophone();
          this.reset();
          this.show("idle", "You can call " + this.peer + ".");
          this.problem("The call couldn't be started. " + (frame.error || ""));
        }
        return;
      default:
        return;
    }
  };

  // --- starting and answering ----------------------------------------------------------------------------------

  CallScreen.prototype.microphone = function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.RTCPeerConnection) {
      return Promise.reject({ name: "NotSupportedError" });
    }
    return navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  };

  CallScreen.prototype.stopMicrophone = function () {
    if (this.stream) {
      this.stream.getTracks().forEach(function (track) { track.stop(); });
    }
    this.stream = null;
  };

  CallScreen.prototype.start = function () {
    var self = this;
    this.problem("");
    this.connectedAt = null;
    this.show("preparing", "Starting your microphone…");
    // The microphone first: nobody should be rung by a call that can't have any sound.
    this.microphone().then(function (stream) {
      self.stream = stream;
      self.role = "caller";
      if (!self.send({ type: "call.invite" })) {
        self.stopMicrophone();
        self.show("offline", "Calls are offline. Reconnecting…");
        return;
      }
      self.show("calling", "Calling " + self.peer + "…");
    }, function (error) {
      self.show("idle", "You can call " + self.peer + ".");
      self.problem(microphoneProblem(error));
    });
  };

  CallScreen.prototype.onInvite = function (frame) {
    if (this.callId || this.incomingId || this.state === "preparing") { return; } // already busy here
    this.problem("");
    this.connectedAt = null;
    this.incomingId = frame.call;
    this.show("incoming", this.peer + " is calling you.");
    this.send({ type: "call.ringing", call: frame.call });
  };

  CallScreen.prototype.answer = function () {
    var self = this;
    var id = this.incomingId;
    if (!id) { return; }
    this.buttons.answer.disabled = true;
    this.buttons.decline.disabled = true;
    this.microphone().then(function (stream) {
      if (self.incomingId !== id) { stream.getTracks().forEach(function (t) { t.stop(); }); return; }
      self.stream = stream;
      self.role = "callee";
      self.callId = id;
      self.incomingId = null;
      self.send({ type: "call.accept", call: id });
      self.show("connecting", "Connecting…");
    }, function (error) {
      // Let the caller know now rather than leave them ringing.
      self.send({ type: "call.decline", call: id });
      self.reset();
      self.show("idle", "You can call " + self.peer + ".");
      self.problem(microphoneProblem(error));
    });
  };

  CallScreen.prototype.decline = function () {
    if (!this.incomingId) { return; }
    this.send({ type: "call.decline", call: this.incomingId });
    this.reset();
    this.show("idle", "You can call " + this.peer + ".");
  };

  // --- WebRTC --------------------------------------------------------------------------------------------------

  CallScreen.prototype.onConfig = function (frame) {
    var self = this;
    if (this.role === "caller" && !this.callId) { this.callId = frame.call; }
    if (frame.call !== this.callId) { return; }
    this.config = { iceServers: frame.iceServers || [], iceTransportPolicy: frame.iceTransportPolicy || "all" };
    var pc = new RTCPeerConnection(this.config);
    this.pc = pc;
    this.stream.getTracks().forEach(function (track) { pc.addTrack(track, self.stream); });
    var gathered = 0;
    pc.onicecandidate = function (event) {
      if (event.candidate) { gathered += 1; }
      self.send({ type: "call.ice", call: self.callId, candidate: event.candidate ? event.candidate.toJSON() : null });
      // Gathering finished without a single way out (say, relay-only and the TURN server is unreachable):
      // no sound can ever flow, so say so now rather than after the connect timeout.
      if (!event.candidate && gathered === 0) { self.fail(); }
    };
    pc.ontrack = function (event) {
      if (self.audio.srcObject !== event.streams[0]) {
        self.audio.srcObject = event.streams[0];
        var playing = self.audio.play();
        if (playing && playing.catch) { playing.catch(function () { /* autoplay is allowed after a click */ }); }
      }
    };
    pc.onconnectionstatechange = function () { self.onConnectionState(pc); };
  };

  CallScreen.prototype.onAccept = function (frame) {
    var self = this;
    if (frame.call !== this.callId || !this.pc) { return; }
    this.show("connecting", "Connecting…");
    this.watchConnecting();
    this.pc.createOffer().then(function (offer) {
      return self.pc.setLocalDescription(offer);
    }).then(function () {
      self.send({ type: "call.offer", call: self.callId, sdp: self.pc.localDescription.sdp });
    }).catch(function () { self.fail(); });
  };

  CallScreen.prototype.onOffer = function (frame) {
    var self = this;
    if (frame.call !== this.callId || !this.pc) { return; }
    this.watchConnecting();
    this.pc.setRemoteDescription({ type: "offer", sdp: frame.sdp }).then(function () {
      self.flushCandidates();
      return self.pc.createAnswer();
    }).then(function (answer) {
      return self.pc.setLocalDescription(answer);
    }).then(function () {
      self.send({ type: "call.answer", call: self.callId, sdp: self.pc.localDescription.sdp });
    }).catch(function () { self.fail(); });
  };

  CallScreen.prototype.onAnswer = function (frame) {
    var self = this;
    if (frame.call !== this.callId || !this.pc) { return; }
    this.pc.setRemoteDescription({ type: "answer", sdp: frame.sdp }).then(function () {
      self.flushCandidates();
    }).catch(function () { self.fail(); });
  };

  CallScreen.prototype.onIce = function (frame) {
    if (frame.call !== this.callId || !this.pc) { return; }
    if (!this.pc.remoteDescription) {
      this.pendingCandidates.push(frame.candidate);
      return;
    }
    this.addCandidate(frame.candidate);
  };

  CallScreen.prototype.addCandidate = function (candidate) {
    var added = this.pc.addIceCandidate(candidate || null);
    if (added && added.catch) { added.catch(function () { /* a candidate we can't use is not fatal */ }); }
  };

  CallScreen.prototype.flushCandidates = function () {
    var self = this;
    var waiting = this.pendingCandidates;
    this.pendingCandidates = [];
    waiting.forEach(function (candidate) { self.addCandidate(candidate); });
  };

  CallScreen.prototype.watchConnecting = function () {
    var self = this;
    if (this.connectTimeout) { return; }
    this.connectTimeout = setTimeout(function () {
      if (self.state === "connecting") { self.fail(); }
    }, CONNECT_TIMEOUT_MS);
  };

  CallScreen.prototype.onConnectionState = function (pc) {
    var self = this;
    if (pc !== this.pc) { return; }
    var state = pc.connectionState;
    if (state === "connected") {
      if (this.connectTimeout) { clearTimeout(this.connectTimeout); this.connectTimeout = null; }
      if (!this.connectedAt) {
        this.connectedAt = Date.now();
        this.clock.textContent = "0:00";
        this.showStart(this.connectedAt);
        this.timer = setInterval(function () { self.tick(); }, 1000);
      }
      this.problem("");
      this.show("connected", "Connected to " + this.peer + ".");
    } else if (state === "disconnected" && this.state === "connected") {
      this.problem("The sound dropped out. Trying to reconnect…");
    } else if (state === "failed") {
      this.fail();
    }
  };

  CallScreen.prototype.unreachable = function () {
    return "We couldn't connect the call's sound: " + this.peer + " can't be reached from your network, or " +
      "theirs, right now. Try again later, or send a message instead.";
  };

  CallScreen.prototype.fail = function () {
    if (!this.callId) { return; }
    this.send({ type: "call.hangup", call: this.callId, reason: "failed" });
    this.finish(this.unreachable(), true);
  };

  // --- ending --------------------------------------------------------------------------------------------------

  CallScreen.prototype.hangup = function () {
    if (!this.callId) { return; }
    this.send({ type: "call.hangup", call: this.callId });
    this.finish("", false);
  };

  CallScreen.prototype.onHangup = function (frame) {
    if (frame.call === this.incomingId) {
      this.reset();
      var missed = frame.reason === "missed" ? "You missed a call from " + this.peer + "." : "";
      this.show("idle", "You can call " + this.peer + ".");
      if (missed) { this.status.textContent = missed; }
      return;
    }
    if (frame.call !== this.callId) { return; }
    if (frame.reason === "missed") {
      this.finish(this.peer + " didn't answer. They may be away: you could send a message instead.", true);
    } else if (frame.reason === "failed") {
      this.finish(this.unreachable(), true);
    } else {
      this.finish("", false);
    }
  };

  CallScreen.prototype.finish = function (message, isProblem) {
    var hadAudio = Boolean(this.connectedAt);
    if (this.pc) {
      this.pc.onconnectionstatechange = null;
      this.pc.close();
    }
    this.stopMicrophone();
    this.audio.srcObject = null;
    var connectedAt = this.connectedAt;
    if (hadAudio) { this.tick(); }
    this.reset();
    this.connectedAt = connectedAt;
    this.setMuted(false);
    this.show("ended", "Call ended.");
    if (isProblem) { this.problem(message); } else if (message) { this.status.textContent = message; } else { this.problem(""); }
  };

  CallScreen.prototype.setMuted = function (muted) {
    // The name stays "Mute"; aria-pressed says whether it is on (a toggle button's name must not flip).
    this.buttons.mute.setAttribute("aria-pressed", muted ? "true" : "false");
    if (this.stream) {
      this.stream.getAudioTracks().forEach(function (track) { track.enabled = !muted; });
    }
  };

  CallScreen.prototype.bind = function () {
    var self = this;
    this.buttons.start.addEventListener("click", function () { self.start(); });
    this.buttons.answer.addEventListener("click", function () { self.answer(); });
    this.buttons.decline.addEventListener("click", function () { self.decline(); });
    this.buttons.hangup.addEventListener("click", function () { self.hangup(); });
    this.buttons.mute.addEventListener("click", function () {
      self.setMuted(self.buttons.mute.getAttribute("aria-pressed") !== "true");
    });
    window.addEventListener("pagehide", function () {
      if (self.callId) { self.send({ type: "call.hangup", call: self.callId }); }
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-call]").forEach(function (root) { root.callScreen = new CallScreen(root); });
  });
})();
