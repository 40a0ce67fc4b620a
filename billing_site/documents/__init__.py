"""What every PDF document shares: its fonts and its text (``fonts``)."""
