"""The native Pulumi provider of the package (``personalize``, plugin ``pulumi-resource-personalize``):
the same declarations, engine, client and tenant guard as the dynamic resources, for programs in
every Pulumi language, with import, detailed diffs and previews that tell an update's consequences.
``docs/native-provider.md`` says when to use which face."""
