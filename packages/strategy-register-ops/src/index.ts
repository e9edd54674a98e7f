export {
  RegisterOpsNoOwnerStrategy,
  RegisterOpsStrategy,
  RegisterOpsUnlockedStrategy,
} from './register-ops-strategy.js';
export { kvmVfioImage } from './kvm-vfio-module.js';
