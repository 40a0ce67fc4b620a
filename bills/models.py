"""Collections and hosted bills (document 004) live here."""
