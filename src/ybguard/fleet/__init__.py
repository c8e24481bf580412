"""Many terminals, one view: reports go into an embedded SQLite store (``store``) through
``ingest``; ``summary`` answers the morning questions; ``render`` writes them per format."""
