/* Retail Admin frame: sidebar toggle and groups; Chinese texts for FAB's select2/datepicker. */
(function ($) {
  "use strict";
  var body = document.body;
  var texts = $(body).data() || {};
  var narrow = window.matchMedia("(max-width: 767px)");
  var HIDDEN_KEY = "retail.sidebarHidden";

  // desktop: the sidebar stays hidden if the user hid it; phone: it opens over the page
  try {
    if (window.localStorage.getItem(HIDDEN_KEY) === "1") { body.classList.add("retail-sidebar-hidden"); }
  } catch (e) { /* storage blocked: always shown */ }
  window.requestAnimationFrame(function () {
    window.requestAnimationFrame(function () { body.classList.add("retail-ready"); });
  });

  function sidebarShown() {
    return narrow.matches ? body.classList.contains("retail-sidebar-open")
      : !body.classList.contains("retail-sidebar-hidden");
  }
  function syncToggle() {
    $("#retail-sidebar-toggle").attr("aria-expanded", sidebarShown() ? "true" : "false");
  }
  $(document).on("click", "#retail-sidebar-toggle", function () {
    if (narrow.matches) {
      body.classList.toggle("retail-sidebar-open");
    } else {
      var hidden = body.classList.toggle("retail-sidebar-hidden");
      try { window.localStorage.setItem(HIDDEN_KEY, hidden ? "1" : "0"); } catch (e) { /* ignore */ }
    }
    syncToggle();
  });
  $(document).on("click", "#retail-backdrop", function () {
    body.classList.remove("retail-sidebar-open");
    syncToggle();
  });
  $(document).on("click", ".retail-group-toggle", function () {
    var group = $(this).closest(".retail-group").toggleClass("open");
    $(this).attr("aria-expanded", group.hasClass("open") ? "true" : "false");
  });
  syncToggle();

  // FAB hard-codes English placeholders ("Select a State") and select2 speaks English
  if ($.fn.select2 && texts.selectPlaceholder) {
    var select2 = $.fn.select2;
    $.fn.select2 = function (options) {
      if (options && typeof options === "object" && /^Select/.test(options.placeholder || "")) {
        options = $.extend({}, options, { placeholder: texts.selectPlaceholder });
      }
      return select2.apply(this, arguments.length ? [options].concat([].slice.call(arguments, 1)) : arguments);
    };
    $.extend($.fn.select2, select2);
    if (select2.defaults && texts.selectNoResults) {
      select2.defaults.set("language", {
        noResults: function () { return texts.selectNoResults; },
        searching: function () { return texts.selectSearching; },
        errorLoading: function () { return texts.selectError; },
        removeAllItems: function () { return texts.selectClear; }
      });
    }
  }
  if ($.fn.datepicker && $.fn.datepicker.dates && texts.locale === "zh") {
    $.fn.datepicker.dates.zh = {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      daysShort: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      daysMin: ["日", "一", "二", "三", "四", "五", "六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
      monthsShort: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      today: "今天", clear: "清除", monthsTitle: "选择月份", format: "yyyy-mm-dd", weekStart: 1, titleFormat: "yyyy年mm月"
    };
    $.fn.datepicker.defaults.language = "zh";
  }
})(jQuery);

/* Jobs page: redraw the progress of queued/running jobs; reload when one changes state. */
(function () {
  "use strict";
  var poll = document.getElementById("retail-job-poll");
  if (!poll || !window.fetch) { return; }
  var showPath = poll.getAttribute("data-show-path");
  var boxes = {};
  if (window.location.pathname.indexOf(showPath) === 0) {
    boxes[window.location.pathname.slice(showPath.length).split("/")[0]] = document.getElementById("retail-main");
  } else {
    Array.prototype.forEach.call(document.querySelectorAll("a[href^='" + showPath + "']"), function (link) {
      var id = link.getAttribute("href").slice(showPath.length).split(/[/?]/)[0];
      var row = link.closest("tr");
      if (/^\d+$/.test(id) && row) { boxes[id] = row; }
    });
  }
  var ids = Object.keys(boxes);
  if (!ids.length) { return; }
  var seen = {};

  function draw(box, percent) {
    var bar = box.querySelector(".progress-bar");
    if (!bar) { return null; }
    var before = bar.textContent.trim();
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    return before;
  }

  function tick() {
    fetch(poll.getAttribute("data-url") + "?ids=" + ids.join(","),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var active = false;
        var changed = false;
        ids.forEach(function (id) {
          var job = data.jobs[id];
          if (!job) { return; }
          var before = draw(boxes[id], job.progress);
          if (seen[id] === undefined) {
            // first answer: the page was drawn before a job that has finished since
            if (job.finished && before !== null && before !== job.progress + "%") { changed = true; }
          } else if (seen[id] !== job.status) {
            changed = true;
          }
          seen[id] = job.status;
          if (!job.finished) { active = true; }
        });
        if (changed) {
          window.location.reload();
        } else if (active) {
          window.setTimeout(tick, 2000);
        }
      })
      .catch(function () { window.setTimeout(tick, 10000); });
  }
  tick();
})();
