// Progressive enhancement for pages that follow work done elsewhere (a data export being made):
// while an element with data-poll="<milliseconds>" is on the page, fetch the page again and put
// the new content of that element in place. It asks for that element only (?part=<its id>): a
// page that knows the part answers with it alone, any other with the whole page. It stops when
// the new content has no data-poll. Without script the page offers a link to refresh it.
(function () {
  "use strict";
  function schedule(region) {
    var delay = parseInt(region.getAttribute("data-poll"), 10) || 3000;
    window.setTimeout(function () { refresh(region, delay); }, delay);
  }
  function refresh(region, delay) {
    var url = new URL(window.location.href);
    url.searchParams.set("part", region.id);
    fetch(url.toString(), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
        if (!next) { return; }
        if (next.innerHTML !== region.innerHTML) { region.innerHTML = next.innerHTML; }
        if (next.hasAttribute("data-poll")) {
          schedule(region);
        } else {
          region.removeAttribute("data-poll");
        }
      })
      .catch(function () { window.setTimeout(function () { refresh(region, delay); }, delay * 3); });
  }
  var region = document.querySelector("[data-poll][id]");
  if (region) { schedule(region); }
})();
