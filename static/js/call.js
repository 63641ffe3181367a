// The call page: the player and the transcript follow each other.
// Click a line, a BANT quote or a comment marker to seek; the line being played is highlighted;
// the coaching form takes its time from the player.
(function () {
  "use strict";
  var player = document.getElementById("player");
  var lines = Array.prototype.slice.call(document.querySelectorAll("#transcript .utt"));
  var now = document.getElementById("now");
  var atField = document.querySelector("#coaching-form input[name=at_s]");
  var atTyped = false; // once a person types a time, the player no longer overwrites it
  var playing = null;

  function mmss(t) {
    var s = Math.floor(t);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function lineAt(t) {
    // The last line that started at or before t (lines are ordered by start time).
    var lo = 0, hi = lines.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (parseFloat(lines[mid].dataset.start) <= t + 0.001) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 ? lines[found] : null;
  }

  function show(t) {
    if (now) now.textContent = mmss(t);
    if (atField && !atTyped) atField.value = t.toFixed(1);
    var line = lineAt(t);
    if (line === playing) return;
    if (playing) { playing.classList.remove("playing"); playing.removeAttribute("aria-current"); }
    playing = line;
    if (line) {
      line.classList.add("playing");
      line.setAttribute("aria-current", "true");
      var box = line.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) line.scrollIntoView({ block: "nearest" });
    }
  }

  function seek(t) {
    document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches(".utt[data-seek]")) return;
    event.preventDefault();
    seek(parseFloat(event.target.dataset.seek));
  });

  if (player) {
      player.currentTime = t;
      var started = player.play();
      if (started && started.catch) started.catch(function () { /* autoplay refused: stay paused */ });
    }
    show(t);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-seek]");
    if (!target || event.target.closest("input, select, textarea, form a, label")) return;
    if (target.tagName === "A") event.preventDefault();
    seek(parseFloat(target.dataset.seek));
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches(".utt[data-seek]")) return;
    event.preventDefault();
    seek(parseFloat(event.target.dataset.seek));
  });

  if (player) {
    player.addEventListener("timeupdate", function () { show(player.currentTime); });
    player.addEventListener("seeked", function () { show(player.currentTime); });
  }
  if (atField) atField.addEventListener("input", function () { atTyped = true; });
})();
