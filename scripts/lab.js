#!/usr/bin/env node
// `provision lab …` straight from the TypeScript sources, for working on the lab without a build:
//   node scripts/lab.js up | down | status | reboot HOST | exec HOST -- CMD | move HOST --to IPV4
require('./ts-require');
const { Command } = require('commander');
const { registerLabCommand } = require('../src/lab/cli.ts');
const program = new Command('provision');
registerLabCommand(program);
program.parseAsync(['node', 'provision', 'lab', ...process.argv.slice(2)]).catch((e) => {
  console.error(e.message);
  process.exit(1);
});
