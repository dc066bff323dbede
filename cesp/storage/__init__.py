"""Storage: settings, engine factory (SpatiaLite or PostGIS), declarative base, migrations."""
