"""``make bench``: a register at scale, measured against floors taken in the same run."""
