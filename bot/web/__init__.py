"""The aiohttp web app: student chat pages and the JSON API (port 8080)."""
