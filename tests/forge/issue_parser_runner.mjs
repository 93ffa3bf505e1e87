// Run GitHub's own issue-form parser (the npm package @github/issue-parser) on issue bodies:
//   node issue_parser_runner.mjs MODULE_DIR < cases.json
// cases.json: [{"body": "...", "template": "<the issue form's YAML>"}, ...]
// Prints one JSON array: the parsed object of each case (field id -> value; an empty field is
// left out, as the package does).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const moduleDir = process.argv[2];
const pkg = JSON.parse(readFileSync(join(moduleDir, "package.json"), "utf8"));
const entry = typeof pkg.exports === "string" ? pkg.exports : (pkg.exports["."].import || pkg.exports["."].default || pkg.exports["."]);
const { parseIssue } = await import(pathToFileURL(join(moduleDir, entry)).href);
const cases = JSON.parse(readFileSync(0, "utf8"));
const out = cases.map((c) => {
  const parsed = parseIssue(c.body, c.template);
  // JSON drops undefined values: the empty fields
  return JSON.parse(JSON.stringify(parsed));
});
process.stdout.write(JSON.stringify(out) + "\n");
