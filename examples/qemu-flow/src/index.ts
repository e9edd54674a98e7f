export { formatTrace, qemuFlow, type TraceLine } from './qemu-flow.js';
