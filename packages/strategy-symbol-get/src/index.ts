export { SymbolGetStrategy, SymbolGetV517RaceStrategy } from './symbol-get-strategy.js';
