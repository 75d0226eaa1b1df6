// TensorFlow.js (npm `@tensorflow/tfjs`, global `tf`) on the backend named by `?backend=`:
// `cpu`, or `wasm` from `@tensorflow/tfjs-backend-wasm` (its files in lib/). Each workload is
// written with tf ops on variables and trained by `tf.train.sgd` through `optimizer.minimize`.
import { harness, stepRows } from './common.js';

const backend = new URLSearchParams(window.location.search).get('backend') || 'cpu';

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(s);
  });
}

/** The batch of each step, as tensors made before the clock starts. */
function batches(tf, spec, data) {
  const xs = [];
  const ys = [];
  for (let s = 0; s < spec.steps; s += 1) {
    const rows = stepRows(s, spec.batch, data.n);
    const x = new Float32Array(spec.batch * data.d);
    const y = new Float32Array(spec.batch * data.k);
    rows.forEach((r, i) => {
      x.set(data.x.subarray(r * data.d, (r + 1) * data.d), i * data.d);
      y.set(data.targets.subarray(r * data.k, (r + 1) * data.k), i * data.k);
    });
    xs.push(tf.tensor(x, inputShape(spec, spec.batch, data.d)));
    ys.push(tf.tensor2d(y, [spec.batch, data.k]));
  }
  return { xs, ys };
}

function inputShape(spec, rows, d) {
  return spec.model === 'conv' ? [rows, 8, 8, 1] : [rows, d];
}

function activate(tf, name, z) {
  if (name === 'tanh') return tf.tanh(z);
  if (name === 'relu') return tf.relu(z);
  return z;
}

harness(`tfjs-${backend}`, async () => {
  const { tf } = window;
  if (!tf) throw new Error('tf did not load');
  if (backend === 'wasm') {
    await loadScript('lib/tf-backend-wasm.min.js');
    tf.wasm.setWasmPaths(new URL('lib/', window.location.href).href);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  await tf.ready();
}, (spec, data, params) => {
  const { tf } = window;
  const vars = params.map((p) => tf.variable(tf.tensor(p.values, p.shape), true, p.name));
  const forward = (x) => {
    if (spec.model === 'conv') {
      const [k, kb, w, b] = vars;
      const maps = tf.relu(tf.add(tf.conv2d(x, k, 1, 'same'), kb));
      const pooled = tf.maxPool(maps, 2, 2, 'valid');
      return tf.add(tf.matMul(tf.reshape(pooled, [-1, 128]), w), b);
    }
    let h = x;
    const layers = vars.length / 2;
    for (let l = 0; l < layers; l += 1) {
      const z = tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]);
      h = activate(tf, l + 1 === layers ? spec.output : spec.hidden, z);
    }
    return h;
  };
  const loss = (out, y) => (spec.loss === 'half_mse'
    ? tf.mean(tf.mul(0.5, tf.sum(tf.squaredDifference(out, y), 1)))
    : tf.losses.softmaxCrossEntropy(y, out));
  const optimizer = tf.train.sgd(spec.lr);
  const { xs, ys } = batches(tf, spec, data);
  const all = {
    x: tf.tensor(data.x, inputShape(spec, data.n, data.d)),
    y: tf.tensor2d(data.targets, [data.n, data.k]),
  };
  return {
    train() {
      for (let s = 0; s < spec.steps; s += 1) {
        optimizer.minimize(() => loss(forward(xs[s]), ys[s]), false, vars);
      }
      // Reading one value back waits for any work a backend has queued.
      vars[vars.length - 1].dataSync();
    },
    finalLoss() {
      const value = tf.tidy(() => loss(forward(all.x), all.y));
      const number = value.dataSync()[0];
      value.dispose();
      return number;
    },
    dispose() {
      tf.dispose([...vars, ...xs, ...ys, all.x, all.y]);
      optimizer.dispose();
    },
  };
});
