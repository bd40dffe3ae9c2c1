// The optimizer cards the Train panel shows must describe the engine's own optimizers: one card per
// optimizer, quoting the defaults the engine uses when a setting is left out.
import { describe, expect, it } from 'vitest';
import { OPTIMIZER_CARDS, REGULARIZER_CARDS } from '../../src/common/optimizer-cards.js';
import { OPTIMIZER_DEFAULTS, OPTIMIZERS } from '../../src/optim/optimizer.js';

describe('optimizer cards', () => {
  it('has a card for every optimizer the engine offers, and none for another', () => {
    expect(Object.keys(OPTIMIZER_CARDS).sort()).toEqual([...OPTIMIZERS].sort());
  });

  it.each(OPTIMIZERS)('%s: every default the card quotes is the engine\'s', (name) => {
    const card = OPTIMIZER_CARDS[name];
    const quoted = Object.entries(card.defaults);
    expect(quoted.length).toBeGreaterThan(0);
    for (const [setting, value] of quoted) expect([setting, value]).toEqual([setting, OPTIMIZER_DEFAULTS[name][setting as keyof (typeof OPTIMIZER_DEFAULTS)[typeof name]]]);
  });

  it('quotes weight decay for every optimizer, decoupled only for AdamW', () => {
    for (const name of OPTIMIZERS) {
      expect(OPTIMIZER_CARDS[name].defaults).toHaveProperty('weightDecay');
      expect(OPTIMIZER_CARDS[name].weightDecay).toBe(name === 'adamw' ? 'decoupled' : 'coupled');
    }
  });

  it('quotes the settings each optimizer reads: momentum and Nesterov for momentum, betas for Adam, alpha for RMSProp', () => {
    expect(Object.keys(OPTIMIZER_CARDS.momentum.defaults).sort()).toEqual(['momentum', 'nesterov', 'weightDecay']);
    expect(Object.keys(OPTIMIZER_CARDS.adam.defaults).sort()).toEqual(['beta1', 'beta2', 'eps', 'weightDecay']);
    expect(Object.keys(OPTIMIZER_CARDS.rmsprop.defaults).sort()).toEqual(['alpha', 'eps', 'momentum', 'weightDecay']);
    expect(Object.keys(OPTIMIZER_CARDS.adagrad.defaults).sort()).toEqual(['eps', 'weightDecay']);
    expect(Object.keys(OPTIMIZER_CARDS.sgd.defaults)).toEqual(['weightDecay']);
  });

  it('gives every card a rule, a purpose and a source', () => {
    for (const card of [...Object.values(OPTIMIZER_CARDS), ...Object.values(REGULARIZER_CARDS)]) {
      expect(card.rule.length).toBeGreaterThan(0);
      expect(['optimization', 'generalization']).toContain(card.purpose);
      expect(card.forWhat.length).toBeGreaterThan(10);
      expect(card.source).toMatch(/\d{4}/);
    }
  });
});
