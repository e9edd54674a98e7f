export { main, type Io } from './program.js';
export { Progress } from './progress.js';
export { loadPlugins, type LoadedPlugin } from './plugins.js';
export { differences, matrixQuestions } from './differences.js';
export { processInterrupts, type Interrupts } from './interrupts.js';
export { terminalWidth } from './terminal-width.js';
export * from './report/index.js';
