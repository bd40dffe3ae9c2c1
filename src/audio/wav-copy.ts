// A clip exported as it is: the file's own sample bytes, in its own format, in a plain RIFF file.
// Nothing is decoded or re-encoded, so a 24-bit or mu-law clip stays 24-bit or mu-law, bit for bit.
// What changes is only the wrapping: metadata chunks are left out, and a big-endian RIFX file
// comes out as little-endian RIFF (each sample's bytes reversed), which every player opens.
import { parseWavLayout } from './riff.js';
import { newWavFile } from './wav-header.js';

/** A RIFF WAV file holding exactly the samples of the WAV file `bytes`, in the same format. */
export function wavFileCopy(bytes: Uint8Array): Uint8Array {
  const layout = parseWavLayout(bytes);
  const { fmt, dataBytes } = layout;
  const { bytes: out, dataOffset: p } = newWavFile(fmt, layout.frames);
  const data = bytes.subarray(layout.dataOffset, layout.dataOffset + dataBytes);
  const width = fmt.containerBits / 8;
  if (layout.littleEndian || width === 1) out.set(data, p);
  else for (let i = 0; i < dataBytes; i += width) for (let k = 0; k < width; k++) out[p + i + k] = data[i + width - 1 - k];
  return out;
}
