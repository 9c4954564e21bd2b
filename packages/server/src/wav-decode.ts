import { InvalidInputError } from '@switchyard/core';

/** Decodes a RIFF/WAVE buffer (PCM 8/16/24/32-bit or IEEE float 32) to mono float samples. */
export function decodeWav(bytes: Buffer, field = 'inputs.audio'): { samples: Float32Array; sampleRate: number } {
  const fail = (message: string, expected?: string, found?: string) => new InvalidInputError({ message: `${field}: ${message}`, field, expected, found });
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw fail('not a WAV file', 'RIFF/WAVE header', bytes.subarray(0, 4).toString('hex'));
  }
  let offset = 12;
  let format: { audioFormat: number; channels: number; sampleRate: number; bits: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = { audioFormat: bytes.readUInt16LE(body), channels: bytes.readUInt16LE(body + 2), sampleRate: bytes.readUInt32LE(body + 4), bits: bytes.readUInt16LE(body + 14) };
      if (format.audioFormat === 0xfffe && size >= 26) format.audioFormat = bytes.readUInt16LE(body + 24);
    } else if (id === 'data') {
      if (!format) throw fail('data chunk before fmt chunk');
      return { samples: toMono(bytes.subarray(body, Math.min(body + size, bytes.length)), format, fail), sampleRate: format.sampleRate };
    }
    offset = body + size + (size % 2);
  }
  throw fail('no data chunk');
}

function toMono(data: Buffer, format: { audioFormat: number; channels: number; bits: number }, fail: (m: string, e?: string, f?: string) => Error): Float32Array {
  const bytesPerSample = format.bits / 8;
  const read = sampleReader(data, format, fail);
  const frames = Math.floor(data.length / (bytesPerSample * format.channels));
  const samples = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame += 1) {
    let sum = 0;
    for (let channel = 0; channel < format.channels; channel += 1) sum += read((frame * format.channels + channel) * bytesPerSample);
    samples[frame] = sum / format.channels;
  }
  return samples;
}

function sampleReader(data: Buffer, format: { audioFormat: number; bits: number }, fail: (m: string, e?: string, f?: string) => Error): (at: number) => number {
  if (format.audioFormat === 3 && format.bits === 32) return (at) => data.readFloatLE(at);
  if (format.audioFormat === 1) {
    if (format.bits === 8) return (at) => (data.readUInt8(at) - 128) / 128;
    if (format.bits === 16) return (at) => data.readInt16LE(at) / 32768;
    if (format.bits === 24) return (at) => data.readIntLE(at, 3) / 8388608;
    if (format.bits === 32) return (at) => data.readInt32LE(at) / 2147483648;
  }
  throw fail('unsupported WAV sample format', 'PCM 8/16/24/32-bit or float32', `format ${format.audioFormat}, ${format.bits} bits`);
}
