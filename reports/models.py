"""Services, orders, billing reports and usage records (document 003) live here."""
