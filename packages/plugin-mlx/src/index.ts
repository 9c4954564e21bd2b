import { createMlxPlugin } from './mlx-plugin.js';

export { createMlxPlugin, createMlxEngine } from './mlx-plugin.js';
export { MlxEngine } from './mlx-engine.js';
export type { MlxEngineEnvironment } from './mlx-engine.js';
export { MlxServerSupervisor } from './mlx-server-supervisor.js';
export type { MlxServerState } from './mlx-server-supervisor.js';
export { checkMlxPlatform } from './mlx-availability.js';
export { mlxConfigSchema, mlxModelOptionsSchema, DEFAULT_MLX_COMMAND } from './mlx-options.js';
export type { MlxPluginOptions, MlxRestartOptions } from './mlx-options.js';
export { VERSION } from './mlx-version.js';

export default createMlxPlugin();
