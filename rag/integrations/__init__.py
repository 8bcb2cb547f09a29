"""Adapters for other frameworks; each imports its framework only when used."""
