import {
  type CouplingEdge,
  type CouplingStrategy,
  couplingStrategy,
  fileExports,
  kvmVfioOps,
  type Machine,
  type ModuleImage,
  standardModules,
} from '@coupling-lab/lab';
import { brokerImage } from './broker-module.js';
import { brokerPort } from './broker-port.js';
import { vfioServiceImage } from './vfio-service-module.js';

/**
 * The whiteboard (OSGi's service registry) as a sixth coupling: kvm and vfio_service both import a
 * tiny coupling_broker and never each other. vfio_service publishes VFIO's file functions under
 * 'vfio-file'; kvm looks the service up per GROUP_ADD and pins the publisher until it lets go.
 */
@couplingStrategy()
export class BrokerStrategy implements CouplingStrategy {
  readonly name: string = 'broker';
  readonly summary: string =
    "a whiteboard: vfio_service publishes VFIO's file functions in coupling_broker, kvm looks them up per GROUP_ADD";
  readonly runtimeEdges: readonly CouplingEdge[] = [
    { from: 'vfio_service', to: 'coupling_broker', kind: 'registers' },
  ];
  /** Whether the broker pins the publisher under its lock (test/races.test.ts shows what false costs). */
  protected readonly pinUnderLock: boolean = true;

  modules(machine: Machine): ModuleImage[] {
    return [
      brokerImage({ pinUnderLock: this.pinUnderLock }),
      ...standardModules(machine, {
        vfioExports: [fileExports],
        kvm: {
          imports: ['broker_get', 'broker_put'],
          builtinVfioDevice: (context) => kvmVfioOps(context.kernel, brokerPort(context)),
        },
        extra: [vfioServiceImage()],
      }),
    ];
  }
}
