"""Prompt templates and user-facing message tables, shipped as package data (read via importlib.resources)."""
