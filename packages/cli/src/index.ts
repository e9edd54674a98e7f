export { main, type Io } from './program.js';
export { Progress } from './progress.js';
export { loadPlugins, type LoadedPlugin } from './plugins.js';
export * from './report/index.js';
