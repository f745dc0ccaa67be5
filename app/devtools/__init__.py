"""Developer tools: scripts that rebuild committed data and vendored assets (need the npm registry)."""
