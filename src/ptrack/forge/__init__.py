"""Where the campaign repository lives: GitHub and GitLab (gitlab.com, self-managed, 极狐 JiHu).

- ``scaffold``: what ``ptrack init --forge NAME`` writes that depends on the forge (CI files from
  ``templates/<forge>/``, and the forge's words in the team README and ptrack.yaml);
- ``rest``: the REST transport both clients share (timeouts, safe retries, the token scrubbed);
- ``gitlab``: GitLab's REST API (v4) as far as ptrack uses it: the merge request's comment
  (``ptrack comment``);
- ``github``: GitHub's REST API as far as intake uses it, and intake's adapter for GitHub's
  ``issues`` events;
- ``fields``: the update and risk forms, defined once (ids, kinds, labels, the Markdown a
  submitted form becomes);
- ``links``: the addresses that open those forms prefilled (GitHub issue forms, GitLab
  description templates), for the pages and the digests;
- ``forms``: the forms as files (``ptrack forms``, ``ptrack init``);
- ``issue``: a submitted form read back from the issue's Markdown;
- ``intake``: a submitted form applied (read, authorise, edit, check, commit, reply), the same
  for every forge; ``workspace``: the temporary git worktree it commits in.
"""
