// Shown only when the "Public holidays" connection says today is one.
insertHTMLBefore("body");
document.querySelector("#holiday-banner .holiday-banner__cta").addEventListener("click", function () {
  Engage.event("HOLIDAY_BANNER_CLICK", { channel: "WEB" });
});
