"""Source entities and their profiles: who each attributed speaker is, joined across the article."""
