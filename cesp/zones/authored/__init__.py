"""Decree files the project authored itself (package data, see README.md here)."""
