"""Every HTML page labsim writes."""
