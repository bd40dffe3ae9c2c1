// The settings of a run that give the network's shape beside its preset (src/nn/presets.ts
// ModelShape): optional in a config (each absent one is the preset's own), so lists of a run's
// settings built from DEFAULT_CONFIG's keys add them. In src/common so the page, which keeps them in
// its saved Train settings, and the engine read one list. Pure: imports nothing.

export const SHAPE_SETTINGS = ['bits', 'latentChannels', 'hop', 'width'] as const;

export type ShapeSetting = (typeof SHAPE_SETTINGS)[number];
