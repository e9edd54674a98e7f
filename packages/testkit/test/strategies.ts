// Importing the strategy packages registers them (and their race-catalogue variants) by name.
import '@coupling-lab/strategy-direct';
import '@coupling-lab/strategy-get-ops';
import '@coupling-lab/strategy-register-ops';
import '@coupling-lab/strategy-symbol-get';
import '@coupling-lab/strategy-symbol-get-file';

/** The five real strategies of SPEC 7, by registered name. */
export const realStrategies = ['symbol-get', 'symbol-get-file', 'get-ops', 'register-ops', 'direct'] as const;

/** The race-catalogue variants of SPEC 7. */
export const variantStrategies = [
  'symbol-get/v5.17-race',
  'symbol-get-file/v5.19-race',
  'get-ops/no-file-ref',
  'register-ops/no-owner',
  'register-ops/unlocked',
] as const;

/** The coupling's history as variants (explorer's history): shapes that shipped or were posted, and their fixes. */
export const historyVariants = [
  'get-ops/v1-posted',
  'symbol-get-file/v6.1',
  'symbol-get-file/v6.2',
  'symbol-get-file/vfio-ap',
  'symbol-get-file/v6.2-vfio-ap',
  'symbol-get-file/put-helpers',
  'symbol-get-file/kvm-module-ref',
] as const;
