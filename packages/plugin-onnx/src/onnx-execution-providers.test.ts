import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableExecutionProviders, checkExecutionProviders } from './onnx-options.js';

const backends = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];
const probe = (files: string[], platform: NodeJS.Platform = 'linux') => ({ backends, libraryDirs: ['/ort/bin', '/usr/local/cuda/lib'], platform, exists: (path: string) => files.includes(path) });

describe('execution provider detection (no GPU needed)', () => {
  it('lists only bundled providers when no provider library is installed', () => {
    expect(availableExecutionProviders(probe([]))).toEqual(['cpu', 'webgpu']);
  });

  it('adds cuda when its provider library and the shared bridge are installed next to the binding', () => {
    const files = [join('/ort/bin', 'libonnxruntime_providers_cuda.so'), join('/ort/bin', 'libonnxruntime_providers_shared.so')];
    expect(availableExecutionProviders(probe(files))).toEqual(['cpu', 'webgpu', 'cuda']);
  });

  it('adds tensorrt found on the library search path, and needs the shared bridge', () => {
    const trt = join('/usr/local/cuda/lib', 'libonnxruntime_providers_tensorrt.so');
    expect(availableExecutionProviders(probe([trt]))).toEqual(['cpu', 'webgpu']);
    expect(availableExecutionProviders(probe([trt, join('/ort/bin', 'libonnxruntime_providers_shared.so')]))).toEqual(['cpu', 'webgpu', 'tensorrt']);
  });

  it('uses the platform library names (Windows dll)', () => {
    const files = [join('/ort/bin', 'onnxruntime_providers_cuda.dll'), join('/ort/bin', 'onnxruntime_providers_shared.dll')];
    expect(availableExecutionProviders(probe(files, 'win32'))).toContain('cuda');
    expect(availableExecutionProviders(probe(files, 'linux'))).not.toContain('cuda');
  });

  it('refuses a configured provider that is not installed with EXECUTION_PROVIDER_UNAVAILABLE listing what is', () => {
    expect(() => checkExecutionProviders(['cuda', 'cpu'], availableExecutionProviders(probe([])))).toThrow(/execution provider 'cuda' is not available .*available: cpu, webgpu/);
    expect(() => checkExecutionProviders(['cuda', 'cpu'], ['cpu', 'cuda'])).not.toThrow();
  });

  it('on this machine: the real probe finds at least the bundled cpu provider', () => {
    expect(availableExecutionProviders()).toContain('cpu');
  });
});
