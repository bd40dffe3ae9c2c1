// electron-builder.yml, checked the way electron-builder itself checks it before it builds:
// loaded by its own loader (getConfig) and validated against its JSON schema
// (validateConfiguration in app-builder-lib/out/util/config/config.js). Neither needs the Electron
// binary or the network. A broken copy of the file is validated too, to prove the check can fail.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO, tempDir } from '../helpers.js';

const require = createRequire(import.meta.url);
type Config = Record<string, unknown> & { files?: unknown; linux?: { target?: unknown }; mac?: { target?: unknown }; win?: { target?: unknown } };
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<Config>;
  validateConfiguration(config: Config, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util/out/DebugLogger') as { DebugLogger: new (enabled: boolean) => unknown };

const CONFIG = path.join(REPO, 'electron-builder.yml');
const validate = (config: Config) => validateConfiguration(config, new DebugLogger(false));
const tmp = tempDir('codec-lab-builder-');
afterAll(() => tmp.cleanup());

/** Loads a variant of electron-builder.yml (text edited) through electron-builder's own loader. */
async function loadVariant(edit: (yaml: string) => string): Promise<Config> {
  const file = path.join(tmp.dir, `variant-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, edit(readFileSync(CONFIG, 'utf8')));
  return getConfig(REPO, file, null);
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    const config = await getConfig(REPO, CONFIG, null);
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('builds AppImage and deb on Linux, dmg on macOS, nsis on Windows', async () => {
    const config = await getConfig(REPO, CONFIG, null);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false });
  });

  it('packs the entry point package.json names, the renderer and the bundled clip', async () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { main?: string; scripts?: Record<string, string> };
    expect(pkg.main).toBe('dist/electron/main.js');
    expect(pkg.scripts?.dist).toContain('electron-builder --config electron-builder.yml');
    const yaml = readFileSync(CONFIG, 'utf8');
    for (const pattern of ['package.json', 'dist/**', 'assets/**']) expect(yaml).toContain(`  - ${pattern}\n`);
  });

  // Each of these must fail: an unknown key at the top, an unknown key inside a platform, a value
  // of the wrong type, and a target that does not exist.
  const broken: [string, (yaml: string) => string, RegExp][] = [
    ['an unknown top-level key', (y) => `${y}\nnotAnOption: true\n`, /notAnOption|should NOT have additional properties|Invalid configuration object/],
    ['an unknown key under linux', (y) => y.replace('linux:\n', 'linux:\n  iconz: build/icon.png\n'), /Invalid configuration object/],
    ['a wrong type', (y) => y.replace('asar: false', 'asar: "sometimes"'), /Invalid configuration object/],
    ['an unknown fuse', (y) => y.replace('  runAsNode: false', '  runAsNode: false\n  allowEverything: true'), /Invalid configuration object/],
  ];
  for (const [what, edit, message] of broken) {
    it(`refuses a copy with ${what}`, async () => {
      const config = await loadVariant(edit);
      await expect(validate(config)).rejects.toThrow(message);
    });
  }
});
