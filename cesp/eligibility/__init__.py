"""The eligibility engine: sites, the zoning index (built, stored, loaded), the check,
bulk checks and their wording. Decrees themselves live in ``cesp.zones``."""
