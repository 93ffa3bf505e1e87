"""Where the campaign repository lives: GitHub and GitLab (gitlab.com, self-managed, 极狐 JiHu).

- ``scaffold``: what ``ptrack init --forge NAME`` writes that depends on the forge (CI files from
  ``templates/<forge>/``, and the forge's words in the team README and ptrack.yaml);
- ``gitlab``: GitLab's REST API (v4) as far as ptrack uses it: the merge request's comment
  (``ptrack comment``);
- ``fields``: the update and risk forms, defined once (ids, kinds, labels, the Markdown a
  submitted form becomes);
- ``links``: the addresses that open those forms prefilled (GitHub issue forms, GitLab
  description templates), for the pages and the digests.
"""
