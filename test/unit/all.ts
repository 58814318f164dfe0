/**
 * Every unit test file of this directory in ONE process: `npm test` runs this instead of
 * the files one by one (scripts/test.js), because each tap process costs ~1.5 s of CPU
 * before its first test, more than most unit files take. Every `*.test.js` next to this
 * file is imported, in name order, so a new file needs no entry here; `npx tap
 * test/unit/x.test.ts` still runs one file alone.
 */
import { readdirSync } from 'node:fs'

for (const file of readdirSync(import.meta.dirname).filter((name) => /\.test\.[jt]s$/.test(name)).sort()) {
  await import(`./${file}`)
}
