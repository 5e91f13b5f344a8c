"""City hub: MQTT ingest → SQLite city index → duplicate matching → operator panel."""
