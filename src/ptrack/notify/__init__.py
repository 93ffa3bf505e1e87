"""ptrack notify: daily digests to chat platforms and email (issue 9)."""
