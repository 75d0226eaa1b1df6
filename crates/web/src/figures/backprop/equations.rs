//! The step-through's words and equations: for each step a title, a sentence and the equations,
//! typeset as MathML from the engine's [`Pass`], every number tagged with its place in the
//! figure's state; and the small formatters the gradient check's table shares.

use super::Step;
use crate::error::Result;
use crate::figures::mathml::{MathBuilder, Num, matrix, vector};
use spiega_lessons::backprop::Pass;
use spiega_nn::Loss;
use web_sys::Element;

/// An activation's name as prose writes it.
fn pretty(name: &str) -> &str {
    match name {
        "relu" => "ReLU",
        "leaky_relu" => "leaky ReLU",
        "prelu" => "PReLU",
        other => other,
    }
}

/// A layer number as superscript digits in parentheses: ⁽²⁾.
pub(super) fn superscript(n: usize) -> String {
    let digits: String = n
        .to_string()
        .chars()
        .map(|c| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect();
    format!("⁽{digits}⁾")
}

/// A number in scientific notation with two significant decimals and a true minus: 3.20e−5.
pub(super) fn sci(v: f32) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    format!("{v:.2e}").replace('-', "−")
}

/// The pieces of one displayed equation: each piece is one inline `<math>`, so long equations
/// wrap between pieces on a narrow screen.
pub(super) type Equation = Vec<Vec<Element>>;

/// The step's title, its explanation and its equations.
pub(super) fn describe(
    m: &MathBuilder,
    pass: &Pass,
    step: Step,
    loss: Loss,
) -> Result<(String, String, Vec<Equation>)> {
    let top = pass.layers.len();
    // a⁽ˡ⁾ for l ≥ 1, x for the input.
    let a_sym = |l: usize, transposed: bool| -> Result<Element> {
        if l == 0 {
            if transposed {
                m.sup(m.mi("x")?, m.mi("T")?)
            } else {
                m.mi("x")
            }
        } else {
            m.layered("a", l, transposed)
        }
    };
    let eq = |parts: Vec<Vec<Element>>| -> Equation { parts };
    Ok(match step {
        Step::Forward(l) => {
            let lp = &pass.layers[l];
            let n = l + 1;
            let key = format!("layers.{l}");
            let mut eqs = vec![eq(vec![
                vec![
                    m.layered("z", n, false)?,
                    m.mo("=")?,
                    m.layered("W", n, false)?,
                    a_sym(l, false)?,
                    m.mo("+")?,
                    m.layered("b", n, false)?,
                ],
                vec![
                    m.mo("=")?,
                    m.bracketed(&matrix(&lp.weights, &format!("{key}.W")))?,
                    m.column(&vector(&lp.input, &format!("{key}.input")))?,
                    m.mo("+")?,
                    m.column(&vector(&lp.biases, &format!("{key}.b")))?,
                ],
                vec![
                    m.mo("=")?,
                    m.column(&vector(&lp.pre_activation, &format!("{key}.z")))?,
                ],
            ])];
            let last = n == top;
            if !last {
                eqs.push(eq(vec![
                    vec![
                        m.layered("a", n, false)?,
                        m.mo("=")?,
                        m.mi(lp.activation)?,
                        m.mo("(")?,
                        m.layered("z", n, false)?,
                        m.mo(")")?,
                    ],
                    vec![
                        m.mo("=")?,
                        m.column(&vector(&lp.output, &format!("{key}.a")))?,
                    ],
                ]));
            } else {
                let (name, link) = match loss {
                    Loss::SoftmaxCrossEntropy => ("p", Some("softmax")),
                    Loss::BinaryCrossEntropy => ("p", Some("σ")),
                    _ => ("ŷ", None),
                };
                let mut lhs = vec![m.mi(name)?, m.mo("=")?];
                if let Some(link) = link {
                    lhs.extend([
                        m.mi(link)?,
                        m.mo("(")?,
                        m.layered("z", n, false)?,
                        m.mo(")")?,
                    ]);
                } else {
                    lhs.push(m.layered("z", n, false)?);
                }
                eqs.push(eq(vec![
                    lhs,
                    vec![
                        m.mo("=")?,
                        m.column(&vector(&pass.prediction, "prediction"))?,
                    ],
                ]));
            }
            let text = if last {
                match loss {
                    Loss::SoftmaxCrossEntropy => format!(
                        "The output layer adds up its weighted inputs too, but its {} numbers are \
                         scores (logits); softmax turns them into probabilities that add up to 1.",
                        lp.biases.len()
                    ),
                    Loss::BinaryCrossEntropy => "The output layer's single score becomes a \
                        probability of class 1 through the sigmoid σ."
                        .to_owned(),
                    _ => "The output layer is linear: its sums are the prediction ŷ.".to_owned(),
                }
            } else {
                format!(
                    "Forward through layer {n}: each neuron multiplies its inputs by its weights (a \
                     row of W), adds its bias, and passes the sum z through {}.",
                    pretty(lp.activation)
                )
            };
            (format!("forward, layer {n}"), text, eqs)
        }
        Step::Loss => {
            let class = pass
                .target
                .iter()
                .position(|&t| t == 1.0)
                .unwrap_or_default();
            let l_num = Num::new(pass.loss, "loss");
            let eqs = match loss {
                Loss::SoftmaxCrossEntropy => vec![eq(vec![
                    vec![
                        m.mi("L")?,
                        m.mo("=")?,
                        m.mo("−")?,
                        m.sub(m.mo("∑")?, m.mi("k")?)?,
                        m.sub(m.mi("t")?, m.mi("k")?)?,
                        m.mi("log")?,
                        m.sub(m.mi("p")?, m.mi("k")?)?,
                    ],
                    vec![
                        m.mo("=")?,
                        m.mo("−")?,
                        m.mi("log")?,
                        m.mn(&Num::new(
                            pass.prediction[class],
                            format!("prediction.{class}"),
                        ))?,
                    ],
                    vec![m.mo("=")?, m.mn(&l_num)?],
                ])],
                Loss::BinaryCrossEntropy => vec![eq(vec![
                    vec![
                        m.mi("L")?,
                        m.mo("=")?,
                        m.mo("−")?,
                        m.mi("t")?,
                        m.mi("log")?,
                        m.mi("p")?,
                        m.mo("−")?,
                        m.mo("(")?,
                        m.constant("1")?,
                        m.mo("−")?,
                        m.mi("t")?,
                        m.mo(")")?,
                        m.mi("log")?,
                        m.mo("(")?,
                        m.constant("1")?,
                        m.mo("−")?,
                        m.mi("p")?,
                        m.mo(")")?,
                    ],
                    vec![
                        m.mtext_pair("t", &Num::new(pass.target[0], "target.0"))?,
                        m.mtext_pair("p", &Num::new(pass.prediction[0], "prediction.0"))?,
                    ],
                    vec![m.mo("=")?, m.mn(&l_num)?],
                ])],
                _ => {
                    let k = pass.prediction.len();
                    vec![eq(vec![
                        vec![
                            m.mi("L")?,
                            m.mo("=")?,
                            m.frac(m.constant("1")?, m.constant(&k.to_string())?)?,
                            m.sub(m.mo("∑")?, m.mi("k")?)?,
                            m.sup(
                                m.row(&[
                                    m.mo("(")?,
                                    m.sub(m.mi("ŷ")?, m.mi("k")?)?,
                                    m.mo("−")?,
                                    m.sub(m.mi("t")?, m.mi("k")?)?,
                                    m.mo(")")?,
                                ])?,
                                m.constant("2")?,
                            )?,
                        ],
                        vec![
                            m.mo("=")?,
                            m.frac(m.constant("1")?, m.constant(&k.to_string())?)?,
                            m.mo("‖")?,
                            m.column(&vector(&pass.prediction, "prediction"))?,
                            m.mo("−")?,
                            m.column(&vector(&pass.target, "target"))?,
                            m.sup(m.mo("‖")?, m.constant("2")?)?,
                        ],
                        vec![m.mo("=")?, m.mn(&l_num)?],
                    ])]
                }
            };
            let text = match loss {
                Loss::SoftmaxCrossEntropy => format!(
                    "The loss compares the prediction with the target, class {class}. \
                     Cross-entropy is −log of the probability given to the right class: near 0 when \
                     the network is confident and right, large when it is confident and wrong."
                ),
                Loss::BinaryCrossEntropy => "Binary cross-entropy is −log of the probability \
                    given to the true label."
                    .to_owned(),
                _ => "The squared error averages the squared gaps between prediction and target."
                    .to_owned(),
            };
            ("loss".to_owned(), text, eqs)
        }
        Step::Backward(l) => {
            let lp = &pass.layers[l];
            let n = l + 1;
            let key = format!("layers.{l}");
            let delta_sym = |layer: usize| m.layered("δ", layer, false);
            let mut eqs = Vec::new();
            let text = if n == top {
                let dz = m.partial(m.layered("z", n, false)?)?;
                let (pred, rhs_sym): (&str, Vec<Element>) = match loss {
                    Loss::SoftmaxCrossEntropy | Loss::BinaryCrossEntropy => {
                        ("p", vec![m.mi("p")?, m.mo("−")?, m.mi("t")?])
                    }
                    _ => {
                        let k = pass.prediction.len();
                        (
                            "ŷ",
                            vec![
                                m.frac(m.constant("2")?, m.constant(&k.to_string())?)?,
                                m.mo("(")?,
                                m.mi("ŷ")?,
                                m.mo("−")?,
                                m.mi("t")?,
                                m.mo(")")?,
                            ],
                        )
                    }
                };
                let mut first = vec![delta_sym(n)?, m.mo("=")?, dz, m.mo("=")?];
                first.extend(rhs_sym);
                let mut numbers = vec![m.mo("=")?];
                if matches!(loss, Loss::MeanSquaredError) {
                    let k = pass.prediction.len();
                    numbers.push(m.frac(m.constant("2")?, m.constant(&k.to_string())?)?);
                }
                numbers.extend([
                    m.column(&vector(&pass.prediction, "prediction"))?,
                    m.mo("−")?,
                    m.column(&vector(&pass.target, "target"))?,
                ]);
                eqs.push(eq(vec![
                    first,
                    numbers,
                    vec![
                        m.mo("=")?,
                        m.column(&vector(&lp.delta, &format!("{key}.delta")))?,
                    ],
                ]));
                format!(
                    "Backward starts at the output. With {} the error signal of the output sums, \
                     δ = ∂L/∂z, is simply {pred} − t{}: how far each output is from its target.",
                    match loss {
                        Loss::SoftmaxCrossEntropy => "softmax and cross-entropy together",
                        Loss::BinaryCrossEntropy => "the sigmoid and binary cross-entropy together",
                        _ => "the squared error",
                    },
                    if matches!(loss, Loss::MeanSquaredError) {
                        ", scaled by 2/K"
                    } else {
                        ""
                    }
                )
            } else {
                let above = &pass.layers[l + 1];
                let akey = format!("layers.{}", l + 1);
                // Wᵀ: the weights of the layer above, transposed on screen, keys unchanged.
                let wt: Vec<Vec<Num>> = (0..lp.biases.len())
                    .map(|c| {
                        above
                            .weights
                            .iter()
                            .enumerate()
                            .map(|(r, row)| Num::new(row[c], format!("{akey}.W.{r}.{c}")))
                            .collect()
                    })
                    .collect();
                eqs.push(eq(vec![
                    vec![m.layered("W", n + 1, true)?, delta_sym(n + 1)?],
                    vec![
                        m.mo("=")?,
                        m.bracketed(&wt)?,
                        m.column(&vector(&above.delta, &format!("{akey}.delta")))?,
                    ],
                    vec![
                        m.mo("=")?,
                        m.column(&vector(&lp.grad_output, &format!("{key}.grad_a")))?,
                    ],
                ]));
                eqs.push(eq(vec![
                    vec![
                        delta_sym(n)?,
                        m.mo("=")?,
                        m.mo("(")?,
                        m.layered("W", n + 1, true)?,
                        delta_sym(n + 1)?,
                        m.mo(")")?,
                        m.mo("⊙")?,
                        m.mi(&format!("{}′", lp.activation))?,
                        m.mo("(")?,
                        m.layered("z", n, false)?,
                        m.mo(")")?,
                    ],
                    vec![
                        m.mo("=")?,
                        m.column(&vector(&lp.grad_output, &format!("{key}.grad_a")))?,
                        m.mo("⊙")?,
                        m.column(&vector(&lp.derivative, &format!("{key}.gprime")))?,
                    ],
                    vec![
                        m.mo("=")?,
                        m.column(&vector(&lp.delta, &format!("{key}.delta")))?,
                    ],
                ]));
                format!(
                    "The hand-off to layer {n}: the error of layer {} travels back along the same \
                     weights (Wᵀδ), and each neuron scales it by the slope of its own activation at \
                     its sum, g′(z). A neuron on a flat part of {} passes back almost nothing.",
                    n + 1,
                    pretty(lp.activation)
                )
            };
            eqs.push(eq(vec![
                vec![
                    m.partial(m.layered("W", n, false)?)?,
                    m.mo("=")?,
                    delta_sym(n)?,
                    a_sym(l, true)?,
                ],
                vec![
                    m.mo("=")?,
                    m.column(&vector(&lp.delta, &format!("{key}.delta")))?,
                    m.row_vector(&vector(&lp.input, &format!("{key}.input")))?,
                ],
                vec![
                    m.mo("=")?,
                    m.bracketed(&matrix(&lp.grad_weights, &format!("{key}.dW")))?,
                ],
            ]));
            eqs.push(eq(vec![
                vec![
                    m.partial(m.layered("b", n, false)?)?,
                    m.mo("=")?,
                    delta_sym(n)?,
                ],
                vec![
                    m.mo("=")?,
                    m.column(&vector(&lp.grad_biases, &format!("{key}.db")))?,
                ],
            ]));
            (
                format!("backward, layer {n}"),
                format!(
                    "{text} Each weight's gradient is its neuron's δ times the input it \
                     multiplies; each bias's gradient is the δ itself."
                ),
                eqs,
            )
        }
        Step::Update => {
            let eta = Num::new(pass.learning_rate, "lr");
            let mut eqs = Vec::new();
            for (l, lp) in pass.layers.iter().enumerate() {
                let n = l + 1;
                let key = format!("layers.{l}");
                for (sym, now, grad, new) in [
                    (
                        "W",
                        matrix(&lp.weights, &format!("{key}.W")),
                        matrix(&lp.grad_weights, &format!("{key}.dW")),
                        matrix(&lp.new_weights, &format!("{key}.newW")),
                    ),
                    (
                        "b",
                        column_rows(&vector(&lp.biases, &format!("{key}.b"))),
                        column_rows(&vector(&lp.grad_biases, &format!("{key}.db"))),
                        column_rows(&vector(&lp.new_biases, &format!("{key}.newb"))),
                    ),
                ] {
                    eqs.push(eq(vec![
                        vec![
                            m.layered(sym, n, false)?,
                            m.mo("←")?,
                            m.layered(sym, n, false)?,
                            m.mo("−")?,
                            m.mi("η")?,
                            m.partial(m.layered(sym, n, false)?)?,
                        ],
                        vec![
                            m.mo("=")?,
                            m.bracketed(&now)?,
                            m.mo("−")?,
                            m.mn(&eta)?,
                            m.bracketed(&grad)?,
                        ],
                        vec![m.mo("=")?, m.bracketed(&new)?],
                    ]));
                }
            }
            (
                "update".to_owned(),
                "Every weight and bias takes one step against its gradient, scaled by the learning \
                 rate η. \"Take the step\" applies it and starts the next pass from the new \
                 weights, so the loss on this example should come out lower."
                    .to_owned(),
                eqs,
            )
        }
    })
}

/// A vector as the rows of a one-column matrix.
fn column_rows(values: &[Num]) -> Vec<Vec<Num>> {
    values.iter().map(|n| vec![n.clone()]).collect()
}

impl MathBuilder {
    /// `name = number` as one small group, for a scalar given beside a formula.
    fn mtext_pair(&self, name: &str, n: &Num) -> Result<Element> {
        self.row(&[self.mi(name)?, self.mo("=")?, self.mn(n)?, self.mo(",")?])
    }
}
