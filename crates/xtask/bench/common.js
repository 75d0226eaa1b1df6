// Shared by every contender's page: the seeded generator, the initial parameters in the
// workloads' draw order, the data, and the timing protocol the benchmark driver calls.
//
// The driver calls `window.bench.run(workload)`. A contender's `prepare(workload)` builds the
// model and copies the data (not timed) and returns `{ train, finalLoss, dispose }`; only
// `train()`, every training step of the workload, is timed.

/** Each workload's data and network; its numbers (batch, lr, steps, seed) come from data.json. */
const MODELS = {
  W1: { data: 'spiral', model: 'mlp', widths: [2, 8, 8, 8, 1], hidden: 'tanh', output: 'tanh', init: 'playground', loss: 'half_mse' },
  W2: { data: 'spiral', model: 'mlp', widths: [2, 64, 64, 2], hidden: 'relu', output: 'linear', init: 'glorot', loss: 'softmax_ce', classes: 2 },
  W3: { data: 'digits', model: 'mlp', widths: [64, 128, 10], hidden: 'relu', output: 'linear', init: 'glorot', loss: 'softmax_ce', classes: 10 },
  W3c: { data: 'digits', model: 'conv', init: 'glorot', loss: 'softmax_ce', classes: 10 },
};

/** mulberry32, exactly as the workloads define it: a function returning numbers in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One weight of a layer with `fanIn` inputs and `fanOut` outputs, rounded to float32. */
function draw(rand, init, fanIn, fanOut) {
  const u = rand();
  if (init === 'playground') return Math.fround(u - 0.5);
  return Math.fround((2 * u - 1) * Math.sqrt(6 / (fanIn + fanOut)));
}

/**
 * The initial parameters of a workload, in its draw order: a list of `{ name, shape, values }`
 * with every kernel row-major in TensorFlow's layout (dense `[fan_in][fan_out]`, conv
 * `[kh][kw][c_in][c_out]`) and the dense kernel after the conv reading the pooled maps in HWC
 * order.
 */
export function initialParameters(spec) {
  const rand = mulberry32(spec.init_seed);
  const params = [];
  if (spec.model === 'conv') {
    const [k, cin, cout] = [3, 1, 8];
    const kernel = new Float32Array(k * k * cin * cout);
    for (let i = 0; i < kernel.length; i += 1) {
      kernel[i] = draw(rand, 'glorot', k * k * cin, k * k * cout);
    }
    params.push({ name: 'conv.W', shape: [k, k, cin, cout], values: kernel });
    params.push({ name: 'conv.b', shape: [cout], values: new Float32Array(cout) });
    const dense = new Float32Array(128 * 10);
    for (let i = 0; i < dense.length; i += 1) dense[i] = draw(rand, 'glorot', 128, 10);
    params.push({ name: 'dense.W', shape: [128, 10], values: dense });
    params.push({ name: 'dense.b', shape: [10], values: new Float32Array(10) });
    return params;
  }
  const widths = spec.widths;
  for (let l = 0; l + 1 < widths.length; l += 1) {
    const [fanIn, fanOut] = [widths[l], widths[l + 1]];
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i += 1) w[i] = draw(rand, spec.init, fanIn, fanOut);
    const b = new Float32Array(fanOut).fill(spec.init === 'playground' ? 0.1 : 0);
    params.push({ name: `dense${l}.W`, shape: [fanIn, fanOut], values: w });
    params.push({ name: `dense${l}.b`, shape: [fanOut], values: b });
  }
  return params;
}

/** The rows of step `s`: `(s·B + k) mod n`. */
export function stepRows(s, batch, n) {
  const rows = new Array(batch);
  for (let k = 0; k < batch; k += 1) rows[k] = (s * batch + k) % n;
  return rows;
}

/**
 * The workload's training set from `data.json`: `x` (n × d, row-major), `targets` (n × k,
 * row-major: ±1 for W1, one-hot otherwise) and integer `labels` (classes; for W1 the arm).
 */
export function workloadData(all, spec) {
  const set = all.sets[spec.data];
  const n = set.labels.length;
  const x = Float32Array.from(set.x);
  const d = x.length / n;
  let k;
  let targets;
  if (spec.loss === 'half_mse') {
    k = 1;
    targets = Float32Array.from(set.labels, (l) => (l === 1 ? 1 : -1));
  } else {
    k = spec.classes;
    targets = new Float32Array(n * k);
    set.labels.forEach((l, r) => { targets[r * k + l] = 1; });
  }
  return { n, d, k, x, targets, labels: Int32Array.from(set.labels) };
}

/**
 * Installs `window.bench` for contender `name` once `setup()` (which loads the library) has
 * finished; marks the page ready (or failed, with the message) on `<html data-bench>`.
 */
export async function harness(name, setup, prepare) {
  try {
    const response = await fetch('data.json');
    const all = await response.json();
    await setup();
    window.bench = {
      contender: name,
      async run(workload) {
        if (!MODELS[workload] || !all.workloads[workload]) {
          throw new Error(`unknown workload ${workload}`);
        }
        const spec = { id: workload, ...MODELS[workload], ...all.workloads[workload] };
        const data = workloadData(all, spec);
        const job = await prepare(spec, data, initialParameters(spec));
        const start = performance.now();
        job.train();
        const seconds = (performance.now() - start) / 1000;
        const finalLoss = job.finalLoss();
        if (job.dispose) job.dispose();
        return { seconds, final_loss: finalLoss, samples: spec.steps * spec.batch };
      },
    };
    document.documentElement.dataset.bench = 'ready';
  } catch (e) {
    document.documentElement.dataset.bench = `failed: ${e && e.stack ? e.stack : e}`;
  }
}
