// `node scripts/mutation-summary.mjs`: one Markdown row per package from the last `pnpm mutation`
// runs (reports/mutation/<package>/mutation.json), with StrykerJS's score: killed and timed-out
// mutants over all that were run or had no covering test.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(import.meta.dirname, '..', 'reports', 'mutation');
if (!existsSync(dir)) {
  console.error('no reports/mutation: run `pnpm mutation <package>` first');
  process.exit(1);
}
console.log('| package | mutants | killed | timed out | survived | no coverage | score |');
console.log('| ------- | ------: | -----: | --------: | -------: | ----------: | ----: |');
for (const pkg of readdirSync(dir).sort()) {
  const file = join(dir, pkg, 'mutation.json');
  if (!existsSync(file)) continue;
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0 };
  for (const source of Object.values(JSON.parse(readFileSync(file, 'utf8')).files)) {
    for (const mutant of source.mutants) if (mutant.status in count) count[mutant.status] += 1;
  }
  const total = count.Killed + count.Timeout + count.Survived + count.NoCoverage;
  const score = total === 0 ? 0 : (100 * (count.Killed + count.Timeout)) / total;
  console.log(
    `| ${pkg} | ${total} | ${count.Killed} | ${count.Timeout} | ${count.Survived} | ${count.NoCoverage} | ${score.toFixed(1)}% |`,
  );
}
