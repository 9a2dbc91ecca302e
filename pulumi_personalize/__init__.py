"""Pulumi dynamic providers for Sitecore Personalize and Contentstack Personalize."""

__version__ = "0.1.0"
