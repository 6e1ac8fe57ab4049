"""Photos: upload (POST /v1/media), read (GET /v1/media/{id}), and the link to reports."""
