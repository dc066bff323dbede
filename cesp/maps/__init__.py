"""Maps: folium pages of the zones in force, the posts and the choice of post."""
