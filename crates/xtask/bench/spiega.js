// spiega's engine compiled to WebAssembly: the workload is the engine's own, built in Rust.
import init, { BenchWorkload } from './pkg/spiega_bench.js';
import { harness } from './common.js';

harness('spiega', () => init(), (spec) => {
  const workload = new BenchWorkload(spec.id);
  return {
    train: () => workload.train(),
    finalLoss: () => workload.final_loss(),
    dispose: () => workload.free(),
  };
});
