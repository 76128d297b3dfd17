"""Process start-up: training the model, starting Rasa and the web app (``make run``), the
scaled profile's PostgreSQL, Redis and nginx, and the Rasa launcher that keeps the API token
off the command line (docs/deploy.md)."""
