// Replace the page's hero with the personalized one and report clicks as an event.
replaceHTML("#main-hero");
document.querySelector("#pers-hero .pers-hero__cta").addEventListener("click", function () {
  Engage.event("HERO_CTA_CLICK", { channel: "WEB" });
});
