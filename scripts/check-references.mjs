// Keeps the monorepo honest (after jest's own check): every workspace package's tsconfig
// `references` must list exactly its workspace dependencies, and its test project must reference
// the package itself. A wrong edge fails the build instead of rotting quietly.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const dirs = ['packages', 'examples']
  .filter((d) => existsSync(join(root, d)))
  .flatMap((d) => readdirSync(join(root, d)).map((name) => join(root, d, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')));

const byName = new Map(dirs.map((dir) => [readJson(join(dir, 'package.json')).name, dir]));
const problems = [];
for (const dir of dirs) {
  const pkg = readJson(join(dir, 'package.json'));
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const expected = Object.keys(deps)
    .filter((name) => byName.has(name))
    .map((name) => resolve(byName.get(name)))
    .sort();
  const tsconfig = join(dir, 'tsconfig.json');
  if (!existsSync(tsconfig)) {
    problems.push(`${pkg.name}: no tsconfig.json`);
    continue;
  }
  const actual = (readJson(tsconfig).references ?? []).map((r) => resolve(dir, r.path)).sort();
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    problems.push(
      `${pkg.name}: tsconfig references [${actual.join(', ')}] but workspace dependencies are [${expected.join(', ')}]`,
    );
  }
  for (const name of Object.keys(deps).filter((n) => byName.has(n))) {
    if (deps[name] !== 'workspace:*') problems.push(`${pkg.name}: ${name} must be "workspace:*"`);
  }
  const testConfig = join(dir, 'test', 'tsconfig.json');
  if (existsSync(testConfig)) {
    const refs = (readJson(testConfig).references ?? []).map((r) => resolve(dir, 'test', r.path));
    if (!refs.includes(resolve(dir)))
      problems.push(`${pkg.name}: test/tsconfig.json must reference its package`);
  }
}
const rootRefs = new Set(
  (readJson(join(root, 'tsconfig.json')).references ?? []).map((r) => resolve(root, r.path)),
);
for (const dir of dirs) {
  for (const project of [dir, join(dir, 'test')]) {
    if (existsSync(join(project, 'tsconfig.json')) && !rootRefs.has(resolve(project))) {
      problems.push(`root tsconfig.json does not reference ${project}`);
    }
  }
}
if (problems.length > 0) {
  console.error(`check-references: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`check-references: ${dirs.length} packages, references match dependencies`);
