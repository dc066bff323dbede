"""cesp-zones: deficit zones for the French contrat d'engagement de service public."""

__version__ = "0.1.0"
