#!/usr/bin/env node
// The commands run from the bundle every build writes (scripts/bundle.js): src/lib/cli/main.ts.
import '../dist/bundle/main.js'
