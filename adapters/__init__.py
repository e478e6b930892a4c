"""Network I/O: one adapter module per network, plain data in, receipts or typed errors out."""
