"""RQ glue: the dispatcher, the publish job and the worker process."""
