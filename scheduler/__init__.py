"""Postillon's domain: models, the delivery lifecycle, rules and use-cases; no framework, no I/O."""
