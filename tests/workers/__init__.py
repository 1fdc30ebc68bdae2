"""Worker scripts the crash and concurrency tests run as subprocesses, and their harness."""
