#!/usr/bin/env node
/**
 * prolific-dataset-status: the command-line tool (DESIGN.md, "Tools shipped with it"). The
 * commands live in ./cli/ (arguments, output, one module per command); this file only runs them.
 * @module
 */
import { runProgram } from './cli/main.js';

runProgram(process.argv.slice(2));
