// A run's training settings in one short line for the runs list, e.g.
// "momentum lr 1e-3 · momentum 0.8 · wd 1e-4 · clip 1 · step ×0.5/5 · dropout 0.1 · batch 4": the
// optimizer, its learning rate and the batch always, then only what differs from the engine's
// defaults, so two runs made on the command line with different options are told apart.
import type { RunSummary, TrainConfig, TrainOptions } from './types.js';

/** A setting's number, short: 0.8, 16384, 1e-4 (no float noise such as 0.30000000000000004). */
export function shortNumber(v: number): string {
  if (v !== 0 && (Math.abs(v) < 0.01 || Math.abs(v) >= 1e5)) {
    const [mantissa, exponent] = v.toExponential().split('e');
    return `${Number(Number(mantissa).toPrecision(3))}e${Number(exponent)}`;
  }
  return String(Number(v.toPrecision(6)));
}

type OptimizerDefaults = TrainOptions['optimizerDefaults'][string];

/** The optimizer settings shown when set to other than the optimizer's default, with the label each is shown with. */
const OPTIMIZER_SETTINGS: [keyof OptimizerDefaults, string][] = [
  ['momentum', 'momentum'],
  ['beta1', 'β1'],
  ['beta2', 'β2'],
  ['alpha', 'alpha'],
  ['eps', 'eps'],
];

function scheduleText(c: TrainConfig, defaults: TrainConfig): string[] {
  const s = c.schedule;
  const parts: string[] = [];
  if (s.name !== defaults.schedule.name) {
    let params = '';
    if (s.name === 'step') params = `${s.gamma !== undefined ? ` ×${shortNumber(s.gamma)}` : ''}${s.stepSize !== undefined ? `/${s.stepSize}` : ''}`;
    else if ((s.name === 'exponential' || s.name === 'inverse-time') && s.gamma !== undefined) params = ` ${s.name === 'exponential' ? '×' : 'k '}${shortNumber(s.gamma)}`;
    else if (s.name === 'cosine' && s.minLr) params = ` → ${shortNumber(s.minLr)}`;
    parts.push(`${s.name}${params}`);
  }
  if (s.warmupSteps) parts.push(`warm-up ${s.warmupSteps}`);
  return parts;
}

function augmentText(c: TrainConfig): string[] {
  // Runs from before augmentation existed have no `augment`.
  const a: Partial<TrainConfig['augment']> = c.augment ?? {};
  const parts: string[] = [];
  if (a.gainDb) parts.push(`gain −${shortNumber(a.gainDb)} dB`);
  if (a.polarity) parts.push('polarity');
  if (typeof a.noiseSnrDb === 'number') parts.push(`noise ${shortNumber(a.noiseSnrDb)} dB SNR`);
  if (a.tiltDb) parts.push(`tilt ±${shortNumber(a.tiltDb)} dB`);
  return parts;
}

/**
 * The settings line of a run's `config` (as its config.json holds it; older runs lack the settings
 * added since, read here as off), against the engine's
 * `defaults` and each optimizer's `optimizerDefaults` (api.trainOptions()).
 */
export function runSettingsLine(c: TrainConfig, defaults: TrainConfig, optimizerDefaults: TrainOptions['optimizerDefaults'], shape: TrainOptions['shape']['defaults']): string {
  const o = c.optimizer;
  const od = optimizerDefaults[o.name];
  const parts = [`${o.name} lr ${shortNumber(c.lr)}`];
  if (c.initFrom) parts.push(`from ${c.initFrom}`);
  // The network's shape beside its preset, when not the preset's own.
  if (c.bits !== undefined && c.bits !== shape.bits) parts.push(`${c.bits} bits`);
  if (c.latentChannels !== undefined && c.latentChannels !== shape.latentChannels) parts.push(`latent ${c.latentChannels}`);
  if (c.hop !== undefined && c.hop !== shape.hop) parts.push(`hop ${c.hop}`);
  if (c.width !== undefined && c.width !== shape.width) parts.push(`width ×${shortNumber(c.width)}`);
  for (const [key, label] of OPTIMIZER_SETTINGS) {
    const v = o[key];
    if (typeof v === 'number' && v !== od?.[key]) parts.push(`${label} ${shortNumber(v)}`);
  }
  if (o.nesterov) parts.push('nesterov');
  // Weight decay is said whenever it is on (AdamW's default 0.01 too): it is a regularizer at work.
  const wd = o.weightDecay ?? od?.weightDecay ?? 0;
  if (wd > 0) parts.push(`wd ${shortNumber(wd)}${o.name === 'adamw' ? ' decoupled' : ''}`);
  if (o.clipNorm) parts.push(`clip ${shortNumber(o.clipNorm)}`);
  if (o.clipValue) parts.push(`clip value ${shortNumber(o.clipValue)}`);
  parts.push(...scheduleText(c, defaults));
  if (c.dropout) parts.push(`dropout ${shortNumber(c.dropout)}`);
  if (c.l1) parts.push(`L1 ${shortNumber(c.l1)}`);
  if (c.patience) parts.push(`patience ${c.patience}`);
  if (c.dataFraction !== undefined && c.dataFraction !== defaults.dataFraction) parts.push(`data ${shortNumber(c.dataFraction * 100)}%`);
  parts.push(...augmentText(c));
  parts.push(`batch ${c.batch}`);
  if (c.segment !== defaults.segment) parts.push(`segment ${c.segment}`);
  if (c.split && c.split.join(':') !== defaults.split.join(':')) parts.push(`split ${c.split.join(':')}`);
  return parts.join(' · ');
}

/** Where a run was trained, when not here: "PyTorch 1.13, 2 processes, cpu" (a run from codec-lab export-torch); null for the lab's own. */
export function trainedElsewhere(c: NonNullable<RunSummary['config']>): string | null {
  const t = c.trainedWith;
  if (!t) return null;
  return `PyTorch ${t.torch.split('a')[0].split('+')[0]}, ${t.processes} process${t.processes === 1 ? '' : 'es'}, ${t.device}`;
}
