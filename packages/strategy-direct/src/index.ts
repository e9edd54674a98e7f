export { DirectStrategy } from './direct-strategy.js';
