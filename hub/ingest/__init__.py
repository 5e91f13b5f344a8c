"""Ingest: kiosk messages from MQTT and petitions from files, into the city index."""
