/* Lectern web player: the desktop Player's lesson view in a browser, with no network.
 *
 * Course text is untrusted (a package may come from anyone): it only ever reaches the
 * page through textContent or a <track>'s WebVTT parser, never through innerHTML.
 */
(function () {
  "use strict";

  var COURSE = window.LECTERN_COURSE;
  // The same speeds as the desktop Player (player/settings.py SPEEDS).
  var SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
  // As the desktop Player's WatchedSpans: a step larger than JUMP seconds between two
  // ticks is a jump, not playing (even at 2x); a seek ends the current span.
  var JUMP = 3.0;
  var RESUME_FROM = 5.0; // as the Player: resume only from this far in and this far from the end
  var SAVE_EVERY = 5000; // ms
  var FILL_AFTER = 1000; // ms: captions and transcript come by then even with no frame yet
  var MAX_BUCKETS = 16000; // keeps the watched map under 2,700 characters at any length

  var $ = function (id) { return document.getElementById(id); };
  var video = $("video");

  function clock(seconds) {
    // The Player's clock: m:ss, or h:mm:ss from an hour on (shared/timecode.py).
    var s = Math.max(0, Math.floor(seconds + 1e-6));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var ss = (r < 10 ? "0" : "") + r;
    if (h > 0) return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss;
    return m + ":" + ss;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ------------------------------------------------------------------ progress
  /* Watched parts as merged [start, end] intervals in seconds: watching a part again never
   * counts twice (shared/library/progress.py). Stored as a bitmap of equal buckets
   * (1 s, or longer for lessons over 4.4 hours), base64url, so it fits SCORM 1.2. */
  function Progress(duration) {
    this.duration = duration;
    this.bucket = Math.max(1, Math.ceil(duration / MAX_BUCKETS));
    this.intervals = [];
  }
  Progress.prototype.add = function (start, end) {
    start = Math.max(0, start); end = Math.min(this.duration, end);
    if (!(end > start)) return;
    var all = this.intervals.concat([[start, end]]).sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    all.forEach(function (iv) {
      var last = merged[merged.length - 1];
      if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
      else merged.push([iv[0], iv[1]]);
    });
    this.intervals = merged;
  };
  Progress.prototype.coverage = function () {
    if (!(this.duration > 0)) return 0;
    var total = 0;
    this.intervals.forEach(function (iv) { total += iv[1] - iv[0]; });
    return Math.min(1, total / this.duration);
  };
  Progress.prototype.encode = function () {
    var n = Math.ceil(this.duration / this.bucket);
    var bytes = new Uint8Array(Math.ceil(n / 8));
    var b = this.bucket, d = this.duration, ivs = this.intervals, first = 0;
    for (var i = 0; i < n; i++) {
      // Both are in time order: one pass over the intervals for all buckets.
      var lo = i * b, hi = Math.min(d, lo + b), covered = 0;
      while (first < ivs.length && ivs[first][1] <= lo) first++;
      for (var k = first; k < ivs.length && ivs[k][0] < hi; k++) {
        covered += Math.min(hi, ivs[k][1]) - Math.max(lo, ivs[k][0]);
      }
      if (covered * 2 >= hi - lo) bytes[i >> 3] |= 1 << (i & 7);
    }
    var bin = "";
    for (var j = 0; j < bytes.length; j++) bin += String.fromCharCode(bytes[j]);
    var b64 = btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    return b + "." + b64;
  };
  Progress.prototype.decode = function (text) {
    var m = /^(\d+)\.([A-Za-z0-9_-]*)$/.exec(text || "");
    if (!m) return;
    var b = Number(m[1]), bin;
    try { bin = atob(m[2].replace(/-/g, "+").replace(/_/g, "/")); } catch (e) { return; }
    var n = Math.min(bin.length * 8, Math.ceil(this.duration / b));
    for (var i = 0; i < n; i++) {
      if (bin.charCodeAt(i >> 3) & (1 << (i & 7))) this.add(i * b, (i + 1) * b);
    }
  };

  /* Turns timeupdate ticks into contiguous played spans, like the Player's WatchedSpans. */
  function Spans(report) {
    this.report = report; this.start = null; this.last = null;
  }
  Spans.prototype.tick = function (t) {
    if (this.start === null) { this.start = this.last = t; return; }
    if (t < this.last - 0.25 || t - this.last > JUMP) { this.close(); this.start = this.last = t; return; }
    this.last = Math.max(this.last, t);
  };
  Spans.prototype.flush = function () {
    if (this.start !== null && this.last - this.start > 0.05) this.report(this.start, this.last);
    if (this.start !== null) this.start = this.last;
  };
  Spans.prototype.close = function () { this.flush(); this.start = this.last = null; };

  // ------------------------------------------------------------------ the page
  var params = new URLSearchParams(window.location.search);
  var lessons = COURSE.lessons;
  var state = { lesson: null, chapters: [], segments: [], rows: [], matches: [], matchAt: -1 };
  var lms = null, progress = null, spans = null, saveTimer = null, captionsOn = true;

  function status(text) { $("status").textContent = text || ""; }

  function lessonFor(id) {
    for (var i = 0; i < lessons.length; i++) if (lessons[i].id === id) return lessons[i];
    return null;
  }

  function vttTrack(kind, label, language, text, isDefault) {
    // A data: URL keeps the <track> working from file://, where Chromium refuses to load
    // a track file beside the page; the browser's WebVTT parser renders the cues safely.
    var track = document.createElement("track");
    track.kind = kind;
    track.label = label;
    if (language) track.srclang = language;
    track.src = "data:text/vtt;charset=utf-8," + encodeURIComponent(text);
    if (isDefault) track.default = true;
    video.appendChild(track);
    return track;
  }

  function setCaptions(on) {
    captionsOn = on;
    $("captions").setAttribute("aria-pressed", on ? "true" : "false");
    for (var i = 0; i < video.textTracks.length; i++) {
      var t = video.textTracks[i];
      if (t.kind === "captions" || t.kind === "subtitles") t.mode = on ? "showing" : "hidden";
    }
  }

  function showChapters(chapters) {
    var list = $("chapter-list");
    list.textContent = "";
    chapters.forEach(function (ch, i) {
      var li = el("li");
      li.appendChild(el("span", "time", clock(ch.start)));
      li.appendChild(document.createTextNode(ch.title));
      li.dataset.index = String(i);
      li.addEventListener("click", function () { seek(ch.start); });
      list.appendChild(li);
    });
    $("chapters-panel").hidden = chapters.length === 0;
  }

  function showTranscript(segments) {
    var box = $("transcript");
    box.textContent = "";
    state.rows = segments.map(function (seg) {
      var p = el("p");
      p.appendChild(el("span", "time", clock(seg.start)));
      p.appendChild(el("span", "text", seg.text));
      p.addEventListener("click", function () { seek(seg.start); video.play(); });
      box.appendChild(p);
      return p;
    });
    if (!segments.length) box.appendChild(el("p", "empty", "This lesson has no transcript."));
  }

  function search(query) {
    query = query.trim().toLowerCase();
    state.matches = [];
    state.matchAt = -1;
    state.segments.forEach(function (seg, i) {
      var row = state.rows[i], span = row.querySelector(".text");
      span.textContent = "";
      var text = seg.text, lower = text.toLowerCase(), at = 0;
      if (!query) { span.textContent = text; row.classList.remove("hidden"); return; }
      var found = lower.indexOf(query);
      row.classList.toggle("hidden", found < 0);
      if (found >= 0) state.matches.push(i);
      while (found >= 0) {
        span.appendChild(document.createTextNode(text.slice(at, found)));
        span.appendChild(el("mark", "", text.slice(found, found + query.length)));
        at = found + query.length;
        found = lower.indexOf(query, at);
      }
      span.appendChild(document.createTextNode(text.slice(at)));
    });
    $("search-count").textContent = !query ? "" :
      state.matches.length === 0 ? "No match" :
      state.matches.length === 1 ? "1 match (Enter to go there)" :
      state.matches.length + " matches (Enter for the next)";
  }

  function nextMatch() {
    if (!state.matches.length) return;
    state.matchAt = (state.matchAt + 1) % state.matches.length;
    var seg = state.segments[state.matches[state.matchAt]];
    seek(seg.start);
    state.rows[state.matches[state.matchAt]].scrollIntoView({ block: "center" });
  }

  function keepVisible(box, row) {
    // Scroll the panel (never the page) so the current row shows, a third from the top.
    var top = row.offsetTop;
    if (top < box.scrollTop || top + row.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  var shown = { segment: -1, chapter: -1 };

  function highlight(t) {
    var rows = state.rows, segs = state.segments, found = -1;
    for (var i = 0; i < segs.length; i++) {
      if (segs[i].start <= t && t < segs[i].end) { found = i; break; }
    }
    if (found !== shown.segment) {
      rows.forEach(function (row, i) { row.classList.toggle("current", i === found); });
      if (found >= 0 && document.activeElement !== $("search")) keepVisible($("transcript"), rows[found]);
      shown.segment = found;
    }
    var chapterIndex = currentChapter(t);
    if (chapterIndex !== shown.chapter) {
      var items = $("chapter-list").children;
      for (var k = 0; k < items.length; k++) items[k].classList.toggle("current", k === chapterIndex);
      if (chapterIndex >= 0) keepVisible($("chapters-panel"), items[chapterIndex]);
      shown.chapter = chapterIndex;
    }
  }

  function currentChapter(t) {
    var index = -1;
    state.chapters.forEach(function (ch, i) { if (ch.start <= t + 0.001) index = i; });
    return index;
  }

  function seek(t) {
    if (spans) spans.close();
    var d = video.duration || state.lesson.duration;
    video.currentTime = Math.max(0, Math.min(d, t));
  }

  function skip(delta) { seek(video.currentTime + delta); }

  function chapterStep(step) {
    if (!state.chapters.length) return;
    var t = video.currentTime, i = currentChapter(t);
    if (step < 0 && i >= 0 && t - state.chapters[i].start > 3) { seek(state.chapters[i].start); return; }
    var target = Math.max(0, Math.min(state.chapters.length - 1, i + step));
    seek(state.chapters[target].start);
  }

  function setSpeed(index) {
    index = Math.max(0, Math.min(SPEEDS.length - 1, index));
    $("speed").selectedIndex = index;
    video.playbackRate = SPEEDS[index];
  }

  function toggleFullscreen() {
    var stage = $("stage");
    if (document.fullscreenElement) document.exitFullscreen();
    else if (stage.requestFullscreen) stage.requestFullscreen().catch(function () {});
  }

  function save() {
    if (!lms || !progress) return;
    if (spans) spans.flush();
    var coverage = progress.coverage();
    $("coverage").textContent = Math.round(coverage * 100) + "% watched";
    lms.save(video.currentTime || 0, progress.encode(), coverage,
      coverage >= COURSE.completion_threshold);
  }

  function finish() {
    if (!lms) return;
    save();
    lms.finish();
  }

  function onKey(event) {
    var target = event.target;
    if (event.ctrlKey && (event.key === "f" || event.key === "F")) {
      event.preventDefault();
      $("search").focus();
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
    var handled = true;
    switch (event.key) {
      case " ": case "k": case "K": if (video.paused) video.play(); else video.pause(); break;
      case "j": case "J": skip(-10); break;
      case "l": case "L": skip(10); break;
      case "ArrowLeft": skip(-5); break;
      case "ArrowRight": skip(5); break;
      case "<": setSpeed($("speed").selectedIndex - 1); break;
      case ">": setSpeed($("speed").selectedIndex + 1); break;
      case "f": case "F": toggleFullscreen(); break;
      case "c": case "C": setCaptions(!captionsOn); break;
      case "m": case "M": video.muted = !video.muted; break;
      case "PageUp": chapterStep(-1); break;
      case "PageDown": chapterStep(1); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  }

  // Run ``fill`` once the video shows its first frame (or could not: an error, or a
  // second gone by), so building captions and the transcript of a long lesson never
  // holds that frame back. A promise of its having run.
  function afterFirstFrame(fill) {
    return new Promise(function (resolve) {
      var done = false;
      var run = function () {
        if (done) return;
        done = true;
        // In a task of its own, after the one that shows the frame.
        window.setTimeout(function () { fill(); resolve(); }, 0);
      };
      if (video.readyState >= 2) { run(); return; }
      video.addEventListener("loadeddata", run, { once: true });
      video.addEventListener("error", run, { once: true });
      window.setTimeout(run, FILL_AFTER);
    });
  }

  function openLesson(lesson) {
    state.lesson = lesson;
    state.chapters = lesson.chapters;
    state.segments = [];  // the transcript comes after the first frame
    state.rows = [];
    $("transcript").textContent = "";
    document.title = lesson.title + " - " + COURSE.course.title;
    $("lesson-title").textContent = lesson.title;
    var items = $("lesson-list").children;
    for (var i = 0; i < items.length; i++) items[i].classList.toggle("current", items[i].dataset.id === lesson.id);
    while (video.firstChild) video.removeChild(video.firstChild);
    if (lesson.poster) video.poster = lesson.poster; else video.removeAttribute("poster");
    // The video first: the browser fetches and decodes it while the page builds the rest.
    video.src = lesson.video;
    var panels = afterFirstFrame(function () {
      if (state.lesson !== lesson) return;  // another lesson was opened meanwhile
      lesson.captions.forEach(function (c, k) {
        vttTrack("captions", c.label, c.language, c.vtt, k === 0);
      });
      if (lesson.chapters_vtt) {
        vttTrack("chapters", "Chapters", COURSE.course.language, lesson.chapters_vtt, false).track.mode = "hidden";
      }
      setCaptions(captionsOn);
      state.segments = lesson.transcript;
      showTranscript(lesson.transcript);
      shown = { segment: -1, chapter: -1 };
      search($("search").value);
      highlight(video.currentTime);
    });
    showChapters(lesson.chapters);
    progress = new Progress(lesson.duration);
    spans = new Spans(function (a, b) { progress.add(a, b); });
    if (lms) lms.finish();
    var questions = lesson.checkpoints ? lesson.checkpoints.length > 0 : false;
    lms = window.LecternLMS.create(COURSE.mode, COURSE.course.id, lesson.id, questions);
    return Promise.all([lms.start(), panels]).then(function (results) {
      var saved = results[0];
      progress.decode(saved.watched);
      var resume = saved.position;
      $("coverage").textContent = Math.round(progress.coverage() * 100) + "% watched";
      if (lms.launchMode === "Browse" || lms.launchMode === "Review") {
        status(lms.launchMode + " mode: watch freely; this visit does not change your results.");
      }
      if (resume >= RESUME_FROM && resume <= lesson.duration - RESUME_FROM) {
        var go = function () { seek(resume); status("Resumed at " + clock(resume) + "."); };
        if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
      }
      window.lecternReady = true;
    }, function (error) {
      status(error.message);
      lms = window.LecternLMS.create("html5", COURSE.course.id, lesson.id);
      return panels.then(function () { window.lecternReady = true; });
    });
  }

  function init() {
    $("course-title").textContent = COURSE.course.title;
    SPEEDS.forEach(function (s) { $("speed").appendChild(el("option", "", s + "\u00d7")); });
    $("speed").selectedIndex = SPEEDS.indexOf(1);
    $("speed").addEventListener("change", function () { setSpeed($("speed").selectedIndex); });
    $("captions").addEventListener("click", function () { setCaptions(!captionsOn); });
    $("prev-chapter").addEventListener("click", function () { chapterStep(-1); });
    $("next-chapter").addEventListener("click", function () { chapterStep(1); });
    $("keys").addEventListener("click", function () { $("key-help").hidden = !$("key-help").hidden; });
    $("search").addEventListener("input", function () { search(this.value); });
    $("search").addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); nextMatch(); }
      if (e.key === "Escape") { this.value = ""; search(""); video.focus(); }
    });
    document.addEventListener("keydown", onKey);
    video.addEventListener("timeupdate", function () {
      if (!video.paused && !video.seeking && spans) spans.tick(video.currentTime);
      highlight(video.currentTime);
    });
    video.addEventListener("loadeddata", function () {
      // The first frame can be shown: kept for the benchmark (bench/bench_web_export.py).
      if (!window.lecternFirstFrame) window.lecternFirstFrame = performance.now();
    });
    video.addEventListener("seeking", function () { if (spans) spans.close(); });
    video.addEventListener("pause", function () { if (spans) spans.close(); save(); });
    video.addEventListener("ended", function () { if (spans) spans.close(); save(); });
    video.addEventListener("ratechange", function () {
      var i = SPEEDS.indexOf(video.playbackRate);
      if (i >= 0) $("speed").selectedIndex = i;
    });
    saveTimer = window.setInterval(function () { if (!video.paused) save(); }, SAVE_EVERY);
    window.addEventListener("pagehide", finish);
    window.addEventListener("beforeunload", finish);

    // A SCO or AU is one lesson, chosen by the launch URL; the plain HTML5 export lists all.
    var wanted = lessonFor(params.get("lesson") || "") || lessons[0];
    if (COURSE.mode === "html5" && lessons.length > 1) {
      $("lessons").hidden = false;
      lessons.forEach(function (lesson) {
        var li = el("li");
        li.dataset.id = lesson.id;
        li.appendChild(el("span", "time", clock(lesson.duration)));
        li.appendChild(document.createTextNode(lesson.title));
        li.addEventListener("click", function () { save(); openLesson(lesson); });
        $("lesson-list").appendChild(li);
      });
    }
    openLesson(wanted);
  }

  // For tests and for checkpoints (issue: checkpoints come later): the page's own state.
  window.LecternPlayer = {
    coverage: function () { return progress ? progress.coverage() : 0; },
    watched: function () { return progress ? progress.intervals.slice() : []; },
    encodedWatched: function () { return progress ? progress.encode() : ""; },
    save: save,
    finish: finish,
    lms: function () { return lms; },
    setScore: function (raw, min, max) { if (lms) lms.setScore(raw, min, max); },
    recordInteraction: function (item) { if (lms) lms.recordInteraction(item); },
    Progress: Progress
  };

  init();
})();
