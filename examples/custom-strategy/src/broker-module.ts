import { errno, type Module, type ModuleImage, Mutex } from '@coupling-lab/lab';

/** A service found in the broker: the published object, with its owner pinned until `broker_put`. */
export interface ServiceRef<T> {
  readonly name: string;
  readonly service: T;
  readonly owner: Module;
}

/** 0, or -EEXIST when the name is taken. */
export type BrokerPublish = (name: string, service: object, owner: Module) => number;
export type BrokerUnpublish = (name: string, owner: Module) => void;
/** The service published under `name` with its owner pinned, or null (none, or its owner is going away). */
export type BrokerGet = <T>(name: string) => ServiceRef<T> | null;
export type BrokerPut = (ref: ServiceRef<unknown>) => void;

export interface BrokerOptions {
  /**
   * Take the owner's reference under the broker lock, which unpublish also takes, so a lookup and
   * the owner's exit (its unpublish) cannot interleave. False opens the window a test convicts.
   */
  readonly pinUnderLock: boolean;
}

/**
 * `coupling_broker`: the whiteboard both sides know. Publishers register a service object under a
 * name in `init` and withdraw it in `exit`; users look it up per use, which pins the publisher
 * module until they put it back. Neither side names the other's symbols.
 */
export function brokerImage(options: BrokerOptions): ModuleImage {
  return {
    name: 'coupling_broker',
    description:
      'a service registry: modules publish objects by name, others look them up and pin the publisher',
    imports: [],
    exports: {
      broker_publish: { gpl: true },
      broker_unpublish: { gpl: true },
      broker_get: { gpl: true },
      broker_put: { gpl: true },
    },
    load({ kernel }) {
      const services = new Map<string, { service: object; owner: Module }>();
      const lock = new Mutex(kernel, 'coupling_broker.lock', 'coupling_broker');
      const pin = <T>(
        name: string,
        entry: { service: object; owner: Module } | undefined,
      ): ServiceRef<T> | null =>
        entry !== undefined && kernel.tryModuleGet(entry.owner)
          ? { name, service: entry.service as T, owner: entry.owner }
          : null;

      const publish: BrokerPublish = (name, service, owner) =>
        lock.with(() => {
          if (services.has(name)) return -errno.EEXIST;
          services.set(name, { service, owner });
          return 0;
        });
      const unpublish: BrokerUnpublish = (name, owner) =>
        lock.with(() => {
          if (services.get(name)?.owner === owner) services.delete(name);
        });
      const get: BrokerGet = <T>(name: string) => {
        if (options.pinUnderLock) return lock.with(() => pin<T>(name, services.get(name)));
        return pin<T>(
          name,
          lock.with(() => services.get(name)),
        );
      };
      const put: BrokerPut = (ref) => kernel.modulePut(ref.owner);
      return {
        symbols: { broker_publish: publish, broker_unpublish: unpublish, broker_get: get, broker_put: put },
      };
    },
  };
}
