"""Partner API (JSON, OpenAPI) for employers' payroll and professionals' billing software."""
