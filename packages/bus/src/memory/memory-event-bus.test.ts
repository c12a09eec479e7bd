import { describeEventBusContract } from '../event-bus.contract.ts';
import { MemoryEventBus } from './memory-event-bus.ts';

describeEventBusContract('memory', async (options) => new MemoryEventBus(options));
