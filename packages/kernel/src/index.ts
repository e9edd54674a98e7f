export { errno, errnoName, type ErrnoName } from './errno.js';
