/* The public opinion form (opinions/public/form.html): while the citizen writes, ask the
 * server for open opinions nearby that look like the same matter, and show them above the
 * contacts, each with a button to follow it instead of raising a new one. Without this
 * file the form works the same: its "看看附近有没有人反映过" button asks the server. */
(function () {
  "use strict";
  var box = document.getElementById("similar");
  if (!box || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var form = box.closest("form");
  var base = box.getAttribute("data-url");
  var timer = null;
  var last = "";
  var field = function (name) {
    return form.elements.namedItem(name);
  };
  var ask = function () {
    var params = new URLSearchParams();
    var subject = field("subject");
    var content = field("content");
    var place = field("place");
    params.set("subject", subject ? subject.value.slice(0, 100) : "");
    params.set("content", content ? content.value.slice(0, 500) : "");
    if (place) {
      params.set("place", place.value);
    }
    var query = params.toString();
    if (query === last) {
      return;
    }
    last = query;
    fetch(base + "&" + query, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok || response.status === 429 ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && query === last) {
          box.innerHTML = html;
        }
      })
      .catch(function () {});
  };
  var later = function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 800);
  };
  ["subject", "content", "place"].forEach(function (name) {
    var element = field(name);
    if (element) {
      element.addEventListener("input", later);
      element.addEventListener("change", later);
    }
  });
})();
