"""The business rules. Views, the API and the CLI call these; services flush, callers commit."""
