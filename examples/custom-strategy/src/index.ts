// Importing this module registers the 'broker' strategy (the decorator runs at class definition),
// which is all `coupling-lab --plugin ./examples/custom-strategy` needs.
export { BrokerStrategy } from './broker-strategy.js';
export {
  brokerImage,
  type BrokerGet,
  type BrokerOptions,
  type BrokerPublish,
  type BrokerPut,
  type BrokerUnpublish,
  type ServiceRef,
} from './broker-module.js';
export { brokerPort, type BrokerHandle } from './broker-port.js';
export { VFIO_FILE_SERVICE, vfioServiceImage } from './vfio-service-module.js';
export { callsTo } from './calls-to.js';
export { brokerTour, formatTour, type TourLine } from './tour.js';
