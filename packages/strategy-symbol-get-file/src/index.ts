export { SymbolGetFileStrategy, SymbolGetFileV519RaceStrategy } from './symbol-get-file-strategy.js';
