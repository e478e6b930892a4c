"""Manager reports: what the posts achieved, per channel, vacancy and campaign, honestly counted."""
