"""The command line: a front end beside the window, over the same use cases."""
