import { spawn } from 'node:child_process';

export interface MlxAvailability {
  readonly ok: boolean;
  readonly reason?: string;
}

/** MLX needs macOS on Apple Silicon. Pure, so it is testable for every platform. */
export function checkMlxPlatform(platform: string, arch: string): MlxAvailability {
  if (platform === 'darwin' && arch === 'arm64') return { ok: true };
  return { ok: false, reason: `MLX needs Apple Silicon (darwin-arm64); this machine is ${platform}-${arch}` };
}

/** Whether `<python> -c "import mlx_lm"` succeeds (the default command needs the mlx-lm package). */
export async function checkMlxLmModule(python: string, timeoutMs = 15_000): Promise<MlxAvailability> {
  return new Promise((resolve) => {
    let stderr = '';
    const child = spawn(python, ['-c', 'import mlx_lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `cannot run '${python}': ${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, reason: `the Python module mlx_lm is not importable with '${python}' (pip install mlx-lm): ${stderr.trim().split('\n').pop() ?? `exit ${code}`}` });
    });
  });
}
