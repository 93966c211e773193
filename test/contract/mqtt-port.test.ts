import { makeBroker } from '../integration/broker/broker-fixture.js';
import { InMemoryMqtt } from '../helpers/in-memory-mqtt.js';
import { useTeardown } from '../helpers/teardown.js';
import { mqttPortContract } from './mqtt-port.contract.js';

const teardown = useTeardown();

mqttPortContract('MqttBroker (real Aedes)', async () => {
  const broker = makeBroker(teardown);
  await broker.start();
  return { port: broker, start: () => broker.start(), stop: () => broker.stop() };
});
mqttPortContract('InMemoryMqtt (test helper)', async () => {
  const port = new InMemoryMqtt();
  return { port, start: () => port.start(), stop: () => port.stop() };
});
