export { SymbolGetFileStrategy, SymbolGetFileV519RaceStrategy } from './symbol-get-file-strategy.js';
export {
  SymbolGetFileKvmModuleRefStrategy,
  SymbolGetFilePutHelpersStrategy,
  SymbolGetFileV61Strategy,
  SymbolGetFileV62Strategy,
  SymbolGetFileV62VfioApStrategy,
  SymbolGetFileVfioApStrategy,
} from './history-variants.js';
