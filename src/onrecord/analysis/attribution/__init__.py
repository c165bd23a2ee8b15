"""Attribution extraction: who said what, through which cue, about what content."""
