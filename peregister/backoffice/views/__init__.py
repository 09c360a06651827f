"""Register staff pages (back-office); every view is ``staff_only``."""
