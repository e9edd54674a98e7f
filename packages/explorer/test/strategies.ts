// Importing the strategy packages registers them and their race-catalogue variants by name.
import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import '@coupling-lab/strategy-register-ops';
import '@coupling-lab/strategy-symbol-get';
import '@coupling-lab/strategy-symbol-get-file';

export const realStrategies = ['direct', 'symbol-get', 'symbol-get-file', 'get-ops', 'register-ops'] as const;

export const variants = [
  'symbol-get/v5.17-race',
  'symbol-get-file/v5.19-race',
  'get-ops/no-file-ref',
  'register-ops/no-owner',
  'register-ops/unlocked',
] as const;
