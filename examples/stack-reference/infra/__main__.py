"""The infrastructure project: in a real repository it creates the website (DNS, CDN, hosting).

Here it only exports the two values the personalization project reads through a stack reference:
the site's public URL and the environment's name. Both come from stack configuration
(``pulumi config set siteUrl https://www.example.com``), so a change is one ``pulumi up`` away.
"""

import pulumi

config = pulumi.Config()
stack = pulumi.get_stack()

pulumi.export("siteUrl", config.get("siteUrl") or f"https://{stack}.example.com")
pulumi.export("environment", config.get("environment") or stack)
