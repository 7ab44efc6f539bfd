/* Lectern web player: where progress goes.
 *
 * One adapter per delivery, chosen by the export (LECTERN_COURSE.mode):
 *   html5      the browser's localStorage (a USB stick, a web folder)
 *   scorm12    the SCORM 1.2 API ("API") of the LMS frame that opened us
 *   scorm2004  the SCORM 2004 4th edition API ("API_1484_11")
 *   cmi5       an xAPI LRS named by the cmi5 launch URL
 *
 * Every adapter offers the same calls to player.js:
 *   start()                       -> Promise of {position, watched} saved last time
 *   save(position, watched, coverage, complete)   watched: the compact string of Progress
 *   finish()                      end the session (page hidden or closed)
 *   setScore(raw, min, max)       a checkpoint score, 0..100 by default
 *   recordInteraction(item)       a checkpoint answer: {id, type, response, correct, result,
 *                                 description, latencySeconds}
 * Nothing here reads course text into HTML; values go to the LMS as strings.
 */
(function () {
  "use strict";

  var SUSPEND_LIMIT = 4096; // SCORM 1.2's cmi.suspend_data; 2004 allows 64,000, we keep 4,096 for both

  function findApi(name) {
    // The SCORM search: up the parents, then the opener's parents (at most 16 steps each).
    function climb(win) {
      for (var i = 0; win && i < 16; i++) {
        try {
          if (win[name]) return win[name];
        } catch (e) { /* another origin: keep climbing */ }
        if (win.parent === win) break;
        win = win.parent;
      }
      return null;
    }
    var api = climb(window);
    if (!api && window.opener) {
      try { api = climb(window.opener); } catch (e) { api = null; }
    }
    return api;
  }

  function isoDuration(seconds) {
    // SCORM 2004 and xAPI timeinterval: PT#H#M#S with at most two decimals.
    var s = Math.max(0, seconds);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s - h * 3600 - m * 60;
    return "PT" + h + "H" + m + "M" + (Math.round(r * 100) / 100) + "S";
  }

  function scormTime(seconds) {
    // SCORM 1.2 CMITimespan: HHHH:MM:SS.SS
    var s = Math.max(0, seconds);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s - h * 3600 - m * 60;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    var sec = r.toFixed(2);
    if (r < 10) sec = "0" + sec;
    return (h < 10 ? "000" : h < 100 ? "00" : h < 1000 ? "0" : "") + h + ":" + two(m) + ":" + sec;
  }

  function packState(position, watched, completed) {
    // "p=<seconds>;w=<watched>[;c=1]": the position twice (location and here) costs nothing
    // and lets an LMS that drops lesson_location still resume; c=1 remembers that
    // completion was reported (cmi5 allows one "completed" per registration).
    var text = "p=" + Math.floor(position) + ";w=" + watched + (completed ? ";c=1" : "");
    if (text.length > SUSPEND_LIMIT) text = text.slice(0, SUSPEND_LIMIT); // cannot happen: Progress keeps it shorter
    return text;
  }

  function unpackState(text) {
    var out = { position: 0, watched: "", completed: false };
    String(text || "").split(";").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq < 0) return;
      var key = part.slice(0, eq), value = part.slice(eq + 1);
      if (key === "p") out.position = Number(value) || 0;
      if (key === "w") out.watched = value;
      if (key === "c") out.completed = value === "1";
    });
    return out;
  }

  // ---------------------------------------------------------------- html5: localStorage
  function LocalAdapter(courseId, lessonId) {
    this.key = "lectern:" + courseId + ":" + lessonId;
  }
  LocalAdapter.prototype.start = function () {
    var saved = null;
    try { saved = window.localStorage.getItem(this.key); } catch (e) { saved = null; }
    return Promise.resolve(unpackState(saved));
  };
  LocalAdapter.prototype.save = function (position, watched) {
    try { window.localStorage.setItem(this.key, packState(position, watched, false)); } catch (e) { /* private mode */ }
  };
  LocalAdapter.prototype.finish = function () {};
  LocalAdapter.prototype.setScore = function () {};
  LocalAdapter.prototype.recordInteraction = function () {};

  // ---------------------------------------------------------------- SCORM 1.2 and 2004
  var SCORM = {
    scorm12: {
      api: "API", init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue",
      commit: "LMSCommit", finish: "LMSFinish", location: "cmi.core.lesson_location",
      entry: "cmi.core.entry", exit: "cmi.core.exit", time: "cmi.core.session_time",
      scoreRaw: "cmi.core.score.raw", scoreMin: "cmi.core.score.min", scoreMax: "cmi.core.score.max",
      interactions: "cmi.interactions", timeFormat: scormTime
    },
    scorm2004: {
      api: "API_1484_11", init: "Initialize", get: "GetValue", set: "SetValue",
      commit: "Commit", finish: "Terminate", location: "cmi.location",
      entry: "cmi.entry", exit: "cmi.exit", time: "cmi.session_time",
      scoreRaw: "cmi.score.raw", scoreMin: "cmi.score.min", scoreMax: "cmi.score.max",
      interactions: "cmi.interactions", timeFormat: isoDuration
    }
  };

  function ScormAdapter(version) {
    this.v = SCORM[version];
    this.version = version;
    this.api = findApi(this.v.api);
    this.started = Date.now();
    this.finished = false;
    this.completed = false;
  }
  ScormAdapter.prototype.call = function (method) {
    if (!this.api) return "";
    var args = Array.prototype.slice.call(arguments, 1);
    try { return this.api[method].apply(this.api, args); } catch (e) { return ""; }
  };
  ScormAdapter.prototype.setValue = function (name, value) {
    return this.call(this.v.set, name, String(value));
  };
  ScormAdapter.prototype.start = function () {
    if (!this.api) {
      return Promise.reject(new Error("This lesson runs inside a learning platform (LMS), which was not found; progress is not recorded."));
    }
    this.call(this.v.init, "");
    var entry = this.call(this.v.get, this.v.entry);
    var state = { position: 0, watched: "" };
    if (entry === "resume" || entry === "") {
      state = unpackState(this.call(this.v.get, "cmi.suspend_data"));
      var location = Number(this.call(this.v.get, this.v.location));
      if (location > 0) state.position = location;
    }
    if (this.version === "scorm12") {
      var status = this.call(this.v.get, "cmi.core.lesson_status");
      this.completed = status === "completed" || status === "passed";
      if (status === "not attempted" || status === "") this.setValue("cmi.core.lesson_status", "incomplete");
    } else {
      this.completed = this.call(this.v.get, "cmi.completion_status") === "completed";
      if (!this.completed) this.setValue("cmi.completion_status", "incomplete");
    }
    this.call(this.v.commit, "");
    return Promise.resolve(state);
  };
  ScormAdapter.prototype.save = function (position, watched, coverage, complete) {
    if (!this.api || this.finished) return;
    this.setValue(this.v.location, Math.floor(position));
    this.setValue("cmi.suspend_data", packState(position, watched, false));
    if (this.version === "scorm2004") {
      this.setValue("cmi.progress_measure", Math.min(1, Math.max(0, coverage)).toFixed(3));
    }
    if (complete && !this.completed) {
      this.completed = true;
      if (this.version === "scorm12") this.setValue("cmi.core.lesson_status", "completed");
      else this.setValue("cmi.completion_status", "completed");
    }
    this.call(this.v.commit, "");
  };
  ScormAdapter.prototype.finish = function () {
    if (!this.api || this.finished) return;
    this.setValue(this.v.exit, this.completed ? "" : "suspend");
    if (this.version === "scorm2004" && this.completed) this.setValue(this.v.exit, "normal");
    this.setValue(this.v.time, this.v.timeFormat((Date.now() - this.started) / 1000));
    this.call(this.v.commit, "");
    this.call(this.v.finish, "");
    this.finished = true;
  };
  ScormAdapter.prototype.setScore = function (raw, min, max) {
    if (!this.api) return;
    this.setValue(this.v.scoreMin, min === undefined ? 0 : min);
    this.setValue(this.v.scoreMax, max === undefined ? 100 : max);
    this.setValue(this.v.scoreRaw, raw);
    if (this.version === "scorm2004") {
      var lo = min === undefined ? 0 : min, hi = max === undefined ? 100 : max;
      this.setValue("cmi.score.scaled", hi > lo ? ((raw - lo) / (hi - lo)).toFixed(4) : 0);
    }
    this.call(this.v.commit, "");
  };
  ScormAdapter.prototype.recordInteraction = function (item) {
    if (!this.api) return;
    var n = Number(this.call(this.v.get, this.v.interactions + "._count")) || 0;
    var base = this.v.interactions + "." + n + ".";
    var id = String(item.id).replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 250) || "checkpoint";
    this.setValue(base + "id", this.version === "scorm2004" ? "urn:lectern:checkpoint:" + id : id);
    this.setValue(base + "type", item.type || "choice");
    var result = item.result || (item.correct ? "correct" : "wrong");
    if (this.version === "scorm12") {
      this.setValue(base + "student_response", item.response);
      this.setValue(base + "result", result);
      if (item.latencySeconds !== undefined) this.setValue(base + "latency", scormTime(item.latencySeconds));
    } else {
      if (item.description) this.setValue(base + "description", String(item.description).slice(0, 250));
      this.setValue(base + "learner_response", item.response);
      this.setValue(base + "result", result === "wrong" ? "incorrect" : result);
      if (item.latencySeconds !== undefined) this.setValue(base + "latency", isoDuration(item.latencySeconds));
    }
    this.call(this.v.commit, "");
  };

  // ---------------------------------------------------------------- cmi5 over xAPI
  var VERBS = {
    initialized: "http://adlnet.gov/expapi/verbs/initialized",
    completed: "http://adlnet.gov/expapi/verbs/completed",
    passed: "http://adlnet.gov/expapi/verbs/passed",
    failed: "http://adlnet.gov/expapi/verbs/failed",
    terminated: "http://adlnet.gov/expapi/verbs/terminated",
    answered: "http://adlnet.gov/expapi/verbs/answered"
  };
  var MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // moveOn values (cmi5 section 13.1.4) under which the LMS waits for a "passed".
  var NEEDS_PASSED = { "Passed": true, "CompletedAndPassed": true };

  // ``hasQuestions``: the lesson asks questions, so "passed" or "failed" comes from
  // their score (setScore); a lesson without any is passed by being completed.
  function Cmi5Adapter(hasQuestions) {
    this.hasQuestions = !!hasQuestions;
    this.passed = false;
    this.launchMode = "Normal";
    this.moveOn = "Completed";
    var q = new URLSearchParams(window.location.search);
    this.endpoint = (q.get("endpoint") || "").replace(/\/?$/, "/");
    this.fetchUrl = q.get("fetch");
    this.registration = q.get("registration");
    this.activityId = q.get("activityId");
    try { this.actor = JSON.parse(q.get("actor") || "null"); } catch (e) { this.actor = null; }
    this.token = null;
    this.context = null;
    this.started = Date.now();
    this.completed = false;
    this.finished = false;
  }
  Cmi5Adapter.prototype.headers = function () {
    return {
      "Authorization": "Basic " + this.token,
      "X-Experience-API-Version": "1.0.3",
      "Content-Type": "application/json"
    };
  };
  Cmi5Adapter.prototype.stateUrl = function (stateId) {
    return this.endpoint + "activities/state?stateId=" + encodeURIComponent(stateId) +
      "&activityId=" + encodeURIComponent(this.activityId) +
      "&agent=" + encodeURIComponent(JSON.stringify(this.actor)) +
      "&registration=" + encodeURIComponent(this.registration);
  };
  Cmi5Adapter.prototype.start = function () {
    var self = this;
    if (!this.fetchUrl || !this.endpoint || !this.actor || !this.registration || !this.activityId) {
      return Promise.reject(new Error("This lesson was not launched by a cmi5 platform (its launch parameters are missing); progress is not recorded."));
    }
    // The fetch URL hands out the token once (cmi5 section 8.2).
    return fetch(this.fetchUrl, { method: "POST" }).then(function (r) {
      if (!r.ok) throw new Error("The learning platform refused the launch token (HTTP " + r.status + ").");
      return r.json();
    }).then(function (body) {
      if (!body || !body["auth-token"]) throw new Error("The learning platform sent no launch token.");
      self.token = body["auth-token"];
      return fetch(self.stateUrl("LMS.LaunchData"), { headers: self.headers() });
    }).then(function (r) {
      if (!r.ok) throw new Error("The learning platform sent no launch data (HTTP " + r.status + ").");
      return r.json();
    }).then(function (launch) {
      self.launchData = launch;
      // Browse and Review record nothing that judges the learner (cmi5 section 10.2.2):
      // no completed, passed or failed; the LMS's moveOn (from cmi5.xml, or as the
      // LMS set it) says whether a completion alone satisfies the AU.
      self.launchMode = launch.launchMode || "Normal";
      self.moveOn = launch.moveOn || "Completed";
      self.context = JSON.parse(JSON.stringify(launch.contextTemplate || {}));
      self.context.registration = self.registration;
      return self.send("initialized");
    }).then(function () {
      return fetch(self.stateUrl("lectern.resume"), { headers: self.headers() }).then(function (r) {
        return r.ok ? r.text() : "";
      }, function () { return ""; });
    }).then(function (text) {
      var state = unpackState(text);
      self.completed = state.completed; // reported in an earlier session of this registration
      return state;
    });
  };
  Cmi5Adapter.prototype.statement = function (verb, result, extraCategory) {
    var context = JSON.parse(JSON.stringify(this.context));
    if (extraCategory) {
      context.contextActivities = context.contextActivities || {};
      var cats = context.contextActivities.category || [];
      cats.push({ id: extraCategory, objectType: "Activity" });
      context.contextActivities.category = cats;
    }
    var s = {
      id: uuid(),
      actor: this.actor,
      verb: { id: VERBS[verb], display: { "en-US": verb } },
      object: { id: this.activityId, objectType: "Activity" },
      context: context,
      timestamp: new Date().toISOString()
    };
    if (result) s.result = result;
    return s;
  };
  Cmi5Adapter.prototype.send = function (verb, result, category, keepalive) {
    var body = JSON.stringify(this.statement(verb, result, category));
    return fetch(this.endpoint + "statements", {
      method: "POST", headers: this.headers(), body: body, keepalive: !!keepalive
    }).then(function (r) {
      if (!r.ok) throw new Error("The learning platform refused a statement (HTTP " + r.status + ").");
    });
  };
  Cmi5Adapter.prototype.save = function (position, watched, coverage, complete) {
    if (!this.token || this.finished) return;
    var report = complete && !this.completed && this.judges();
    if (report) this.completed = true;
    fetch(this.stateUrl("lectern.resume"), {
      method: "PUT", headers: this.headers(), body: packState(position, watched, this.completed)
    }).catch(function () {});
    if (report) {
      var self = this;
      var sent = this.send("completed", {
        completion: true, duration: isoDuration((Date.now() - this.started) / 1000)
      }, MOVEON);
      if (NEEDS_PASSED[this.moveOn] && !this.hasQuestions && !this.passed) {
        // Nothing to score: watching the lesson through is what passing it means.
        this.passed = true;
        sent = sent.then(function () {
          return self.send("passed", {
            success: true, duration: isoDuration((Date.now() - self.started) / 1000)
          }, MOVEON);
        });
      }
      sent.catch(function () {});
    }
  };
  // Whether this session may report completion, passing or failing (Normal mode only).
  Cmi5Adapter.prototype.judges = function () { return this.launchMode === "Normal"; };
  Cmi5Adapter.prototype.finish = function () {
    if (!this.token || this.finished) return;
    this.finished = true;
    this.send("terminated", { duration: isoDuration((Date.now() - this.started) / 1000) }, null, true)
      .catch(function () {});
  };
  Cmi5Adapter.prototype.setScore = function (raw, min, max) {
    // cmi5 carries a score on passed/failed against the AU's masteryScore.
    if (!this.token || !this.judges() || this.passed) return;
    var lo = min === undefined ? 0 : min, hi = max === undefined ? 100 : max;
    var scaled = hi > lo ? (raw - lo) / (hi - lo) : 0;
    var mastery = this.launchData && this.launchData.masteryScore;
    var verb = mastery === undefined || scaled >= mastery ? "passed" : "failed";
    if (verb === "passed") this.passed = true;  // once per registration
    this.send(verb, { score: { raw: raw, min: lo, max: hi, scaled: scaled }, success: verb === "passed" }, MOVEON)
      .catch(function () {});
  };
  Cmi5Adapter.prototype.recordInteraction = function (item) {
    if (!this.token) return;
    this.send("answered", {
      response: String(item.response), success: !!item.correct
    }).catch(function () {});
  };

  function create(mode, courseId, lessonId, hasQuestions) {
    if (mode === "scorm12" || mode === "scorm2004") return new ScormAdapter(mode);
    if (mode === "cmi5") return new Cmi5Adapter(hasQuestions);
    return new LocalAdapter(courseId, lessonId);
  }

  window.LecternLMS = { create: create, packState: packState, unpackState: unpackState };
})();
