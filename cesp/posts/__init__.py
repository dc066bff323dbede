"""The national lists of posts, the choice procedures and the CESP contract rules."""
