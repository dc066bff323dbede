"""Zoning decrees: file readers, validation, versioning, zones in force, exports."""
