/* formkit serve: the little the pages need beyond HTML (no library, works offline).
 *
 * - checks an ID number, a date or an amount as it is typed, with formkit's own functions
 *   on the server (POST /api/value: nothing typed goes into a URL or the server's log);
 * - fills 性别 and 出生日期 from a valid ID number where they are empty;
 * - shows the amount's 大写金额 and its six 仟…分 digits as the voucher prints them;
 * - a calendar beside each date field; rows of a table added and removed;
 * - asks before leaving a form with unsaved changes;
 * - starts a render and follows its progress.
 */
(function () {
  "use strict";

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function post(url, body, json) {
    var headers = { "X-CSRF-Token": csrf };
    if (json) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", headers: headers, body: json ? JSON.stringify(body) : body, credentials: "same-origin" })
      .then(function (r) { return r.json(); });
  }

  /* one timer per field: typing into a second field does not cancel the first one's check */
  function debounce(fn, ms) {
    var timers = new WeakMap();
    return function (el) {
      clearTimeout(timers.get(el));
      timers.set(el, setTimeout(function () { fn(el); }, ms));
    };
  }

  /* ---------------------------------------------------------------- live checks */

  function scopeOf(el) { return el.closest("[data-scope]") || document; }

  function inScope(scope, selector) {
    return Array.prototype.filter.call(scope.querySelectorAll(selector), function (el) {
      return (el.closest("[data-scope]") || document) === scope;
    });
  }

  function liveBox(input) {
    return document.querySelector('[data-live-for="' + CSS.escape(input.id) + '"]');
  }

  function fillIfEmpty(scope, key, value) {
    inScope(scope, '[data-key="' + key + '"]').forEach(function (el) {
      if (!el.value && value) {
        el.value = value;
        el.dispatchEvent(new Event("change", { bubbles: true }));
        var box = liveBox(el);
        if (box) { box.textContent = "已按身份证号填入"; box.className = "live ok"; }
      }
    });
  }

  function showAmount(input, result) {
    var voucher = document.querySelector('[data-amount-for="' + CSS.escape(input.id) + '"]');
    if (!voucher) return;
    var digits = voucher.querySelectorAll(".digit");
    var boxes = (result && result.boxes) || ["", "", "", "", "", ""];
    for (var i = 0; i < digits.length; i++) digits[i].textContent = boxes[i] || "";
    voucher.querySelector(".words").textContent = result && result.words ? "大写：" + result.words : "";
    voucher.querySelector(".figure").textContent = result && result.ok ? (result.figure || "") : "";
  }

  var check = debounce(function (input) {
    var kind = input.dataset.live;
    var box = liveBox(input);
    var value = input.value;
    if (!value.trim()) {
      if (box) { box.textContent = ""; box.className = "live"; }
      if (kind === "amount") showAmount(input, null);
      return;
    }
    post("/api/value", { kind: kind, value: value }, true).then(function (r) {
      if (input.value !== value) return; // typed on meanwhile
      var quiet = r.ok && (kind === "money" || kind === "amount");  /* the voucher's boxes say it */
      if (box) { box.textContent = quiet ? "" : (r.message || ""); box.className = "live " + (r.ok ? "ok" : "bad"); }
      if (kind === "amount") showAmount(input, r.ok ? r : null);
      if (kind === "id" && r.ok) {
        var scope = scopeOf(input);
        fillIfEmpty(scope, "性别", r.sex);
        fillIfEmpty(scope, "出生日期", r.birth);
      }
      if (kind === "date" && r.ok) {
        var picker = input.parentNode.querySelector("input.picker");
        if (picker) picker.value = r.iso;
      }
    }).catch(function () {
      if (box) { box.textContent = "（无法连接 formkit serve：它还在运行吗？）"; box.className = "live bad"; }
    });
  }, 250);

  document.addEventListener("input", function (e) {
    var el = e.target;
    if (el.dataset && el.dataset.live) check(el);
  });

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.classList && el.classList.contains("picker") && el.value) {
      var target = document.getElementById(el.dataset.for);
      if (target) {
        target.value = el.value;
        target.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
  });

  function checkAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-live]"), function (el) {
      if (el.value.trim()) {
        var kind = el.dataset.live;
        post("/api/value", { kind: kind, value: el.value }, true).then(function (r) {
          var box = liveBox(el);
          var shown = el.closest(".has-error, td.has-error");  /* formkit's own problem is already beside it */
          if (box && !r.ok && !shown) { box.textContent = r.message || ""; box.className = "live bad"; }
          if (box && r.ok && kind === "id") { box.textContent = r.message || ""; box.className = "live ok"; }
          if (kind === "amount") showAmount(el, r.ok ? r : null);
          if (kind === "date" && r.ok) {
            var picker = el.parentNode.querySelector("input.picker");
            if (picker) picker.value = r.iso;
          }
        }).catch(function () {});
      }
    });
  }

  /* ---------------------------------------------------------------- rows */

  function renumber(table) {
    var name = table.dataset.rows;
    var rows = table.querySelectorAll(":scope > fieldset.row");
    var pattern = new RegExp("^" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\[(\\d+|__N__)\\]");
    Array.prototype.forEach.call(rows, function (row, i) {
      var prefix = name + "[" + (i + 1) + "]";
      row.querySelector(".rowno").textContent = "第" + (i + 1) + "行";
      Array.prototype.forEach.call(row.querySelectorAll("[name],[id],[for],[data-live-for],[data-for],[data-amount-for],[data-field]"), function (el) {
        ["name", "id", "for", "data-live-for", "data-for", "data-amount-for", "data-field"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (!v) return;
          var isId = v.indexOf("f-") === 0;
          var bare = isId ? v.slice(2) : v;
          if (pattern.test(bare)) el.setAttribute(attr, (isId ? "f-" : "") + bare.replace(pattern, prefix));
        });
      });
    });
  }

  document.addEventListener("click", function (e) {
    var add = e.target.closest("[data-add-row]");
    if (add) {
      var name = add.dataset.addRow;
      var table = add.closest("[data-rows]");
      var template = table.querySelector('template[data-row-template="' + CSS.escape(name) + '"]');
      var row = template.content.firstElementChild.cloneNode(true);
      table.insertBefore(row, add);
      renumber(table);
      dirty = true;
      var first = row.querySelector("input[type=text], select");
      if (first) first.focus();
      return;
    }
    var remove = e.target.closest("[data-remove-row]");
    if (remove) {
      var fieldset = remove.closest("fieldset.row");
      var rowsBox = fieldset.closest("[data-rows]");
      var filled = Array.prototype.some.call(fieldset.querySelectorAll("input[type=text], select, textarea"), function (el) { return el.value; });
      if (filled && !window.confirm("删去这一行？保存后它会从记录里删去。")) return;
      fieldset.remove();
      renumber(rowsBox);
      dirty = true;
    }
  });

  /* ---------------------------------------------------------------- unsaved changes */

  var dirty = false;
  var form = document.getElementById("record-form");
  if (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () {
      dirty = false;
      var button = document.getElementById("save");
      if (button) { button.disabled = true; button.textContent = "正在保存并检查…"; }
    });
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
    checkAll(form);
    var saved = document.getElementById("saved");
    var firstError = document.querySelector(".field.has-error, fieldset.has-error, td.has-error");
    if (saved && firstError) firstError.scrollIntoView({ block: "center" });
  }

  /* ---------------------------------------------------------------- rendering */

  var renderForm = document.getElementById("render-form");
  if (renderForm) {
    renderForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = document.getElementById("render-button");
      var progress = document.getElementById("render-progress");
      var result = document.getElementById("render-result");
      button.disabled = true;
      progress.hidden = false;
      result.textContent = "";
      var stage = progress.querySelector(".stage");
      var fill = progress.querySelector(".fill");
      stage.textContent = "开始生成…";
      post(renderForm.action, new FormData(renderForm), false).then(function follow(job) {
        if (job.error) throw new Error(job.error);
        var shown = job.stage + (job.total ? "：" + job.done + " / " + job.total + " 份" : "") + "（" + job.seconds + " 秒）";
        stage.textContent = shown;
        fill.style.width = (job.total ? Math.round(100 * job.done / job.total) : 5) + "%";
        if (job.state === "running") {
          return new Promise(function (ok) { setTimeout(ok, 600); }).then(function () {
            return fetch("/render-status/" + job.id, { credentials: "same-origin" }).then(function (r) { return r.json(); });
          }).then(follow);
        }
        fill.style.width = "100%";
        button.disabled = false;
        var p = document.createElement("p");
        p.className = job.state === "done" ? "notice ok" : "problem error";
        p.id = job.state === "done" ? "render-done" : "render-failed";
        p.textContent = job.message;
        result.appendChild(p);
        if (job.problems && job.problems.length) {
          var ul = document.createElement("ul");
          ul.className = "problems";
          job.problems.forEach(function (pr) {
            var li = document.createElement("li");
            li.className = "error";
            li.textContent = pr.file + " · " + pr.field + "：" + pr.message;
            ul.appendChild(li);
          });
          result.appendChild(ul);
        }
        if (job.state === "done") {
          var again = document.createElement("p");
          var a = document.createElement("a");
          a.href = window.location.pathname;
          a.textContent = "刷新页面，查看生成的文件和预览";
          a.id = "render-reload";
          again.appendChild(a);
          result.appendChild(again);
          setTimeout(function () { window.location.reload(); }, 1200);
        }
      }).catch(function (err) {
        button.disabled = false;
        stage.textContent = "生成失败：" + err.message;
      });
    });
  }
})();
