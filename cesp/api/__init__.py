"""HTTP face of the service: a thin FastAPI layer over the domain functions."""
