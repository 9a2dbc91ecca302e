<#-- A decision template: the offer for the visitor's loyalty tier (the CRM connection's output). -->
<#assign tier = (crm.tier)!"standard">
{
  "offer": "<#if tier == "gold">free-shipping<#elseif tier == "silver">ten-percent<#else>newsletter</#if>",
  "tier": "${tier}"
}
