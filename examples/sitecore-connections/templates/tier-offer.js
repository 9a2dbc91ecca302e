// A decision template: picks an offer from the visitor's loyalty tier (CRM connection output).
(function () {
  var tier = (guest.dataExtensions && guest.dataExtensions.tier) || "standard";
  var offers = { gold: "free-shipping", silver: "ten-percent", standard: "newsletter" };
  return { offer: offers[tier] || offers.standard };
})();
