// ConvNetJS (npm `convnetjs`, loaded from lib/convnet-min.js as the global `convnetjs`),
// training each workload with its own layers and its SGD trainer (momentum 0, no decay).
import { harness, stepRows } from './common.js';

/** The network of a workload, its weight layers in draw order. */
function network(spec) {
  const c = window.convnetjs;
  const net = new c.Net();
  if (spec.model === 'conv') {
    net.makeLayers([
      { type: 'input', out_sx: 8, out_sy: 8, out_depth: 1 },
      { type: 'conv', sx: 3, filters: 8, stride: 1, pad: 1, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
      { type: 'softmax', num_classes: 10 },
    ]);
    return net;
  }
  const w = spec.widths;
  const defs = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: w[0] }];
  for (let l = 1; l + 1 < w.length; l += 1) {
    defs.push({ type: 'fc', num_neurons: w[l], activation: spec.hidden });
  }
  const out = w[w.length - 1];
  if (spec.loss === 'half_mse') {
    // ConvNetJS puts a linear fc layer before a regression layer; W1's output is tanh, so its
    // last fc carries the tanh and the extra linear layer is taken out again.
    defs.push({ type: 'fc', num_neurons: out, activation: spec.output });
    defs.push({ type: 'regression', num_neurons: out });
    net.makeLayers(defs);
    net.layers.splice(net.layers.length - 2, 1);
  } else {
    defs.push({ type: 'softmax', num_classes: out });
    net.makeLayers(defs);
  }
  return net;
}

/** Writes the workload's parameters (TensorFlow layout) into ConvNetJS's filters. */
function setParameters(net, params) {
  const layers = net.layers.filter((l) => l.layer_type === 'fc' || l.layer_type === 'conv');
  layers.forEach((layer, i) => {
    const [w, b] = [params[2 * i], params[2 * i + 1]];
    if (layer.layer_type === 'conv') {
      // Kernel [kh][kw][c_in][c_out]; a ConvNetJS filter is a Vol(sx, sy, depth) indexed
      // ((sx·y) + x)·depth + d, with y the row.
      const [kh, kw, cin, cout] = w.shape;
      for (let u = 0; u < kh; u += 1) {
        for (let v = 0; v < kw; v += 1) {
          for (let ci = 0; ci < cin; ci += 1) {
            for (let o = 0; o < cout; o += 1) {
              layer.filters[o].w[(kw * u + v) * cin + ci] = w.values[((u * kw + v) * cin + ci) * cout + o];
            }
          }
        }
      }
    } else {
      // Kernel [fan_in][fan_out]; ConvNetJS keeps one filter per output, over its (HWC) inputs.
      const [fanIn, fanOut] = w.shape;
      for (let i2 = 0; i2 < fanIn; i2 += 1) {
        for (let o = 0; o < fanOut; o += 1) layer.filters[o].w[i2] = w.values[i2 * fanOut + o];
      }
    }
    for (let o = 0; o < b.values.length; o += 1) layer.biases.w[o] = b.values[o];
  });
}

harness('convnetjs', async () => {
  if (!window.convnetjs) throw new Error('convnetjs did not load');
}, (spec, data, params) => {
  const c = window.convnetjs;
  const net = network(spec);
  setParameters(net, params);
  const trainer = new c.Trainer(net, {
    method: 'sgd', learning_rate: spec.lr, momentum: 0, batch_size: spec.batch, l1_decay: 0, l2_decay: 0,
  });
  const image = spec.model === 'conv';
  const vols = [];
  for (let r = 0; r < data.n; r += 1) {
    const v = image ? new c.Vol(8, 8, 1, 0) : new c.Vol(1, 1, data.d, 0);
    for (let j = 0; j < data.d; j += 1) v.w[j] = data.x[r * data.d + j];
    vols.push(v);
  }
  const regression = spec.loss === 'half_mse';
  const ys = [];
  for (let r = 0; r < data.n; r += 1) ys.push(regression ? [data.targets[r]] : data.labels[r]);
  return {
    train() {
      for (let s = 0; s < spec.steps; s += 1) {
        for (const r of stepRows(s, spec.batch, data.n)) trainer.train(vols[r], ys[r]);
      }
    },
    finalLoss() {
      let total = 0;
      for (let r = 0; r < data.n; r += 1) {
        const out = net.forward(vols[r], false).w;
        total += regression ? 0.5 * (out[0] - data.targets[r]) ** 2 : -Math.log(out[data.labels[r]]);
      }
      return total / data.n;
    },
  };
});
