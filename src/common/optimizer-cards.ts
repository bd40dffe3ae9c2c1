// What the Train panel says beside each optimizer and regularizer: the update exactly as this engine
// computes it (src/kernels/assembly/optim.ts, src/optim/optimizer.ts, which follow torch.optim), the
// convention where textbooks write it otherwise, what it is for, and where it comes from. Pure data,
// shared with the renderer; tests/common/optimizer-cards.test.ts checks the defaults quoted here
// against the engine's OPTIMIZER_DEFAULTS and that every optimizer has a card.
//
// Notation: theta the weights, g the gradient of the loss (after clipping), eta the learning rate of
// this step (from the schedule), lambda the weight decay, t the update's number counted from 1.

/** What a method mainly improves: how fast and how surely the loss goes down, or how well the model does on audio it never saw. */
export type CardPurpose = 'optimization' | 'generalization';

export interface Card {
  /** The name shown as the card's title. */
  title: string;
  /** The update or the rule, one formula a line, in the order the engine applies them. */
  rule: string[];
  /** Where textbooks or other libraries write it differently, and how this engine's form relates to theirs. */
  convention?: string;
  purpose: CardPurpose;
  /** One line on what it is for. */
  forWhat: string;
  /** The paper (or the reference implementation) it comes from. */
  source: string;
}

/** The optimizer settings a card can quote a default for (the keys of OPTIMIZER_DEFAULTS' entries). */
export type OptimizerSetting = 'momentum' | 'nesterov' | 'weightDecay' | 'beta1' | 'beta2' | 'eps' | 'alpha';

/** How the panel and the cards name each setting: the symbol of the update rules above. */
export const OPTIMIZER_SETTING_LABELS: Readonly<Record<OptimizerSetting, string>> = {
  momentum: 'momentum μ',
  nesterov: 'Nesterov',
  weightDecay: 'weight decay λ',
  beta1: 'β1',
  beta2: 'β2',
  eps: 'ε',
  alpha: 'α',
};

export interface OptimizerCard extends Card {
  /** The settings this optimizer uses, with the value each takes when left out: exactly the fields the panel shows. */
  defaults: Partial<Record<OptimizerSetting, number | boolean>>;
  /** How its weight decay acts: an L2 term added to the gradient, or AdamW's shrink of the weights. */
  weightDecay: 'coupled' | 'decoupled';
}

/** Every optimizer adds lambda theta to the gradient first, except AdamW. */
const COUPLED_L2 = 'g <- g + lambda theta   (weight decay: the gradient of (lambda/2) ||theta||^2)';

export const OPTIMIZER_CARDS: Readonly<Record<string, OptimizerCard>> = {
  sgd: {
    title: 'SGD',
    rule: [COUPLED_L2, 'theta <- theta - eta g'],
    purpose: 'optimization',
    forWhat: 'The baseline: a step down the mini-batch gradient, its size set by the learning rate alone.',
    source: 'Robbins and Monro 1951, "A stochastic approximation method"',
    defaults: { weightDecay: 0 },
    weightDecay: 'coupled',
  },
  momentum: {
    title: 'SGD with momentum',
    rule: [
      COUPLED_L2,
      'b <- g at t = 1, then b <- mu b + g',
      'theta <- theta - eta b',
      'Nesterov: theta <- theta - eta (g + mu b)',
    ],
    convention:
      "PyTorch's form (torch.optim.SGD, dampening 0): the buffer sums gradients, so on a steady gradient its step is 1/(1 - mu) times that of the averaged form b <- mu b + (1 - mu) g (ten times at mu = 0.9): divide the learning rate by 1/(1 - mu) to compare. Sutskever et al. 2013 write v <- mu v - eta g, theta <- theta + v; the same while eta is constant, but here a schedule's new rate applies to the whole buffer at once. Nesterov's look-ahead is PyTorch's rewriting, evaluated at the current weights.",
    purpose: 'optimization',
    forWhat: 'Averages the gradient over about 1/(1 - mu) steps: faster along consistent directions, damped across ravines.',
    source: 'Polyak 1964, "Some methods of speeding up the convergence of iteration methods"; Nesterov 1983; Sutskever et al. 2013, "On the importance of initialization and momentum in deep learning"',
    defaults: { momentum: 0.9, nesterov: false, weightDecay: 0 },
    weightDecay: 'coupled',
  },
  adagrad: {
    title: 'Adagrad',
    rule: [COUPLED_L2, 's <- s + g^2   (s starts at 0; a sum, never forgetting)', 'theta <- theta - eta g / (sqrt(s) + eps)'],
    convention: "PyTorch's defaults: no learning-rate decay, the sum starting at 0, eps added outside the square root (1e-10).",
    purpose: 'optimization',
    forWhat: 'A step per weight, smaller where gradients have been large: rare features keep learning; the steps only ever shrink.',
    source: 'Duchi, Hazan and Singer 2011, "Adaptive subgradient methods for online learning and stochastic optimization"',
    defaults: { eps: 1e-10, weightDecay: 0 },
    weightDecay: 'coupled',
  },
  rmsprop: {
    title: 'RMSProp',
    rule: [
      COUPLED_L2,
      'v <- alpha v + (1 - alpha) g^2   (v starts at 0, no bias correction)',
      'mu = 0: theta <- theta - eta g / (sqrt(v) + eps)',
      'mu > 0: b <- mu b + g / (sqrt(v) + eps);   theta <- theta - eta b',
    ],
    convention:
      "PyTorch's form (not centered). With v starting at zero and no correction, the first steps are large: at t = 1, sqrt(v) = sqrt(1 - alpha) |g|, so the step is eta / sqrt(1 - alpha) per weight (10 eta at alpha = 0.99). Hinton's lecture and Keras put eps inside or around the root differently.",
    purpose: 'optimization',
    forWhat: "Adagrad with a forgetting average: each weight's step is scaled by its recent gradient size, so it keeps learning.",
    source: 'Tieleman and Hinton 2012, Coursera "Neural networks for machine learning", lecture 6.5',
    defaults: { alpha: 0.99, eps: 1e-8, momentum: 0, weightDecay: 0 },
    weightDecay: 'coupled',
  },
  adam: {
    title: 'Adam',
    rule: [
      COUPLED_L2,
      'm <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2   (both start at 0)',
      'm^ = m / (1 - beta1^t);   v^ = v / (1 - beta2^t)   (bias correction)',
      'theta <- theta - eta m^ / (sqrt(v^) + eps)',
    ],
    convention:
      "PyTorch's form, as Algorithm 1 of the paper (eps added to sqrt(v^), not to sqrt(v)). Its weight decay is the L2 term in the gradient, which Adam then divides by sqrt(v^): weights with large gradients are hardly decayed. For decay proper, use AdamW.",
    purpose: 'optimization',
    forWhat: 'Momentum and RMSProp together, with the averages corrected for starting at zero: the usual first choice.',
    source: 'Kingma and Ba 2015, "Adam: a method for stochastic optimization"',
    defaults: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
    weightDecay: 'coupled',
  },
  adamw: {
    title: 'AdamW',
    rule: [
      'theta <- theta - eta lambda theta   (decoupled decay, before the step; no term in g)',
      'm <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2',
      'theta <- theta - eta m^ / (sqrt(v^) + eps)   (m^, v^ bias-corrected as in Adam)',
    ],
    convention:
      "PyTorch's form: the decay is multiplied by the learning rate eta (so it follows the schedule). The paper multiplies lambda by the schedule's factor only, not by the base rate: PyTorch's lambda is the paper's divided by eta.",
    purpose: 'generalization',
    forWhat: 'Adam whose weight decay shrinks every weight by the same factor, whatever its gradient history: a regularizer that works as intended.',
    source: 'Loshchilov and Hutter 2019, "Decoupled weight decay regularization"',
    defaults: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    weightDecay: 'decoupled',
  },
};

/** The lectures' warning on augmentation, said beside every augmentation field. */
export const AUGMENT_WARNING =
  'The codec reproduces its input: its target is the augmented example itself, so noise added to an example is noise it must learn to code. Augment only in ways the task should not care about, and never the validation or test audio.';

/** The cards of everything else the Train panel sets: clipping, the penalties, dropout, early stopping, the data. */
export const REGULARIZER_CARDS = {
  clipNorm: {
    title: 'Clipping by norm',
    rule: ['g <- g min(1, c / (||g|| + 1e-6)),   ||g|| the norm of all the gradients together'],
    convention: 'torch.nn.utils.clip_grad_norm_, over the whole model at once: the direction is kept, only the length is capped. Applied before the optimizer adds weight decay.',
    purpose: 'optimization',
    forWhat: 'Caps a rare huge gradient (a loud transient, a steep cliff) so one step cannot throw the weights away.',
    source: 'Pascanu, Mikolov and Bengio 2013, "On the difficulty of training recurrent neural networks"',
  },
  clipValue: {
    title: 'Clipping by value',
    rule: ['g_i <- min(max(g_i, -c), c)   for every weight i'],
    convention: 'torch.nn.utils.clip_grad_value_; after clipping by norm when both are on. Unlike clipping by norm it changes the direction.',
    purpose: 'optimization',
    forWhat: 'Bounds each weight\'s gradient separately: cruder than clipping by norm.',
    source: 'Mikolov 2012, "Statistical language models based on neural networks" (PhD thesis)',
  },
  weightDecay: {
    title: 'Weight decay (L2)',
    rule: ['coupled: g <- g + lambda theta, the gradient of the penalty (lambda/2) ||theta||^2', 'decoupled (AdamW): theta <- theta - eta lambda theta'],
    convention: 'For SGD the two are the same update; for the adaptive optimizers they differ (the coupled term is rescaled per weight). Some texts write the penalty lambda ||theta||^2, whose gradient is 2 lambda theta.',
    purpose: 'generalization',
    forWhat: 'Pulls every weight toward zero in proportion to its size: smaller weights, smoother functions, less overfitting.',
    source: 'Krogh and Hertz 1992, "A simple weight decay can improve generalization"',
  },
  l1: {
    title: 'L1 penalty',
    rule: ['objective + lambda sum_i |theta_i|;   g_i <- g_i + lambda sign(theta_i),   sign(0) = 0'],
    convention: 'Added to the gradient before the optimizer (and before its own weight decay); the logged training loss is the data loss alone.',
    purpose: 'generalization',
    forWhat: 'Pulls every weight toward zero by the same amount: small weights end at zero (sparse weights).',
    source: 'Tibshirani 1996, "Regression shrinkage and selection via the lasso"',
  },
  dropout: {
    title: 'Dropout (inverted)',
    rule: ['training: y = x m / (1 - p),   m_i = 0 with probability p, else 1', 'validation, test, listening: y = x'],
    convention: 'Inverted dropout, as torch.nn.Dropout: the kept activations are scaled up while training, so nothing changes at inference. Here after every ELU, a fresh seeded mask each step.',
    purpose: 'generalization',
    forWhat: 'No unit can rely on another being there: an ensemble of thinned networks in one.',
    source: 'Srivastava et al. 2014, "Dropout: a simple way to prevent neural networks from overfitting"',
  },
  patience: {
    title: 'Early stopping',
    rule: ['stop when the validation loss has not improved for `patience` validations;  keep the best weights'],
    convention: 'Counted in validations (every "validate every" steps), not in steps; 0 never stops early. The best weights, not the last, are scored and heard.',
    purpose: 'generalization',
    forWhat: 'Stops before the model fits the training audio\'s accidents at the expense of audio it has not heard.',
    source: 'Prechelt 1998, "Early stopping - but when?"',
  },
  dataFraction: {
    title: 'Data fraction',
    rule: ['train on the first f of the shuffled training segments;  validation and test stay whole'],
    convention: 'The same seed gives the same segments: a smaller fraction is a subset of a larger one.',
    purpose: 'generalization',
    forWhat: 'Less data overfits sooner: lower it to watch the gap between training and validation open.',
    source: 'Goodfellow, Bengio and Courville 2016, "Deep learning", section 5.2',
  },
  augment: {
    title: 'Augmentation',
    rule: [
      'gain: x <- x 10^(u/20),   u uniform in [-G, 0] dB',
      'polarity: x <- -x for half the examples',
      'noise: x <- x + n,   n white, at SNR dB below the example\'s own power',
      'tilt: a first-order high shelf above 1 kHz, gain uniform in [-T, +T] dB',
    ],
    convention: AUGMENT_WARNING,
    purpose: 'generalization',
    forWhat: 'More varied training examples from the same audio: the model sees levels and timbres it would otherwise not.',
    source: 'Shorten and Khoshgoftaar 2019, "A survey on image data augmentation for deep learning" (the idea); Zolzer 2011, DAFX, section 2.3.1 (the shelf)',
  },
} as const satisfies Record<string, Card>;

export type RegularizerCardName = keyof typeof REGULARIZER_CARDS;
