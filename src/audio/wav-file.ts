// Opening a WAV file on disk: the one place where a path becomes bytes, so a missing file, a folder
// or a file that is too large gets the same code from the command line, the app and training.
// The file is never held whole by the readers here: the chunk walk reads a small window at a time
// and the samples are streamed through one reusable buffer.
import { open, type FileHandle } from 'node:fs/promises';
import { constants, readSync } from 'node:fs';
import { AudioError } from './errors.js';
import type { ByteSource, WavLayout } from './riff.js';

/** Files above this are refused before they are read. */
export const MAX_WAV_BYTES = 1024 ** 3;

/** The chunk walk reads this much around each header, so a file with many small chunks costs few reads. */
const WINDOW_BYTES = 64 * 1024;
/** Samples are read this much at a time: large enough for few system calls, small beside any output. */
const STREAM_BYTES = 4 * 1024 * 1024;

export interface OpenWavFile {
  readonly file: string;
  readonly size: number;
  /** Random access for the chunk walk (synchronous reads of a small window). */
  readonly source: ByteSource;
  /**
   * Stream the audio of `layout` in whole frames, in order: `visit` gets the bytes (valid only during
   * the call), the index of their first frame and their frame count. It may return false to stop early.
   */
  forEachChunk(layout: WavLayout, visit: (bytes: Uint8Array, firstFrame: number, frames: number) => boolean | void): Promise<void>;
  /** Every byte of the file, into `into` (exactly `size` bytes long) or one new buffer. */
  readAll(into?: Uint8Array): Promise<Uint8Array>;
}

/** A source that keeps one window of the file and refills it only when a read falls outside it. */
function windowedSource(handle: FileHandle, size: number): ByteSource {
  const window = new Uint8Array(WINDOW_BYTES);
  let start = 0;
  let filled = 0;
  return {
    size,
    read(at, length) {
      const want = Math.max(0, Math.min(length, size - at));
      if (at >= start && at + want <= start + filled) return window.subarray(at - start, at - start + want);
      const into = want > WINDOW_BYTES ? new Uint8Array(want) : window;
      const got = readSync(handle.fd, into, 0, Math.max(want, Math.min(WINDOW_BYTES, size - at)), at);
      if (into === window) {
        start = at;
        filled = got;
      }
      return into.subarray(0, Math.min(want, got));
    },
  };
}

function openFailure(file: string, e: unknown): AudioError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new AudioError('FILE_NOT_FOUND', `no such file: ${file}`);
  if (code === 'EISDIR') return new AudioError('READ_FAILED', `${file} is a folder, not a WAV file`);
  return new AudioError('READ_FAILED', `cannot open ${file}: ${(e as Error).message}`);
}

/**
 * Open `file`, check it is a regular file within MAX_WAV_BYTES, run `use`, close it. Any error that is
 * not already an AudioError becomes READ_FAILED naming the file.
 */
export async function withWavFile<T>(file: string, use: (f: OpenWavFile) => Promise<T>): Promise<T> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a FIFO given as a path must be refused below (not a regular file), not wait for a
    // writer for ever; a regular file reads the same either way.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw openFailure(file, e);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new AudioError('READ_FAILED', `${file} is not a regular file`);
    if (stat.size > MAX_WAV_BYTES) {
      throw new AudioError('FILE_TOO_LARGE', `file is ${(stat.size / 1024 ** 3).toFixed(1)} GiB; Codec Lab reads WAV files up to 1 GiB`);
    }
    const size = stat.size;
    return await use({
      file,
      size,
      source: windowedSource(handle, size),
      async forEachChunk(layout, visit) {
        const block = layout.fmt.blockAlign;
        const buffer = new Uint8Array(Math.max(block, Math.floor(STREAM_BYTES / block) * block));
        for (let frame = 0; frame < layout.frames; ) {
          const frames = Math.min(layout.frames - frame, buffer.length / block);
          const bytes = buffer.subarray(0, frames * block);
          await readFully(handle, bytes, layout.dataOffset + frame * block, file);
          if (visit(bytes, frame, frames) === false) return;
          frame += frames;
        }
      },
      async readAll(into = new Uint8Array(size)) {
        if (into.length !== size) throw new RangeError(`readAll: the buffer holds ${into.length} bytes, the file ${size}`);
        await readFully(handle, into, 0, file);
        return into;
      },
    });
  } catch (e) {
    if (e instanceof AudioError) throw e;
    throw new AudioError('READ_FAILED', `cannot read ${file}: ${(e as Error).message}`);
  } finally {
    await handle.close();
  }
}

async function readFully(handle: FileHandle, into: Uint8Array, at: number, file: string): Promise<void> {
  for (let got = 0; got < into.length; ) {
    const { bytesRead } = await handle.read(into, got, into.length - got, at + got);
    // The size was checked when the file was opened: a short read means it shrank while being read.
    if (bytesRead === 0) throw new AudioError('READ_FAILED', `${file} became shorter while it was being read`);
    got += bytesRead;
  }
}

/**
 * The whole file in one buffer, read once, with the same checks and codes as readWav: for callers
 * that keep the file's own bytes (to play or export them unchanged) and decode them with decodeWav.
 */
export async function readWavFile(file: string, allocate: (size: number) => Uint8Array = (n) => new Uint8Array(n)): Promise<Uint8Array> {
  // `allocate` lets a caller read straight into memory of its choice (shared memory, with no second copy).
  return withWavFile(file, (f) => f.readAll(allocate(f.size)));
}
