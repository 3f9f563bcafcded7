"""The `claimrules` command line: option plumbing around one library call per command."""
