"""The `postillon` command: sets up, runs and supervises the processes on one machine."""
