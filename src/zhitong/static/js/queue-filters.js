/* The work queue's filters (opinions/work/queue.html): folded away on a phone, where the
 * list should come first, and opened on a wide screen, where there is room for both. The
 * page works without this file: the filters are then one tap on "筛选" away, and the server
 * opens them itself whenever a filter is in force. */
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 768px)").matches) {
    return;
  }
  var folded = document.querySelectorAll("details[data-open-wide]");
  for (var i = 0; i < folded.length; i++) {
    folded[i].open = true;
  }
})();
