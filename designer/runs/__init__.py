"""Runs that last (no Qt): every training run's record, kept in a folder of
plain files beside its project, read by the window and the command line alike."""
