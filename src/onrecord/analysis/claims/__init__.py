"""Claims: the numbers and dates an article states, normalised, with the attribution behind each."""
