// A run's clips by file name in the runs list: the command line records the paths it was given.
import { describe, expect, it } from 'vitest';
import { clipFileName } from '../../renderer/src/lib/format.js';

describe('a recorded clip, shown', () => {
  it('is its file name, whichever separator the path used, and a bare name as it is', () => {
    expect(clipFileName('/home/ana/music/take 3.wav')).toBe('take 3.wav');
    expect(clipFileName('C:\\Users\\ana\\take3.wav')).toBe('take3.wav');
    expect(clipFileName('piano.wav')).toBe('piano.wav');
    expect(clipFileName('folder/')).toBe('folder/');
  });
});
