<#-- The API experience's answer: the offer the decision model chose for this guest. -->
{
  "offer": "${(decisionModelResults.next_best_offer.decisions[0].name)!"newsletter"}",
  "channel": "${(request.channel)!"WEB"}"
}
